"""Alert messages and their delivery: Feishu/Lark cards, Slack blocks, and a local outbox."""

from ordersight.alerts.delivery import AlertSender, DeliveryResult
from ordersight.alerts.dispatch import dispatch
from ordersight.alerts.feishu import FeishuSender
from ordersight.alerts.message import Alert, DiffRow
from ordersight.alerts.outbox import OutboxSender, read_outbox, record_failure
from ordersight.alerts.slack import SlackSender
from ordersight.alerts.text import render_text

__all__ = [
    "Alert",
    "AlertSender",
    "DeliveryResult",
    "DiffRow",
    "FeishuSender",
    "OutboxSender",
    "SlackSender",
    "dispatch",
    "read_outbox",
    "record_failure",
    "render_text",
]

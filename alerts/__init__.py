"""Alert messages and their delivery: Feishu/Lark cards, Slack blocks, and a local outbox."""

from alerts.delivery import AlertSender, DeliveryResult
from alerts.dispatch import dispatch
from alerts.feishu import FeishuSender
from alerts.message import Alert
from alerts.outbox import OutboxSender, read_outbox, record_failure
from alerts.slack import SlackSender
from alerts.text import render_text
from domain.findings import DiffRow

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

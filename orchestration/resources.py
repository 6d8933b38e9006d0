"""Resources: the warehouse, alert channels and report outputs; secrets come from the env."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
from dagster import ConfigurableResource, EnvVar

from alerts import AlertSender, FeishuSender, SlackSender
from ingest.platforms.registry import shops_from
from ingest.platforms.shops import Shop
from plumbing.database import dbt_env
from plumbing.settings import output_dir


class WarehouseResource(ConfigurableResource):
    """The Postgres warehouse. `database_url` is a secret-bearing URL: never logged."""

    database_url: str

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.database_url, connect_timeout=10)

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """Expose the connection parts to the dbt subprocess (profiles.yml reads them)."""
        parts = dbt_env(self.database_url)
        saved = {name: os.environ.get(name) for name in parts}
        os.environ.update(parts)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


class AlertChannelsResource(ConfigurableResource):
    """Where alerts go. Webhook URLs, secrets and tokens are read from the environment each time
    alerts are sent (the variable names are configurable); with none set, alerts go to the
    local outbox file only."""

    feishu_webhook_url_env: str = "ORDERSIGHT_FEISHU_WEBHOOK_URL"
    feishu_secret_env: str = "ORDERSIGHT_FEISHU_SECRET"  # noqa: S105 (a variable name)
    slack_token_env: str = "ORDERSIGHT_SLACK_BOT_TOKEN"  # noqa: S105 (a variable name)
    slack_channel_env: str = "ORDERSIGHT_SLACK_CHANNEL"
    slack_base_url: str = "https://slack.com/api/"
    dagster_url_env: str = "ORDERSIGHT_DAGSTER_URL"
    diff_base_url_env: str = "ORDERSIGHT_DIFF_BASE_URL"
    outbox_path: str = ""

    def senders(self) -> list[AlertSender]:
        senders: list[AlertSender] = []
        webhook = EnvVar(self.feishu_webhook_url_env).get_value()
        if webhook:
            senders.append(
                FeishuSender(webhook, EnvVar(self.feishu_secret_env).get_value() or None)
            )
        token = EnvVar(self.slack_token_env).get_value()
        channel = EnvVar(self.slack_channel_env).get_value()
        if token and channel:
            senders.append(SlackSender(token, channel, base_url=self.slack_base_url))
        return senders

    def outbox(self) -> Path:
        if self.outbox_path:
            return Path(self.outbox_path)
        return output_dir() / "alerts" / "outbox.jsonl"

    def diff_dir(self) -> Path:
        path = self.outbox().parent / "diffs"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def diff_link(self, diff_file: Path) -> str | None:
        """The diff file's URL where `diff_dir()` is published (ORDERSIGHT_DIFF_BASE_URL)."""
        base = EnvVar(self.diff_base_url_env).get_value()
        return f"{base.rstrip('/')}/{quote(diff_file.name)}" if base else None

    def run_link(self, run_id: str) -> str:
        base = EnvVar(self.dagster_url_env).get_value() or "http://127.0.0.1:3000"
        return f"{base.rstrip('/')}/runs/{run_id}"


class ShopsResource(ConfigurableResource):
    """The merchant's shops and their credentials, read from the environment each time a pull
    runs (ORDERSIGHT_SHOPS and ORDERSIGHT_SHOP_<SHOP>_…, docs/connectors.md)."""

    def shops(self) -> list[Shop]:
        return shops_from(lambda name: EnvVar(name).get_value())


class OutputsResource(ConfigurableResource):
    """Where reports are written; empty means `<ORDERSIGHT_HOME>/out`."""

    directory: str = ""

    def path(self) -> Path:
        path = Path(self.directory) if self.directory else output_dir()
        path.mkdir(parents=True, exist_ok=True)
        return path

"""Courier secrets and push settings, read from the environment when asked, never at import."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ingest.couriers.auth import ZTO_DIGEST_RULES

MAX_PUSH_BYTES_DEFAULT = 1_048_576


@dataclass(frozen=True)
class ZtoPushFormat:
    """Where ZTO puts the traces and their digest, and how the digest is made (configured)."""

    data_field: str = "data"
    digest_field: str = "data_digest"
    company_field: str = "company_id"
    digest_rule: str = ZTO_DIGEST_RULES[0]


@dataclass(frozen=True)
class CourierSecrets:
    """Per-channel secrets; None means the channel is not configured and its endpoint refuses."""

    kuaidi100_salt: str | None = None
    sf_push_token: str | None = None
    zto_key: str | None = None
    zto_company_id: str | None = None
    aftership_secret: str | None = None
    zto_format: ZtoPushFormat = ZtoPushFormat()
    max_push_bytes: int = MAX_PUSH_BYTES_DEFAULT

    def __repr__(self) -> str:
        configured = [name for name in ("kuaidi100", "sf", "zto", "aftership") if self.has(name)]
        return f"CourierSecrets(configured={configured})"

    def has(self, channel: str) -> bool:
        return {
            "kuaidi100": self.kuaidi100_salt,
            "sf": self.sf_push_token,
            "zto": self.zto_key,
            "aftership": self.aftership_secret,
        }.get(channel) not in (None, "")


def _env(name: str) -> str | None:
    return os.environ.get(name) or None


def secrets_from_environment() -> CourierSecrets:
    """The courier secrets in the environment now (README, "Configuration")."""
    rule = os.environ.get("ORDERSIGHT_ZTO_DIGEST_RULE", ZTO_DIGEST_RULES[0])
    if rule not in ZTO_DIGEST_RULES:
        raise ValueError(
            f"ORDERSIGHT_ZTO_DIGEST_RULE={rule!r} is not one of {', '.join(ZTO_DIGEST_RULES)}"
        )
    return CourierSecrets(
        kuaidi100_salt=_env("ORDERSIGHT_KUAIDI100_SALT"),
        sf_push_token=_env("ORDERSIGHT_SF_PUSH_TOKEN"),
        zto_key=_env("ORDERSIGHT_ZTO_KEY"),
        zto_company_id=_env("ORDERSIGHT_ZTO_COMPANY_ID"),
        aftership_secret=_env("ORDERSIGHT_AFTERSHIP_SECRET"),
        zto_format=ZtoPushFormat(
            data_field=os.environ.get("ORDERSIGHT_ZTO_DATA_FIELD", "data"),
            digest_field=os.environ.get("ORDERSIGHT_ZTO_DIGEST_FIELD", "data_digest"),
            company_field=os.environ.get("ORDERSIGHT_ZTO_COMPANY_FIELD", "company_id"),
            digest_rule=rule,
        ),
        max_push_bytes=int(
            os.environ.get("ORDERSIGHT_MAX_PUSH_BYTES", str(MAX_PUSH_BYTES_DEFAULT))
        ),
    )

"""Where ordersight keeps its local state and which database it uses, resolved at call time."""

from __future__ import annotations

import os
from pathlib import Path

from domain.sources import payload_field_name

DATABASE_URL_ENV = "ORDERSIGHT_DATABASE_URL"
HOME_ENV = "ORDERSIGHT_HOME"
DROP_DIR_ENV = "ORDERSIGHT_DROP_DIR"
#: dbt vars a deployment may set through the environment, by variable name.
DBT_VAR_ENVS = {
    "ORDERSIGHT_U8_PLATFORM_FIELD": "u8_platform_field",
    "ORDERSIGHT_U8_ORDER_REF_FIELD": "u8_order_ref_field",
}


def home_dir() -> Path:
    """The project-local state folder (private Postgres, Dagster storage, outputs)."""
    configured = os.environ.get(HOME_ENV)
    return Path(configured).resolve() if configured else Path.cwd().resolve() / ".ordersight"


def configured_database_url() -> str | None:
    """The external database URL, when the user set one."""
    return os.environ.get(DATABASE_URL_ENV) or None


def output_dir() -> Path:
    """Where reports and summaries are written."""
    path = home_dir() / "out"
    path.mkdir(parents=True, exist_ok=True)
    return path


def drop_dir() -> Path:
    """The folder the drop-folder sensor watches: one subfolder per source (`taobao/`, `TB/`…)."""
    configured = os.environ.get(DROP_DIR_ENV)
    return Path(configured).resolve() if configured else home_dir() / "drop"


def dbt_var_overrides() -> dict[str, object]:
    """The dbt vars this deployment sets in the environment (over the registry's defaults)."""
    return {
        var: payload_field_name(os.environ[env].strip())
        for env, var in DBT_VAR_ENVS.items()
        if os.environ.get(env, "").strip()
    }

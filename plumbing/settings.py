"""Where ordersight keeps its local state and which database it uses, resolved at call time."""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_URL_ENV = "ORDERSIGHT_DATABASE_URL"
HOME_ENV = "ORDERSIGHT_HOME"


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

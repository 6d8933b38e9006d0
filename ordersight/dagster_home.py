"""Prepares DAGSTER_HOME: our dagster.yaml plus storage (SQLite, or Postgres if configured)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from plumbing.paths import INSTANCE_TEMPLATE
from plumbing.settings import home_dir

STORAGE_URL_ENV = "ORDERSIGHT_DAGSTER_STORAGE_URL"


def instance_config(storage_url: str | None, base_dir: Path) -> dict:
    config = yaml.safe_load(INSTANCE_TEMPLATE.read_text()) or {}
    if storage_url:
        config["storage"] = {"postgres": {"postgres_url": {"env": STORAGE_URL_ENV}}}
    else:
        config["storage"] = {"sqlite": {"base_dir": str(base_dir / "storage")}}
    return config


def prepare_dagster_home() -> Path:
    """Write $DAGSTER_HOME/dagster.yaml (default home: <ordersight home>/dagster) and return it."""
    home = Path(os.environ.get("DAGSTER_HOME") or home_dir() / "dagster")
    home.mkdir(parents=True, exist_ok=True)
    config = instance_config(os.environ.get(STORAGE_URL_ENV), home)
    (home / "dagster.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    os.environ["DAGSTER_HOME"] = str(home)
    return home

"""What every command that touches the warehouse prepares first, and how the CLI speaks."""

from __future__ import annotations

import os

from ordersight.dagster_home import prepare_dagster_home
from plumbing.database import database_url, dbt_env
from plumbing.settings import DATABASE_URL_ENV, configured_database_url


def say(message: str) -> None:
    print(f"[ordersight] {message}", flush=True)


def prepare_environment() -> str:
    """Resolve the warehouse, export what Dagster and dbt read, return the URL."""
    if configured_database_url():
        say(f"using the database from {DATABASE_URL_ENV}")
    else:
        say("starting the private Postgres (first start initialises it)")
    url = database_url(start=True)
    os.environ[DATABASE_URL_ENV] = url
    os.environ.update(dbt_env(url))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    prepare_dagster_home()
    return url

"""Runs the dbt project as a subprocess against a given warehouse URL (tests, bench)."""

from __future__ import annotations

import os
import subprocess

from domain.dbt_vars import dbt_vars_args
from plumbing.database import dbt_env
from plumbing.paths import DBT_PROJECT_DIR, tool


class DbtFailed(RuntimeError):
    """dbt exited non-zero; the message carries the tail of its output."""


def dbt_executable() -> str:
    """The dbt installed beside this Python (the project's venv), whatever PATH says."""
    return tool("dbt")


def run_dbt(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` in the project, connected to `url`, with the registry's vars; output kept."""
    env = {**os.environ, **dbt_env(url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    done = subprocess.run(
        [dbt_executable(), *args, *dbt_vars_args(), "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if check and done.returncode != 0:
        raise DbtFailed(f"dbt {' '.join(args)} failed:\n{done.stdout[-6000:]}\n{done.stderr}")
    return done

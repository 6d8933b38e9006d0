"""Runs the dbt project as a subprocess against a given warehouse URL (tests, bench)."""

from __future__ import annotations

import json
import os
import subprocess

from domain.dbt_vars import dbt_vars_args
from plumbing.database import dbt_env
from plumbing.paths import DBT_PROJECT_DIR, tool
from plumbing.settings import dbt_var_overrides


class DbtFailed(RuntimeError):
    """dbt exited non-zero; the message carries the tail of its output."""


def dbt_executable() -> str:
    """The dbt installed beside this Python (the project's venv), whatever PATH says."""
    return tool("dbt")


def run_dbt(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` in the project, connected to `url`, with the registry's vars; output kept.

    A ``--vars`` in ``args`` overrides single vars, over the deployment's environment
    (`plumbing.settings.dbt_var_overrides`); the registry supplies the rest.
    """
    env = {**os.environ, **dbt_env(url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    args, overrides = split_vars(args)
    done = subprocess.run(
        [
            dbt_executable(),
            *args,
            *dbt_vars_args({**dbt_var_overrides(), **overrides}),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
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


def split_vars(args: tuple[str, ...]) -> tuple[list[str], dict[str, object]]:
    """``args`` without its ``--vars <json>`` pairs, and those vars merged (last wins)."""
    rest: list[str] = []
    overrides: dict[str, object] = {}
    items = iter(args)
    for arg in items:
        if arg == "--vars":
            text = next(items, None)
            if text is None:
                raise ValueError("--vars needs a JSON object after it")
            overrides.update(json.loads(text))
        else:
            rest.append(arg)
    return rest, overrides

"""The `ordersight` command run as a user would, with its own state folder and private Postgres."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ORDERSIGHT = str(Path(sys.executable).with_name("ordersight"))


def run(args: list[str], home: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """`ordersight <args>` with ORDERSIGHT_HOME=`home` and no external database configured."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"ORDERSIGHT_DATABASE_URL", "DAGSTER_HOME"}
    }
    env["ORDERSIGHT_HOME"] = str(home)
    return subprocess.run(
        [ORDERSIGHT, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def state_home(factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """A fresh state folder for a module's commands; its private Postgres is stopped after."""
    home = factory.mktemp(name) / "state"
    yield home
    run(["db", "stop"], home)

"""Locations inside the ordersight source tree."""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
WORKSPACE_FILE = PROJECT_ROOT / "workspace.yaml"
INSTANCE_TEMPLATE = PROJECT_ROOT / "dagster.yaml"


def tool(name: str) -> str:
    """A command beside this Python (the project venv: dbt, dagster), whatever PATH says."""
    return str(Path(sys.executable).with_name(name))

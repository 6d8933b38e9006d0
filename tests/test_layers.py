"""The import-linter contracts in pyproject.toml catch an import that goes up or pulls in Dagster.

Each test runs `lint-imports` on a copy of the packages with one bad import written into it,
so the contracts are shown to fail, not only to pass on today's code.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _packages() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["root_packages"]


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """The root packages and pyproject.toml, copied to a folder of their own."""
    for package in _packages():
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _add_import(tree: Path, module: str, line: str) -> None:
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_copy_keeps_every_contract(tree_copy: Path) -> None:
    done = _lint(tree_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_plumbing_importing_the_code_location_breaks_the_layers(tree_copy: Path) -> None:
    _add_import(tree_copy, "plumbing/settings.py", "import orchestration.resources  # noqa")
    done = _lint(tree_copy)
    assert done.returncode != 0
    assert "imports only go down" in done.stdout
    assert "BROKEN" in done.stdout
    assert "plumbing.settings -> orchestration.resources" in done.stdout


def test_a_library_importing_a_sibling_breaks_the_layers(tree_copy: Path) -> None:
    _add_import(tree_copy, "alerts/message.py", "import reports.model  # noqa")
    done = _lint(tree_copy)
    assert done.returncode != 0
    assert "alerts.message -> reports.model" in done.stdout


def test_dagster_in_a_library_breaks_the_forbidden_contract(tree_copy: Path) -> None:
    _add_import(tree_copy, "reports/model.py", "import dagster  # noqa")
    done = _lint(tree_copy)
    assert done.returncode != 0
    assert "No Dagster below the code location BROKEN" in " ".join(done.stdout.split())
    assert "reports.model -> dagster" in done.stdout

"""The registry reaches dbt as --vars; a caller's own --vars overrides single vars only."""

from __future__ import annotations

import ast
import configparser
import json

import pytest

from domain.dbt_vars import dbt_vars, dbt_vars_args, interval_text
from domain.rules import DRIFT_THRESHOLD, ERP_BOOKING_LAG
from domain.sources import MONEY_UNITS, SOURCES
from plumbing.dbt_cli import split_vars
from plumbing.paths import DBT_PROJECT_DIR


def test_a_callers_vars_are_merged_over_the_registry() -> None:
    args, overrides = split_vars(
        ("seed", "--vars", '{"finance_role": "f1"}', "--select", "x", "--vars", '{"a": 1}')
    )
    assert args == ["seed", "--select", "x"]
    assert overrides == {"finance_role": "f1", "a": 1}
    merged = json.loads(dbt_vars_args(overrides)[1])
    assert merged["finance_role"] == "f1"
    assert merged["drift_threshold"] == DRIFT_THRESHOLD


def test_vars_without_a_value_are_refused() -> None:
    with pytest.raises(ValueError, match="JSON object"):
        split_vars(("build", "--vars"))


def test_intervals_are_written_in_the_largest_whole_unit() -> None:
    assert dbt_vars()["erp_booking_lag"] == interval_text(ERP_BOOKING_LAG) == "6 hours"
    assert interval_text(ERP_BOOKING_LAG / 4) == "90 minutes"
    with pytest.raises(ValueError):
        interval_text(ERP_BOOKING_LAG * 0)


def test_the_sql_linter_renders_with_the_registrys_values() -> None:
    # sqlfluff cannot take --vars, so .sqlfluff holds a copy; it must not drift from the registry
    config = configparser.ConfigParser(interpolation=None)
    config.read(DBT_PROJECT_DIR / ".sqlfluff", encoding="utf-8")
    context = config["sqlfluff:templater:jinja:context"]
    for name, value in dbt_vars().items():
        written = context[name]
        expected = ast.literal_eval(written) if isinstance(value, list | float) else written
        assert expected == value, f".sqlfluff var {name} = {written!r}, the registry says {value!r}"


def test_every_source_declares_a_known_money_unit() -> None:
    units = {source.name: source.money_unit for source in SOURCES}
    assert set(units.values()) <= set(MONEY_UNITS)
    assert units["wechat"] == "fen" and units["taobao"] == "yuan"

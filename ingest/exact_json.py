"""JSON read and written back without touching a number: ids and money never pass through a float.

`loads` keeps every fraction as a `Decimal` (Python already keeps integers exact); `dumps`
writes them back digit for digit, so `4.50` stays `4.50` and a 19-digit id stays 19 digits.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

_STRING = json.JSONEncoder(ensure_ascii=False).encode


def loads(text: str) -> Any:
    """Parse JSON text; fractions become `Decimal`, never `float`; NaN and Infinity are refused."""
    return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def dumps(value: Any) -> str:
    """Compact JSON text of what `loads` returns (dicts, lists, str, int, Decimal, bool, None)."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, parts: list[str]) -> None:
    if isinstance(value, dict):
        parts.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                parts.append(",")
            parts.append(_STRING(str(key)))
            parts.append(":")
            _write(item, parts)
        parts.append("}")
    elif isinstance(value, list):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write(item, parts)
        parts.append("]")
    elif isinstance(value, str):
        parts.append(_STRING(value))
    elif value is None or isinstance(value, bool):
        parts.append(json.dumps(value))
    elif isinstance(value, int | Decimal):
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        parts.append(str(value))
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")

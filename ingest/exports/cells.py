"""One cell of a seller-centre export: its structural wrapping removed, then read as an API type.

Exports wrap values so spreadsheets do not mangle them: `="35153131473293579"` (a formula that
keeps a long id as text), a leading apostrophe (`'13900000000`), tab or space padding
(`168.99\t`), a unit after money (`0元`). `unwrap` removes exactly that; `convert` reads the
result as the type the platform's API uses for the field, with `Decimal` for money (never a
float). A value that cannot be read raises `Unreadable` with what was expected; the caller keeps
the row with that reason.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.china_time import CHINA_TZ

#: What `convert` returns for a value that is absent (an empty cell): the field is left out.
ABSENT = object()

_FORMULA = re.compile(r'^="(.*)"$', re.DOTALL)
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
_DIGITS = re.compile(r"^\d+$")
_TIME = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
# "Not happened" in exports: an empty cell, or a zero date.
_NO_TIME = ("", "0000-00-00", "0000-00-00 00:00:00", "0000/00/00", "0000/00/00 00:00:00")
_MONEY_SUFFIXES = ("元", "¥", "￥")

TYPES = (
    "text",
    "digits",
    "integer",
    "yuan_text",
    "yuan_number",
    "fen",
    "time",
    "epoch_seconds",
)


class Unreadable(ValueError):
    """A cell whose value is not of the type its column holds."""


def unwrap(value: Any) -> Any:
    """The value without its spreadsheet wrapping; non-text values (XLSX numbers) unchanged."""
    if not isinstance(value, str):
        return value
    text = value.strip(" \t\r\n\u3000")
    match = _FORMULA.match(text)
    if match:
        text = match.group(1).strip(" \t")
    if text.startswith("'"):
        text = text[1:]
    return text


def convert(value: Any, kind: str) -> Any:
    """The unwrapped `value` as the API writes a field of `kind` (see TYPES); ABSENT if empty."""
    value = unwrap(value)
    if value is None or value == "":
        return ABSENT
    if kind == "text":
        return _text(value)
    if kind == "digits":
        text = _integral_text(value)
        if not _DIGITS.match(text):
            raise Unreadable("not an id of digits")
        return text
    if kind == "integer":
        text = _integral_text(value)
        if not _DIGITS.match(text):
            raise Unreadable("not a whole number")
        return int(text)
    if kind in ("yuan_text", "yuan_number", "fen"):
        amount = _yuan(value)
        if kind == "yuan_text":
            return str(amount)
        if kind == "yuan_number":
            return amount
        fen = amount * 100
        if fen != fen.to_integral_value():
            raise Unreadable("not whole fen")
        return int(fen)
    if kind in ("time", "epoch_seconds"):
        moment, minutes_only = _time(value)
        if moment is None:
            return ABSENT
        if kind == "epoch_seconds":
            return int(moment.replace(tzinfo=CHINA_TZ).timestamp())
        return moment.strftime("%Y-%m-%d %H:%M" if minutes_only else "%Y-%m-%d %H:%M:%S")
    raise ValueError(f"unknown cell type {kind!r}; known: {', '.join(TYPES)}")


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _integral_text(value: Any) -> str:
    if isinstance(value, bool):
        raise Unreadable("a boolean")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # An XLSX number cell: a whole number up to 2^53 is exact; anything else is not an id.
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        raise Unreadable("a spreadsheet number that is not a whole number below 2^53")
    return _text(value)


def _yuan(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise Unreadable("a boolean")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # An XLSX number cell holds a binary double; its shortest round-trip text is the
        # number the spreadsheet shows, read exactly from there.
        return Decimal(repr(value))
    text = str(value)
    for suffix in _MONEY_SUFFIXES:
        text = text.removesuffix(suffix).removeprefix(suffix)
    text = text.replace(",", "").strip()
    if not _AMOUNT.match(text):
        raise Unreadable("not a yuan amount")
    try:
        return Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise Unreadable("not a yuan amount") from error


def _time(value: Any) -> tuple[datetime | None, bool]:
    """The naive China time a cell holds, and whether it had minutes only; None if not happened."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None), False
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day), False
    text = _text(value)
    if text in _NO_TIME:
        return None, False
    match = _TIME.match(text)
    if not match:
        raise Unreadable("not a time")
    year, month, day, hour, minute, second = match.groups()
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError as error:
        raise Unreadable(f"not a time ({error})") from error
    return moment, hour is not None and second is None

"""Export rows to API objects: each order becomes one payload in its platform's API shape.

A row (JD and WeChat: the consecutive rows of one order, one item each; Taobao: the order row
joined with its rows of the separate item file) is read through its layout
(`ingest/exports/layouts.py`) into the object the platform's order API returns, so the staging
models that parse API payloads parse it unchanged. The rows as they were read are kept in the
payload under the reserved key `_export` (`layout`, and `rows` / `item_rows`: each row's line
and its cells by their header as written), so raw holds what came.

A row that cannot be read (a required value missing, an unknown status text, a cell that is not
of its column's type) is not dropped: it comes out as a `Refused` whose reason names the column,
the value and the line, to be kept in raw.rejected_payloads.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from domain.sources import Source
from ingest import exact_json
from ingest.exports.cells import ABSENT, Unreadable, convert, unwrap
from ingest.exports.layouts import Column, Layout, match_layout, trimmed
from ingest.exports.tables import TableRow, read_table
from ingest.platforms.envelopes import Refused, Unwrapped

EXPORT_KEY = "_export"


class RowProblem(ValueError):
    """Why a row cannot become (part of) an API object: "kind: detail"."""


@dataclass
class ExportFile:
    """An export file opened against its layout: what its header says, then its rows."""

    path: Path
    layout: Layout
    headers: tuple[str, ...]  # as written, untrimmed
    positions: dict[str, int]  # layout header -> cell index
    unknown_columns: tuple[str, ...]  # trimmed headers the layout does not know
    rows: Iterator[TableRow]
    rows_read: int = 0

    def cells_of(self, row: TableRow) -> dict[str, Any]:
        """The row's cells by their header as written, verbatim (JSON-safe)."""
        cells: dict[str, Any] = {}
        for index, value in enumerate(row.cells):
            header = self.headers[index] if index < len(self.headers) else ""
            key = header if header and header not in cells else f"{header}#{index + 1}"
            cells[key] = _json_safe(value)
        return cells

    def value(self, row: TableRow, header: str) -> Any:
        index = self.positions.get(header)
        if index is None or index >= len(row.cells):
            return None
        return row.cells[index]

    def close(self) -> None:
        close = getattr(self.rows, "close", None)
        if close:
            close()

    def data_rows(self) -> Iterator[TableRow]:
        for row in self.rows:
            self.rows_read += 1
            yield row


def open_export(path: Path, source: Source) -> ExportFile:
    """The file at `path` with the layout of `source` its headers match (NoLayout if none)."""
    rows = read_table(path)
    header = next(rows, None)
    if header is None:
        raise RowProblem(f"{path}: the file holds no header row")
    headers = tuple("" if cell is None else str(cell) for cell in header.cells)
    names = trimmed(list(headers))
    layout = match_layout(source.name, names)
    positions: dict[str, int] = {}
    for index, name in enumerate(names):
        positions.setdefault(name, index)
    known = {column.header for column in layout.columns}
    unknown = tuple(dict.fromkeys(name for name in names if name and name not in known))
    return ExportFile(path, layout, headers, positions, unknown, rows)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ")
    if value is None or isinstance(value, str | int | bool | Decimal):
        return value
    return str(value)


def _put(target: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def _status_fields(column: Column, text: str, paid: bool) -> dict[str, Any]:
    mapped = column.values.get(text)
    if mapped is None:
        raise RowProblem(f"unknown status text: {column.header} = {text!r}")
    if "paid" in mapped or "unpaid" in mapped:
        return mapped["paid" if paid else "unpaid"]
    return mapped


def read_fields(export: ExportFile, row: TableRow) -> tuple[dict[str, Any], dict[str, Any]]:
    """The order-level and item-level API fields of one row; RowProblem when it cannot be read."""
    order: dict[str, Any] = {}
    item: dict[str, Any] = {}
    statuses: list[Column] = []
    for column in export.layout.columns:
        if column.header not in export.positions:
            continue
        if column.is_status:
            statuses.append(column)
            continue
        raw = export.value(row, column.header)
        for target in column.targets:
            try:
                value = convert(raw, target.kind)
            except Unreadable as error:
                raise RowProblem(
                    f"unreadable cell: {column.header} = {unwrap(raw)!r} ({error}), line {row.line}"
                ) from None
            if value is ABSENT:
                if column.required:
                    raise RowProblem(f"missing value: {column.header}, line {row.line}")
                if column.if_empty is None:
                    continue
                value = column.if_empty
            _put(item if target.on_item else order, target.keys, value)
    paid = _is_paid(export, row)
    for column in statuses:
        text = unwrap(export.value(row, column.header))
        if text in (None, ""):
            if column.required:
                raise RowProblem(f"missing value: {column.header}, line {row.line}")
            continue
        try:
            fields = _status_fields(column, str(text), paid)
        except RowProblem as problem:
            raise RowProblem(f"{problem}, line {row.line}") from None
        for path, value in fields.items():
            if path.startswith("item."):
                _put(item, tuple(path.removeprefix("item.").split(".")), value)
            else:
                _put(order, tuple(path.split(".")), value)
    return order, item


def _is_paid(export: ExportFile, row: TableRow) -> bool:
    column = export.layout.paid_column
    if column is None:
        return False
    try:
        return convert(export.value(row, column), "time") is not ABSENT
    except Unreadable:
        return False


def order_number(export: ExportFile, row: TableRow) -> str:
    value = unwrap(export.value(row, export.layout.order_column))
    return "" if value is None else _text_of(value)


def _text_of(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class _Order:
    number: str
    rows: list[TableRow] = field(default_factory=list)


def _orders(export: ExportFile) -> Iterator[_Order]:
    """Rows grouped into orders: one per row, or consecutive rows of one order number."""
    current: _Order | None = None
    for row in export.data_rows():
        number = order_number(export, row)
        if not export.layout.group_rows:
            yield _Order(number, [row])
            continue
        if current is not None and (number != current.number or not number):
            yield current
            current = None
        if current is None:
            current = _Order(number)
        current.rows.append(row)
    if current is not None:
        yield current


class ItemIndex:
    """Rows of separate item files (Taobao ExportOrderDetailList) by order number, on disk.

    Kept in a temporary SQLite file, so a large item file costs disk, not memory.
    """

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="ordersight-items-")
        self._db = sqlite3.connect(Path(self._dir.name) / "items.sqlite")
        self._db.execute(
            "create table items (order_no text, seq integer primary key, layout text, "
            "fields text, cells text, problem text, used integer default 0)"
        )
        self._db.execute("create index items_order on items (order_no)")
        self.files: list[Path] = []
        self.rows = 0

    def add_file(self, export: ExportFile) -> None:
        """Index every row of an item file."""
        batch = []
        for row in export.data_rows():
            number = order_number(export, row)
            problem = None
            fields: dict[str, Any] = {}
            try:
                _, fields = read_fields(export, row)
            except RowProblem as error:
                problem = f"{error} of {export.path.name}"
            cells = {"line": row.line, "file": export.path.name, "cells": export.cells_of(row)}
            batch.append(
                (
                    number,
                    export.layout.items_at,
                    exact_json.dumps(fields),
                    exact_json.dumps(cells),
                    problem,
                )
            )
            if len(batch) >= 10_000:
                self._insert(batch)
                batch = []
        self._insert(batch)
        self.files.append(export.path)
        self.rows += export.rows_read

    def add_file_at(self, path: Path, source: Source) -> None:
        """Index the item file at `path`."""
        export = open_export(path, source)
        try:
            self.add_file(export)
        finally:
            export.close()

    def _insert(self, batch: list[tuple[Any, ...]]) -> None:
        self._db.executemany(
            "insert into items (order_no, layout, fields, cells, problem) values (?, ?, ?, ?, ?)",
            batch,
        )

    def take(self, number: str) -> list[tuple[str, Any, Any, str | None]]:
        """The item rows of one order (items_at, fields, cells, problem), in file order."""
        found = self._db.execute(
            "select seq, layout, fields, cells, problem from items where order_no = ? order by seq",
            (number,),
        ).fetchall()
        if found:
            self._db.executemany(
                "update items set used = 1 where seq = ?", [(seq,) for seq, *_ in found]
            )
        return [
            (layout, exact_json.loads(fields), exact_json.loads(cells), problem)
            for _, layout, fields, cells, problem in found
        ]

    def unjoined(self, file_name: str) -> Iterator[tuple[str, str]]:
        """(order number, kept row JSON) of the rows of one item file that joined no order."""
        for number, cells in self._db.execute(
            "select order_no, cells from items where used = 0 order by seq"
        ):
            if exact_json.loads(cells)["file"] == file_name:
                yield number, exact_json.dumps({EXPORT_KEY: exact_json.loads(cells)})

    def unused(self) -> int:
        (count,) = self._db.execute("select count(*) from items where used = 0").fetchone()
        return int(count)

    def close(self) -> None:
        self._db.close()
        self._dir.cleanup()


def export_objects(
    export: ExportFile, source: Source, items: ItemIndex | None = None
) -> Iterator[Unwrapped | Refused]:
    """One API object per order of the export (or its rows kept with the reason)."""
    layout = export.layout
    for order in _orders(export):
        rows = [{"line": row.line, "cells": export.cells_of(row)} for row in order.rows]
        record: dict[str, Any] = {"layout": layout.label, "rows": rows}
        try:
            payload = _api_object(export, order, items, record)
        except RowProblem as problem:
            yield Refused(
                exact_json.dumps({EXPORT_KEY: record}), str(problem), order.number or None
            )
            continue
        payload[EXPORT_KEY] = record
        yield Unwrapped(_native_id(source, payload), exact_json.dumps(payload), layout.label)


def _api_object(
    export: ExportFile, order: _Order, items: ItemIndex | None, record: dict[str, Any]
) -> dict[str, Any]:
    layout = export.layout
    joined = items.take(order.number) if items is not None and order.number else []
    if joined:
        record["item_rows"] = [cells for _, _, cells, _ in joined]
    payload: dict[str, Any] = {}
    lines: list[dict[str, Any]] = []
    for index, row in enumerate(order.rows):
        fields, item = read_fields(export, row)
        if index == 0:
            payload = fields
        if item:
            lines.append(item)
    problems = [problem for *_, problem in joined if problem]
    if problems:
        raise RowProblem(problems[0])
    lines += [fields for _, fields, _, _ in joined]
    items_at = joined[0][0] if joined else layout.items_at
    if lines and items_at:
        _put(payload, tuple(items_at.split(".")), lines)
    return payload


def _native_id(source: Source, payload: dict[str, Any]) -> str | None:
    value = payload.get("tid_str") if source.name == "taobao" else None
    if value is None:
        value = payload.get(source.native_id_field)
    return None if value is None else str(value)


def is_item_file(path: Path, source: Source) -> bool:
    """Whether the export at `path` is a separate item file (its layout's kind is `items`)."""
    export = open_export(path, source)
    export.close()
    return export.layout.kind == "items"

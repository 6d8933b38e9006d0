"""The rows of an export file, streamed: CSV (UTF-8 with or without a BOM, or GBK/GB18030) or XLSX.

`read_table` yields the header row first, then every data row, each with the line (CSV) or
row number (XLSX) it starts on. Rows are read one at a time, so memory does not grow with the
file. XLSX is read with openpyxl's read-only streaming reader, first worksheet; a formula cell
reads as its formula text (`="…"`), which `cells.unwrap` removes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.exports.responses import text_encoding

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")
TABLE_SUFFIXES = CSV_SUFFIXES + XLSX_SUFFIXES


@dataclass(frozen=True)
class TableRow:
    """One row of a table file as read: its cells in file order and where it starts."""

    line: int
    cells: tuple[Any, ...]


def read_table(path: Path) -> Iterator[TableRow]:
    """Every non-empty row of the file at `path`, the header first."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        yield from _xlsx_rows(path)
    elif suffix in CSV_SUFFIXES:
        yield from _csv_rows(path)
    else:
        raise ValueError(f"{path}: not a table file ({', '.join(TABLE_SUFFIXES)})")


def _csv_rows(path: Path) -> Iterator[TableRow]:
    encoding = text_encoding(path)
    with path.open(encoding=encoding, newline="") as text:
        reader = csv.reader(text)
        line = 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield TableRow(line, tuple(cells))
            line = reader.line_num + 1


def _xlsx_rows(path: Path) -> Iterator[TableRow]:
    from openpyxl import load_workbook  # heavy: only for XLSX files

    # Formulas as written, not their cached results: an id wrapped as the formula ="…" has no
    # cached value when a tool (not Excel) wrote the file, and its text is what came.
    workbook = load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(cell not in (None, "") for cell in cells):
                yield TableRow(number, tuple(cells))
    finally:
        workbook.close()

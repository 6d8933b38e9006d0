"""Seller-centre export layouts, read from configuration (`ingest/exports/layouts/*.toml`).

A layout says, for one platform's export at one version, which trimmed Chinese header holds
which API field and as what type, which status text is which API status code, and how rows form
orders. A file's layout is recognised from its headers, never from column positions; when none
fits, the error names the columns the closest layout misses. The format: docs/imports.md.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ingest.exports.cells import TYPES

LAYOUT_DIR = Path(__file__).with_name("layouts")
KINDS = ("orders", "items")


class NoLayout(ValueError):
    """No layout of the platform fits a file's headers; the message names what is missing."""


@dataclass(frozen=True)
class Target:
    """One API field a column fills: a dotted path, `item.` for a field of the row's item."""

    path: str
    kind: str

    @property
    def on_item(self) -> bool:
        return self.path.startswith("item.")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.path.removeprefix("item.").split("."))


@dataclass(frozen=True)
class Column:
    """A header of the layout and what its cells become."""

    header: str
    targets: tuple[Target, ...]
    required: bool = False
    if_empty: Any = None  # the API's value for "not happened", when it sends one
    values: dict[str, Any] = field(default_factory=dict)  # status text -> API fields

    @property
    def is_status(self) -> bool:
        return bool(self.values)


@dataclass(frozen=True)
class Layout:
    """One platform's export layout at one version."""

    name: str
    version: int
    platform: str
    kind: str  # "orders": one order per row (or run of rows); "items": the separate item file
    order_column: str  # the header holding the order number
    columns: tuple[Column, ...]
    group_rows: bool = False  # consecutive rows of one order are its items (JD, WeChat)
    items_at: str | None = None  # dotted path of the item list in the API object
    paid_column: str | None = None  # decides status texts that differ for paid and unpaid
    verified: bool = True
    description: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def required_headers(self) -> tuple[str, ...]:
        return tuple(column.header for column in self.columns if column.required)

    def column(self, header: str) -> Column | None:
        return next((column for column in self.columns if column.header == header), None)


def _column(header: str, spec: dict[str, Any], where: str) -> Column:
    targets = []
    for path, kind in spec.get("to", {}).items():
        if kind not in TYPES:
            raise ValueError(f"{where}: column {header!r}: unknown type {kind!r}")
        targets.append(Target(path, kind))
    values = spec.get("values", {})
    if values and not targets:
        targets = [Target(path, "text") for path in _status_fields(values)]
    return Column(
        header=header,
        targets=tuple(targets),
        required=bool(spec.get("required", False)),
        if_empty=spec.get("if_empty"),
        values=values,
    )


def _status_fields(values: dict[str, Any]) -> list[str]:
    fields: list[str] = []
    for mapped in values.values():
        for branch in (mapped.get("paid", mapped), mapped.get("unpaid", mapped)):
            fields += [
                name for name in branch if name not in fields and name not in ("paid", "unpaid")
            ]
    return fields


def parse_layout(text: str, where: str) -> Layout:
    """A layout from its TOML text; `where` names it in errors."""
    spec = tomllib.loads(text)
    kind = spec.get("kind", "orders")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind {kind!r}; expected one of {', '.join(KINDS)}")
    columns = tuple(
        _column(header, column, where) for header, column in spec.get("columns", {}).items()
    )
    layout = Layout(
        name=spec["name"],
        version=int(spec["version"]),
        platform=spec["platform"],
        kind=kind,
        order_column=spec["order_column"],
        columns=columns,
        group_rows=bool(spec.get("group_rows", False)),
        items_at=spec.get("items_at"),
        paid_column=spec.get("paid_column"),
        verified=bool(spec.get("verified", True)),
        description=spec.get("description", ""),
    )
    if layout.column(layout.order_column) is None:
        raise ValueError(f"{where}: order_column {layout.order_column!r} is not a column")
    return layout


@cache
def layouts(directory: Path = LAYOUT_DIR) -> tuple[Layout, ...]:
    """Every layout in `directory`, newest version first within each name."""
    found = [
        parse_layout(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(directory.glob("*.toml"))
    ]
    return tuple(sorted(found, key=lambda layout: (layout.platform, layout.name, -layout.version)))


def trimmed(headers: list[Any]) -> list[str]:
    """Header names as layouts list them: surrounding spaces, tabs and a BOM removed."""
    return [
        "" if header is None else str(header).strip(" \t\r\n\u3000\ufeff") for header in headers
    ]


def match_layout(platform: str, headers: list[Any], directory: Path = LAYOUT_DIR) -> Layout:
    """The first layout of `platform` whose required headers are all in `headers`."""
    present = set(trimmed(headers))
    candidates = [layout for layout in layouts(directory) if layout.platform == platform]
    if not candidates:
        raise NoLayout(f"no seller-centre export layout is configured for {platform}")
    for layout in candidates:
        if all(header in present for header in layout.required_headers):
            return layout
    closest = min(  # fewest missing; on a tie, an order export over an item file
        candidates,
        key=lambda layout: (
            sum(header not in present for header in layout.required_headers),
            layout.kind != "orders",
        ),
    )
    missing = [header for header in closest.required_headers if header not in present]
    known = ", ".join(layout.label for layout in candidates)
    raise NoLayout(
        f"the headers fit no {platform} export layout ({known}); closest {closest.label} "
        f"misses the required column(s) {', '.join(missing)}"
    )

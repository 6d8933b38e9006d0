"""The pull engine: one shop's entity, window by window from its watermark to now.

Each run starts `overlap` before the watermark (updates that reached the platform late are
read again) and ends `lag` before the current time, in windows no longer than the platform
accepts. A window's pages are read whole (in the order the platform's sorting needs), then
its new versions land in raw and its watermark moves, in one transaction. A version already
landed (an overlap re-read, a rerun after a kill) is not landed again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from domain.sources import source_named
from ingest.load import Landing, Record, ensure_raw_schema
from ingest.platforms.api import EntityApi, PageRequest, Window
from ingest.platforms.envelopes import Refused, Unwrapped, unwrap
from ingest.platforms.session import ShopSession
from ingest.platforms.watermarks import (
    advance_watermark,
    ensure_pull_tables,
    landed_versions,
    lock_watermark,
    record_versions,
    version_of,
    watermark,
)

log = logging.getLogger(__name__)

#: Where a shop with no watermark and no configured start begins: this long before now.
DEFAULT_FIRST_PULL = timedelta(days=1)
PULL_LABEL_PREFIX = "pull:"


@dataclass
class PullStats:
    """What one pull of one shop's entity did (Dagster metadata)."""

    shop_id: str
    source: str
    windows: int = 0
    pages: int = 0
    rows: int = 0  # objects received
    landed: int = 0  # of those, versions new to raw
    quarantined: int = 0  # not objects of the source (error entries, unknown layouts)
    watermark: datetime | None = None
    requests: int = 0
    retries: int = 0
    throttled: int = 0

    def metadata(self) -> dict[str, Any]:
        return {
            "shop": self.shop_id,
            "windows": self.windows,
            "pages": self.pages,
            "rows": self.rows,
            "landed": self.landed,
            "quarantined": self.quarantined,
            "retries": self.retries,
            "throttled": self.throttled,
            "watermark": self.watermark.isoformat() if self.watermark else None,
        }


@dataclass
class _Fetched:
    objects: list[tuple[int, Unwrapped | Refused]] = field(default_factory=list)  # (page, …)
    pages: int = 0


def split_windows(start: datetime, end: datetime, size: timedelta) -> list[Window]:
    """Consecutive windows from `start` to `end`, none longer than `size`."""
    if size <= timedelta(0):
        raise ValueError("window size must be positive")
    windows = []
    while start < end:
        stop = min(start + size, end)
        windows.append(Window(start, stop))
        start = stop
    return windows


def backward_pages(total: int, page_size: int) -> list[int]:
    """Pages to read after the first, for a platform sorted by modified time descending: the
    last page first, page 1 last (read again: it may have changed while paging)."""
    pages = math.ceil(total / page_size)
    return list(range(pages, 0, -1)) if pages > 1 else []


def pull_entity(
    conn: psycopg.Connection,
    session: ShopSession,
    entity: EntityApi,
    *,
    on_window: Callable[[PullStats], None] | None = None,
    label: str | None = None,
) -> PullStats:
    """Pull one shop's entity from its watermark to now; returns what was done. `label` names
    the landing batches (default `pull:<source>:<shop>`)."""
    platform, shop = session.platform, session.shop
    source = source_named(entity.source)
    ensure_raw_schema(conn)
    ensure_pull_tables(conn)
    now = datetime.fromtimestamp(session.pacing.clock(), UTC).replace(microsecond=0)
    end = now - platform.lag
    stored = watermark(conn, shop.shop_id, source.name)
    first = stored if stored is not None else (shop.start or end - DEFAULT_FIRST_PULL)
    start = first - platform.overlap if stored is not None else first
    stats = PullStats(shop.shop_id, source.name, watermark=stored)
    try:
        platform.authorize(session)
        for window in split_windows(start, end, platform.max_window):
            fetched = _fetch_window(session, entity, window)
            _commit_window(conn, session, entity, window, fetched, first, stats, label)
            if on_window:
                on_window(stats)
    finally:
        stats.requests = session.counts.requests
        stats.retries = session.counts.retries
        stats.throttled = session.counts.throttled
    return stats


def _fetch_window(session: ShopSession, entity: EntityApi, window: Window) -> _Fetched:
    fetched = _Fetched()
    for by in entity.windows_by:
        _fetch_pages(session, entity, window, by, fetched)
    return fetched


def _fetch_pages(
    session: ShopSession, entity: EntityApi, window: Window, by: str, fetched: _Fetched
) -> None:
    """Every page of the window filtered on time `by`, into `fetched`."""
    platform, shop = session.platform, session.shop
    source = source_named(entity.source)

    def read(page: int, cursor: str | None) -> dict[str, Any]:
        body = session.send(
            lambda: platform.page_call(
                shop,
                entity,
                PageRequest(window, page, cursor, session.pacing.clock(), session.token, by),
            )
        )
        fetched.pages += 1
        return body

    def keep(page: int, body: dict[str, Any]) -> None:
        for response in platform.responses(session, entity, body):
            fetched.objects += [(page, item) for item in unwrap(source, response)]

    first = read(1, None)
    info = platform.page_info(entity, first)
    if entity.paging == "backward":
        later = backward_pages(info.total or 0, entity.page_size)
        if not later:
            keep(1, first)
        for page in later:
            keep(page, read(page, None))
    elif entity.paging == "forward":
        keep(1, first)
        page = 1
        while info.has_next:
            page += 1
            body = read(page, None)
            info = platform.page_info(entity, body)
            keep(page, body)
    else:
        keep(1, first)
        page = 1
        while info.has_next and info.cursor:
            page += 1
            body = read(page, info.cursor)
            info = platform.page_info(entity, body)
            keep(page, body)


def _commit_window(
    conn: psycopg.Connection,
    session: ShopSession,
    entity: EntityApi,
    window: Window,
    fetched: _Fetched,
    first: datetime,
    stats: PullStats,
    label: str | None,
) -> None:
    shop, source = session.shop, entity.source
    stats.windows += 1
    stats.pages += fetched.pages
    objects = [(page, item) for page, item in fetched.objects if isinstance(item, Unwrapped)]
    refused = [item for _, item in fetched.objects if isinstance(item, Refused)]
    stats.rows += len(objects)
    if not objects and not refused:
        lock_watermark(conn, session.platform.name, shop.shop_id, source, first)
        advance_watermark(conn, shop.shop_id, source, window.end)
        conn.commit()
        stats.watermark = max(filter(None, (stats.watermark, window.end)))
        return
    label = label or f"{PULL_LABEL_PREFIX}{source}:{shop.shop_id}"
    with Landing(conn, label=label, commit_chunks=False, ensure_schema=False) as landing:
        lock_watermark(conn, session.platform.name, shop.shop_id, source, first)
        keyed = [
            (page, item, item.native_id or "", version_of(item.payload)) for page, item in objects
        ]
        seen = landed_versions(conn, source, ((native, version) for _, _, native, version in keyed))
        new_rows = []
        for page, item, native, version in keyed:
            if (native, version) in seen:
                continue
            seen.add((native, version))
            new_rows.append((page, item, native, version))
        landing.add(Record(source, item.native_id, item.payload) for _, item, _, _ in new_rows)
        for item in refused:
            landing.reject(source, None, item.payload, item.reason)
        landing.flush()
        batch = landing.result.batch_id
        record_versions(
            conn,
            (
                (source, native, version, shop.shop_id, batch, window.start, window.end, page)
                for page, _, native, version in new_rows
            ),
        )
        advance_watermark(conn, shop.shop_id, source, window.end)
    stats.landed += len(new_rows)
    stats.quarantined += len(refused)
    stats.watermark = max(filter(None, (stats.watermark, window.end)))
    log.info(
        "%s %s window %s..%s: %d pages, %d objects, %d new, %d kept aside",
        shop.shop_id,
        source,
        window.start.isoformat(),
        window.end.isoformat(),
        fetched.pages,
        len(objects),
        len(new_rows),
        len(refused),
    )

"""Reading the staged platform orders that have no unified key yet."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg

from domain.china_time import CHINA_TZ_NAME
from domain.sources import PLATFORMS
from ingest.keys.format import OrderRef


def _unkeyed_staged_sql() -> str:
    selects = [
        f"select '{source.code}'::text as platform, native_id, created_at "
        f"from staging.{source.staging_model}"
        for source in PLATFORMS
    ]
    return f"""
        with staged as ({" union all ".join(selects)})
        select staged.platform, staged.native_id,
               (staged.created_at at time zone '{CHINA_TZ_NAME}')::date as created_date
        from staged
        where not exists (
            select 1 from keys.order_keys k
            where k.platform = staged.platform and k.native_id = staged.native_id
        )
        order by staged.created_at, staged.platform, staged.native_id
    """


def staged_refs_without_key(conn: psycopg.Connection) -> Iterator[OrderRef]:
    """Stream every staged platform order that has no unified key yet (server-side cursor).

    Use a connection of its own: `allocate_keys` commits on the one it writes with.
    """
    with conn.cursor(name="unkeyed_orders") as cur:
        cur.itersize = 20_000
        cur.execute(_unkeyed_staged_sql())
        for platform, native_id, created_date in cur:
            yield OrderRef(platform=platform, native_id=native_id, created_date=created_date)

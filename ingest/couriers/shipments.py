"""The platforms' shipping data: which waybill left with which order (the link to unified keys).

Each platform names the waybill and the carrier in its own fields (Taobao
`taobao.logistics.orders.get`: `tid`, `out_sid`, `company_code`; JD: `orderId`, `waybillCode`,
`logisticsCode`; Pinduoduo: `order_sn`, `tracking_number`, `shipping_code`; WeChat shop
`delivery_product_info[]`: `waybill_id`, `delivery_id`). The record is kept as it came, with
the order id, waybill and carrier read from it.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg.types.json import Jsonb

from domain.couriers import carrier_code
from ingest import exact_json
from ingest.couriers.store import INSERT_QUARANTINE

FIELDS = {  # platform code → (order id, waybill, carrier) fields
    "TB": ("tid", "out_sid", "company_code"),
    "JD": ("orderId", "waybillCode", "logisticsCode"),
    "PDD": ("order_sn", "tracking_number", "shipping_code"),
    "WX": ("order_id", "waybill_id", "delivery_id"),
}

INSERT = """
    insert into raw.platform_shipments (platform, native_order_id, waybill_no, carrier, payload)
    values (%s, %s, %s, %s, %s::jsonb)
    on conflict (platform, native_order_id, waybill_no) do nothing
"""


def shipment_row(platform: str, payload: str) -> tuple[str, str, str, str, str]:
    """The row kept for one shipping record; ValueError names what it lacks."""
    order_field, waybill_field, carrier_field = FIELDS[platform]
    record = exact_json.loads(payload)
    if not isinstance(record, dict):
        raise ValueError(f"{platform} shipping record is not a JSON object")
    values = [record.get(name) for name in (order_field, waybill_field, carrier_field)]
    if not all(isinstance(value, str | int) and str(value).strip() for value in values):
        raise ValueError(
            f"{platform} shipping record without {order_field}/{waybill_field}/{carrier_field}"
        )
    order_id, waybill, carrier = (str(value).strip() for value in values)
    return platform, order_id, waybill, carrier_code(carrier), payload


def land_shipments(conn: psycopg.Connection, records: Iterable[tuple[str, str]]) -> int:
    """Keep `(platform, payload)` shipping records (each once); return how many were new.

    A record that cannot be read is quarantined (channel `shipping:<platform>`) with the reason.
    """
    new = 0
    with conn.transaction(), conn.cursor() as cur:
        for platform, payload in records:
            try:
                row = shipment_row(platform, payload)
            except (KeyError, ValueError) as error:
                reason = f"shipping record: {error}"
                cur.execute(
                    INSERT_QUARANTINE,
                    (
                        f"shipping:{platform}",
                        "application/json",
                        Jsonb({}),
                        payload.encode(),
                        reason,
                        None,
                    ),
                )
                continue
            cur.execute(INSERT, row)
            new += cur.rowcount
    return new


def waybills_to_poll(conn: psycopg.Connection, carrier: str) -> list[str]:
    """Waybills of `carrier` shipped in the last 15 days and not signed for yet."""
    rows = conn.execute(
        """
        select distinct s.waybill_no from raw.platform_shipments s
        where s.carrier = %s and s.received_at > now() - interval '15 days'
          and not exists (
            select 1 from tracking.events e
            where e.waybill_no = s.waybill_no and e.native_code in ('签收', '已签收'))
        order by 1
        """,
        (carrier,),
    ).fetchall()
    return [waybill for (waybill,) in rows]

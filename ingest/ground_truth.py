"""Stores the simulator's ground truth (intended order outcomes, injected faults) in schema `sim`.

Tests and reconciliation scoring compare the warehouse against these tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, fields

import psycopg

from ingest.simulate import FaultTruth, OrderTruth

ORDER_COLUMNS = [f.name for f in fields(OrderTruth)]
FAULT_COLUMNS = [f.name for f in fields(FaultTruth)]


def ensure_truth_schema(conn: psycopg.Connection) -> None:
    conn.execute("create schema if not exists sim")
    conn.execute(
        """
        create table if not exists sim.orders (
            platform text not null,
            native_id text,
            created_at timestamptz,
            expected_state text not null,
            expected_is_cancelled boolean not null,
            expected_refund_status text not null,
            expected_is_on_hold boolean not null,
            payment_fen bigint not null,
            refund_fen bigint not null,
            expected_in_erp boolean not null,
            expected_in_ledger boolean not null,
            expect_quarantine boolean not null,
            quarantine_kind text
        )
        """
    )
    conn.execute(
        """
        create table if not exists sim.faults (
            platform text not null,
            native_id text,
            system text not null,
            fault text not null,
            detail text not null
        )
        """
    )
    conn.commit()


def reset_truth(conn: psycopg.Connection) -> None:
    """Forget earlier ground truth (a new simulation replaces it)."""
    ensure_truth_schema(conn)
    conn.execute("truncate sim.orders, sim.faults")
    conn.commit()


def store_truth(
    conn: psycopg.Connection, orders: Iterable[OrderTruth], faults: Iterable[FaultTruth]
) -> None:
    with conn.cursor() as cur:
        with cur.copy(f"copy sim.orders ({', '.join(ORDER_COLUMNS)}) from stdin") as copy:
            for order in orders:
                copy.write_row(astuple(order))
        with cur.copy(f"copy sim.faults ({', '.join(FAULT_COLUMNS)}) from stdin") as copy:
            for fault in faults:
                copy.write_row(astuple(fault))
    conn.commit()

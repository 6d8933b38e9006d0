"""The whole Dagster graph, materialised in process on simulator data whose platform orders and
refunds are pulled through the local platform server and the API connectors, scored on ground
truth."""

from __future__ import annotations

import re

import psycopg
import pytest
from dagster import materialize
from dagster_dbt import DbtCliResource

from domain.sources import source_named
from ingest.platform_server.replay import DEMO_SHOP_IDS
from ingest.platforms.registry import PLATFORM_OF_SOURCE
from orchestration.assets.dbt import dbt_project, dbt_staging, dbt_warehouse
from orchestration.assets.ingest import MerchantConfig, simulated_merchant
from orchestration.assets.keys import order_keys
from orchestration.resources import WarehouseResource
from plumbing.dbt_cli import dbt_executable, run_dbt

ASSETS = [simulated_merchant, dbt_staging, order_keys, dbt_warehouse]
SIMULATION = MerchantConfig(seed=11, orders_per_day=160, days=4, through_platform_apis=True)
FINGERPRINT_SQL = """
    select md5(string_agg(
        concat_ws('|', unified_key, platform, native_order_id, state, is_cancelled, refund_status,
                  is_on_hold, payment_fen, refund_fen, created_at, paid_at, in_erp, in_ledger),
        ',' order by unified_key))
    from marts.fct_orders
"""


def _materialize(url: str):
    return materialize(
        ASSETS,
        resources={
            "warehouse": WarehouseResource(database_url=url),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
        },
        run_config=SIMULATION.run_config(),
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def built(module_db_url: str):
    result = _materialize(module_db_url)
    assert result.success
    return module_db_url, result


def rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_every_simulated_order_appears_exactly_once(built) -> None:
    url, _ = built
    (expected, matched, extra, duplicated) = rows(
        url,
        """
        select
          (select count(*) from sim.orders where not expect_quarantine),
          (select count(*) from sim.orders t join marts.fct_orders o
             on o.platform = t.platform and o.native_order_id = t.native_id
           where not t.expect_quarantine),
          (select count(*) from marts.fct_orders o where not exists (
             select 1 from sim.orders t
             where t.platform = o.platform and t.native_id = o.native_order_id
               and not t.expect_quarantine)),
          (select count(*) - count(distinct (platform, native_order_id)) from marts.fct_orders)
        """,
    )[0]
    assert expected == SIMULATION.orders_per_day * SIMULATION.days
    assert (matched, extra, duplicated) == (expected, 0, 0)


def test_standard_model_matches_the_intended_outcome(built) -> None:
    url, _ = built
    mismatches = rows(
        url,
        """
        select t.platform, t.native_id,
               t.expected_state, o.state, t.expected_is_cancelled, o.is_cancelled,
               t.expected_refund_status, o.refund_status, t.expected_is_on_hold, o.is_on_hold,
               t.payment_fen, o.paid_fen
        from sim.orders t join marts.fct_orders o
          on o.platform = t.platform and o.native_order_id = t.native_id
        where (t.expected_state, t.expected_is_cancelled, t.expected_refund_status,
               t.expected_is_on_hold, t.payment_fen)
           is distinct from (o.state, o.is_cancelled, o.refund_status, o.is_on_hold, o.paid_fen)
        """,
    )
    assert mismatches == []


def test_refunds_come_from_the_refund_sources_and_match_ground_truth(built) -> None:
    url, _ = built
    per_platform = rows(
        url,
        """
        select t.platform,
               count(*) filter (where t.expected_refund_status <> 'none'),
               count(*) filter (where t.expected_refund_status = 'refund_only'),
               count(*) filter (where (t.expected_refund_status, t.refund_fen)
                                is distinct from (o.refund_status, o.refund_fen))
        from sim.orders t join marts.fct_orders o
          on o.platform = t.platform and o.native_order_id = t.native_id
        where not t.expect_quarantine
        group by t.platform
        """,
    )
    by_platform = {
        platform: (refunded, only, wrong) for platform, refunded, only, wrong in per_platform
    }
    assert set(by_platform) == {"TB", "JD", "PDD", "WX"}
    assert all(refunded > 0 and wrong == 0 for refunded, _, wrong in by_platform.values())
    assert by_platform["PDD"][1] > 0, "Pinduoduo refund-only (仅退款) orders are simulated"
    (several, part_of_a_line, refused) = rows(
        url,
        """
        select
          (select count(*) from intermediate.int_refunds__by_order
            where successful_refund_count >= 2),
          (select count(*) from staging.stg_taobao__refunds r
            where r.refund_phase = 'refunded'
              and r.refund_fen < (
                select max((line.value ->> 'total_fee')::numeric * 100)
                from raw.taobao_trades t
                cross join jsonb_array_elements(t.payload -> 'orders' -> 'order') as line (value)
                where t.native_id = r.native_order_id and line.value ->> 'oid' = r.native_line_id)),
          (select count(*) from intermediate.int_refunds__by_order
            where refund_count > successful_refund_count)
        """,
    )[0]
    assert several > 0, "several refunds on one order"
    assert part_of_a_line > 0, "a sub-order refunded in part"
    assert refused > 0, "refused or closed refunds, which refund nothing"


def test_presence_in_erp_and_ledger_follows_the_injected_gaps(built) -> None:
    url, _ = built
    mismatches = rows(
        url,
        """
        select t.platform, t.native_id, t.expected_in_erp, o.in_erp,
               t.expected_in_ledger, o.in_ledger
        from sim.orders t join marts.fct_orders o
          on o.platform = t.platform and o.native_order_id = t.native_id
        where (t.expected_in_erp, t.expected_in_ledger) is distinct from (o.in_erp, o.in_ledger)
        """,
    )
    assert mismatches == []
    missing = rows(
        url, "select count(*) from marts.fct_orders where paid_at is not null and not in_erp"
    )[0][0]
    injected = rows(url, "select count(*) from sim.faults where fault = 'missing_in_erp'")[0][0]
    assert missing == injected


def test_unified_keys_are_well_formed_unique_and_dated_in_china_time(built) -> None:
    url, _ = built
    keys = rows(
        url,
        """
        select o.unified_key, o.platform,
               to_char(o.created_at at time zone 'Asia/Shanghai', 'YYYYMMDD')
        from marts.fct_orders o
        """,
    )
    pattern = re.compile(r"^(TB|JD|PDD|WX)[0-9]{13,}$")
    assert keys
    assert len({k for k, _, _ in keys}) == len(keys)
    for key, platform, china_date in keys:
        assert pattern.match(key), key
        assert key.startswith(platform + china_date), (key, platform, china_date)


def test_junk_payloads_are_quarantined_not_lost(built) -> None:
    url, _ = built
    junk, quarantined_platform_rows = rows(
        url,
        """
        select (select count(*) from sim.orders where expect_quarantine),
               (select count(*) from intermediate.int_payloads__quarantined
                where source in ('taobao', 'jd', 'pdd', 'wechat'))
        """,
    )[0]
    assert junk > 0
    assert quarantined_platform_rows == junk


def test_state_history_moves_forward_to_the_final_state(built) -> None:
    url, _ = built
    bad = rows(
        url,
        """
        with last as (
            select distinct on (unified_key) unified_key, to_state
            from marts.fct_order_state_history order by unified_key, transition_seq desc
        )
        select o.unified_key, o.state, last.to_state
        from marts.fct_orders o left join last using (unified_key)
        where last.to_state is distinct from o.state
        """,
    )
    assert bad == []


def test_state_history_starts_at_created_and_chains(built) -> None:
    url, _ = built
    bad_starts = rows(
        url,
        """
        select o.unified_key, h.from_state, h.to_state, h.transitioned_at, o.created_at,
               h.is_inferred
        from marts.fct_orders o
        left join marts.fct_order_state_history h
          on h.unified_key = o.unified_key and h.transition_seq = 1
        where h.unified_key is null or h.from_state is not null or h.to_state <> 'created'
           or (h.is_inferred and h.transitioned_at <> o.created_at)
        """,
    )
    assert bad_starts == []
    broken_links = rows(
        url,
        """
        select h.unified_key, h.transition_seq, h.from_state, previous.to_state
        from marts.fct_order_state_history h
        left join marts.fct_order_state_history previous
          on previous.unified_key = h.unified_key
         and previous.transition_seq = h.transition_seq - 1
        where h.transition_seq > 1
          and (previous.to_state is null or h.from_state is distinct from previous.to_state
               or h.is_inferred)
        """,
    )
    assert broken_links == []
    inferred, first_seen_paid = rows(
        url,
        """
        select count(*) filter (where is_inferred),
               count(*) filter (where transition_seq = 2 and from_state = 'created'
                                and not is_inferred)
        from marts.fct_order_state_history
        """,
    )[0]
    # orders first seen already paid (most of them: payment follows creation within minutes)
    assert inferred > 0
    assert inferred <= first_seen_paid


def test_jd_stock_out_without_payment_time_is_created(built) -> None:
    url, _ = built
    by_payment = dict(
        rows(
            url,
            """
            select paid_at is not null, array_agg(distinct state order by state)
            from intermediate.int_orders__unified
            where platform = 'JD' and native_status = 'WAIT_SELLER_STOCK_OUT'
            group by 1
            """,
        )
    )
    assert by_payment == {False: ["created"], True: ["paid"]}


def test_dbt_tests_run_as_asset_checks(built) -> None:
    url, result = built
    evaluations = result.get_asset_check_evaluations()
    by_name = {e.check_name: e for e in evaluations}
    for check in (
        "unique_fct_orders_unified_key",
        "assert_every_staged_order_is_in_fct_orders",
        "assert_state_history_starts_at_created",
    ):
        assert check in by_name, sorted(by_name)
        assert by_name[check].passed, check
    failed = {e.check_name for e in evaluations if not e.passed}
    junk, unknown_statuses = rows(
        url,
        "select count(*) filter (where expect_quarantine), "
        "count(*) filter (where quarantine_kind = 'unknown_status') from sim.orders",
    )[0]
    # only the quarantine checks may fail, and exactly when bad payloads were injected
    expected = set()
    if junk:
        expected.add("assert_no_payload_is_quarantined")
    if unknown_statuses:
        expected.add("assert_every_native_status_is_mapped")
    assert junk > 0
    assert failed == expected


def test_rerun_gives_the_same_marts(built) -> None:
    url, _ = built
    before = rows(url, FINGERPRINT_SQL)[0][0]
    raw_before = rows(url, "select count(*) from raw.taobao_trades")[0][0]
    assert _materialize(url).success
    assert rows(url, FINGERPRINT_SQL)[0][0] == before
    assert rows(url, "select count(*) from raw.taobao_trades")[0][0] == raw_before


def test_an_order_without_a_unified_key_fails_the_build_checks(built) -> None:
    # runs last: it breaks the module's warehouse on purpose
    url, _ = built
    with psycopg.connect(url) as conn:
        platform, native_id = conn.execute(
            "delete from keys.order_keys where unified_key = "
            "(select min(unified_key) from keys.order_keys) returning platform, native_id"
        ).fetchone()
    run_dbt(url, "run", "--select", "int_orders__unified fct_orders")
    done = run_dbt(
        url, "test", "--select", "assert_every_staged_order_is_in_fct_orders", check=False
    )
    assert done.returncode != 0
    assert "FAIL 1 assert_every_staged_order_is_in_fct_orders" in done.stdout, done.stdout[-3000:]
    with psycopg.connect(url) as conn:
        (left,) = conn.execute(
            "select count(*) from marts.fct_orders where platform = %s and native_order_id = %s",
            (platform, native_id),
        ).fetchone()
    assert left == 0, "the order lost its key, so it vanished from fct_orders"


def test_what_the_platform_apis_serve_came_through_the_local_platform_server(built) -> None:
    url, _ = built
    for source, platform in PLATFORM_OF_SOURCE.items():
        table = source_named(source).raw_table
        (landed, pulled, direct) = rows(
            url,
            f"select count(*), count(*) filter (where b.label like 'simulation:%%:{source}'), "
            "count(*) filter (where b.label not like 'simulation:%%:%%') "
            f"from raw.{table} t join raw.landing_batches b using (batch_id) "
            "where t.native_id is not null",
        )[0]
        assert landed > 0 and pulled == landed and direct == 0, (source, landed, pulled, direct)
        (versions, shops) = rows(
            url,
            "select count(*), count(distinct shop_id) from raw.pulled_versions "
            f"where source = '{source}'",
        )[0]
        assert versions == landed and shops == len(DEMO_SHOP_IDS[platform]), source
    (ledger_pulled,) = rows(
        url, "select count(*) from raw.pulled_versions where source = 'ledger'"
    )[0]
    assert ledger_pulled == 0, "the ledger has no platform API: it lands directly"

"""Ingestion assets: the simulated merchant's payloads into raw, with its ground truth.

With `through_platform_apis`, what a platform API serves (platform orders and refunds, U8 sales
orders) is served by the local platform server and pulled back through the API connectors, and
only the rest (the ledger, junk) lands directly; otherwise every payload lands directly."""

import hashlib
import json
from collections import Counter
from datetime import date
from typing import Any

from dagster import AssetExecutionContext, Config, MaterializeResult, RunConfig, multi_asset

from domain.sources import SOURCES
from ingest.ground_truth import reset_truth, store_truth
from ingest.load import (
    SIMULATION_LABEL_PREFIX,
    Landing,
    clear_simulated_warehouse,
    finished_batch_exists,
    landed_labels,
)
from ingest.platform_server.replay import ReplayStats, replay_through_server, split_records
from ingest.simulate import MerchantSimulator, SimulationConfig, simulator_fingerprint
from orchestration.layers import LAYERS, layer_spec
from orchestration.resources import WarehouseResource

RAW_SPECS = [
    layer_spec("raw", source.raw_table, description=f"Append-only {source.name} payloads.")
    for source in SOURCES
]
REJECTED_SPEC = layer_spec(
    "raw",
    "rejected_payloads",
    description="Payloads Postgres refused as jsonb, kept byte for byte with the reason.",
)
TRUTH_SPECS = [
    layer_spec("sim", "orders", description="Simulator ground truth: intended outcome per order."),
    layer_spec("sim", "faults", description="Simulator ground truth: every injected fault."),
]


# Every schema ordersight builds from what landed; a new simulation starts them from nothing.
# `reports` stays: its alert incidents and monthly reports match Dagster's own records.
WAREHOUSE_SCHEMAS = tuple(layer for layer in LAYERS if layer != "reports")


_DEFAULT = SimulationConfig()


class MerchantConfig(Config):
    """Size and seed of the simulated merchant (defaults: ``SimulationConfig``'s)."""

    seed: int = _DEFAULT.seed
    orders_per_day: int = _DEFAULT.orders_per_day
    days: int = _DEFAULT.days
    start_date: str = _DEFAULT.start_date.isoformat()
    #: Pull the platforms' data through the local platform server and the API connectors
    #: (hour by simulated hour) instead of landing it directly. Slower (docs/connectors.md).
    through_platform_apis: bool = False

    def simulation(self) -> SimulationConfig:
        return SimulationConfig(
            seed=self.seed,
            orders_per_day=self.orders_per_day,
            days=self.days,
            start_date=date.fromisoformat(self.start_date),
        )

    def run_config(self, **extra: dict[str, Any]) -> RunConfig:
        """Run config of a job (or a ``materialize``) that simulates this merchant."""
        return RunConfig(ops={"simulated_merchant": self}, **extra)

    def batch_label(self) -> str:
        # The simulator's code is part of what a simulation is: a changed simulator re-simulates.
        identity = {**self.model_dump(), "simulator": simulator_fingerprint()}
        fingerprint = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
        return f"{SIMULATION_LABEL_PREFIX}{fingerprint}"


def _progress(context: AssetExecutionContext):  # noqa: ANN202 - a callback
    last = [-1]

    def report(done: int, total: int, stats: ReplayStats) -> None:
        tenth = done * 10 // total
        if tenth != last[0]:
            last[0] = tenth
            context.log.info(
                f"pulled {done:,}/{total:,} simulated hours through the platform APIs: "
                f"{sum(stats.landed.values()):,} versions, {stats.requests:,} requests"
            )

    return report


def _pulled_line(stats: ReplayStats) -> str:
    per_source = ", ".join(f"{source} {n:,}" for source, n in sorted(stats.landed.items()))
    return (
        f"pulled through the local platform server: {per_source} versions; "
        f"{stats.windows:,} windows, {stats.pages:,} pages, {stats.requests:,} requests"
    )


@multi_asset(specs=[*RAW_SPECS, REJECTED_SPEC, *TRUTH_SPECS], name="simulated_merchant")
def simulated_merchant(
    context: AssetExecutionContext, config: MerchantConfig, warehouse: WarehouseResource
):
    """Simulate the merchant and land every payload as received, or (`through_platform_apis`)
    serve what the platforms' APIs serve through the local platform server and pull it back
    through the connectors, landing the rest as received.

    A simulation already landed (same size and seed) is not landed again; a different one
    replaces the previous simulation (every ordersight schema is rebuilt from nothing), and
    is refused where real landings exist.
    """
    label = config.batch_label()
    simulator = MerchantSimulator(config.simulation())
    with warehouse.connect() as conn:
        if finished_batch_exists(conn, label):
            context.log.info(f"{label} already landed; nothing new to land")
            for spec in [*RAW_SPECS, REJECTED_SPEC, *TRUTH_SPECS]:
                yield MaterializeResult(asset_key=spec.key, metadata={"new_rows": 0})
            return
        previous = landed_labels(conn)
        if previous:
            context.log.warning(
                f"replacing what this warehouse holds ({', '.join(sorted(previous))}) with "
                f"{label}: dropping schemas {', '.join(WAREHOUSE_SCHEMAS)}"
            )
            clear_simulated_warehouse(conn, WAREHOUSE_SCHEMAS)
        reset_truth(conn)
        total = simulator.total_orders
        step = max(total // 10, 1)
        done = 0
        served = []
        with Landing(conn, label=label) as landing:
            for chunk in simulator.chunks():
                if config.through_platform_apis:
                    to_serve, direct = split_records(chunk.records)
                    served += to_serve
                else:
                    direct = chunk.records
                landing.add(direct)
                store_truth(conn, chunk.orders, chunk.faults)
                before, done = done, done + sum(1 for o in chunk.orders if not o.expect_quarantine)
                if done // step > before // step or done == total:
                    serving = f", {len(served):,} to serve through the platform APIs"
                    context.log.info(
                        f"simulated {done:,}/{total:,} orders, landed {landing.result.rows:,} "
                        f"payloads directly{serving if served else ''}"
                    )
            landing.flush()
            conn.commit()
            pulled = replay_through_server(
                warehouse.database_url, served, label=label, progress=_progress(context)
            )
            if served:
                context.log.info(_pulled_line(pulled))
        rows = Counter(landing.result.rows_by_source) + pulled.landed
        truth_counts = conn.execute(
            "select (select count(*) from sim.orders), (select count(*) from sim.faults)"
        ).fetchone()
    for source in SOURCES:
        yield MaterializeResult(
            asset_key=["raw", source.raw_table],
            metadata={
                "new_rows": rows.get(source.name, 0),
                "pulled_through_api": pulled.landed.get(source.name, 0),
                "batch_id": landing.result.batch_id,
            },
        )
    if landing.result.refused:
        context.log.warning(
            f"{landing.result.refused:,} payload(s) were not valid jsonb; kept in "
            "raw.rejected_payloads and listed in intermediate.int_payloads__quarantined"
        )
    yield MaterializeResult(
        asset_key=REJECTED_SPEC.key,
        metadata={"new_rows": landing.result.refused, "batch_id": landing.result.batch_id},
    )
    yield MaterializeResult(asset_key=["sim", "orders"], metadata={"rows": truth_counts[0]})
    yield MaterializeResult(asset_key=["sim", "faults"], metadata={"rows": truth_counts[1]})

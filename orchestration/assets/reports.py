"""The monthly cross-platform consistency report: HTML with PNG charts and CSVs, plus a row in
`reports.monthly_consistency_reports`. One partition per month, re-runnable for any month."""

import json
from datetime import UTC, date, datetime

from dagster import (
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    MonthlyPartitionsDefinition,
    asset,
)

from domain.china_time import CHINA_TZ_NAME
from orchestration.layers import layer_key
from orchestration.resources import OutputsResource, WarehouseResource
from reports.load import load_monthly_report
from reports.render import render_monthly_report

# China-time months from 2020 on; the current month is included so a month-to-date report can
# be run by hand, while the schedule always asks for the previous, complete month.
monthly_partitions = MonthlyPartitionsDefinition(
    start_date="2020-01-01", timezone=CHINA_TZ_NAME, end_offset=1
)
MONTHLY_REPORT_KEY = layer_key("reports", "monthly_consistency_report")

REPORT_TABLE_DDL = """
    create table if not exists reports.monthly_consistency_reports (
        month date primary key,
        generated_at timestamptz not null,
        channels jsonb not null,
        reason_counts jsonb not null,
        misjudgement_cases integer not null,
        html_path text not null,
        files jsonb not null
    )
"""


@asset(
    key=MONTHLY_REPORT_KEY,
    group_name="reports",
    partitions_def=monthly_partitions,
    deps=[
        layer_key("marts", "fct_orders"),
        layer_key("marts", "fct_order_field_presence"),
        layer_key("marts", "fct_reconciliation_diffs"),
        layer_key("marts", "fct_reconciliation_windows"),
    ],
    description="Per channel missing rate, top-3 missing fields, status-misjudgement cases with "
    "their cause, and the drift trend, for one month (China time).",
)
def monthly_consistency_report(
    context: AssetExecutionContext, warehouse: WarehouseResource, outputs: OutputsResource
) -> MaterializeResult:
    month = date.fromisoformat(context.partition_key)
    with warehouse.connect() as conn:
        report = load_monthly_report(conn, month, generated_at=datetime.now(UTC))
        files = render_monthly_report(report, outputs.path() / "reports")
        conn.execute("create schema if not exists reports")
        conn.execute(REPORT_TABLE_DDL)
        conn.execute(
            """
            insert into reports.monthly_consistency_reports
                (month, generated_at, channels, reason_counts, misjudgement_cases, html_path, files)
            values (%s, %s, %s, %s, %s, %s, %s)
            on conflict (month) do update set
                generated_at = excluded.generated_at, channels = excluded.channels,
                reason_counts = excluded.reason_counts,
                misjudgement_cases = excluded.misjudgement_cases,
                html_path = excluded.html_path, files = excluded.files
            """,
            (
                month,
                report.generated_at,
                json.dumps([channel.__dict__ for channel in report.channels]),
                json.dumps(dict(report.reason_counts)),
                len(report.misjudgements),
                str(files.html),
                json.dumps([str(path) for path in files.all]),
            ),
        )
        conn.commit()
    context.log.info(f"monthly consistency report for {month:%Y-%m} written to {files.html}")
    return MaterializeResult(
        metadata={
            "html": MetadataValue.path(str(files.html)),
            "files": MetadataValue.json([str(path) for path in files.all]),
            "misjudgement_cases": len(report.misjudgements),
            "channels": MetadataValue.json(
                {
                    c.channel: {"orders": c.orders, "missing_rate": c.missing_rate}
                    for c in report.channels
                }
            ),
        }
    )

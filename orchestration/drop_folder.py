"""The drop folder: a sensor that imports each new file put in `<drop>/<source>/` exactly once.

The sensor only looks (names, sizes, modification times, kept in its cursor); each new or
changed file, once unchanged for `SETTLE_SECONDS`, becomes one run of `import_dropped_file`,
which lands it through the importer. The importer records each file's SHA-256 with its rows,
so a file dropped twice, renamed or re-sent after a failed run lands once (docs/imports.md).
"""

import json
import time
from pathlib import Path

from dagster import (
    Config,
    DefaultSensorStatus,
    OpExecutionContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    job,
    op,
    sensor,
)

from domain.sources import source_called
from ingest.exports.importer import import_file
from ingest.exports.responses import JSON_SUFFIXES
from ingest.exports.tables import TABLE_SUFFIXES
from orchestration.resources import WarehouseResource
from plumbing.settings import drop_dir


class DroppedFile(Config):
    """One file of the drop folder and the source its subfolder names."""

    path: str
    source: str


@op(description="Import one dropped file into raw (once per content).")
def import_dropped_file_op(
    context: OpExecutionContext, config: DroppedFile, warehouse: WarehouseResource
) -> None:
    source = source_called(config.source)
    with warehouse.connect() as conn:
        summary = import_file(
            conn,
            Path(config.path),
            source,
            progress=lambda done: context.log.info(f"{done:,} objects read"),
        )
    context.log.info(summary.line())
    context.add_output_metadata(
        {
            "landed": summary.landed,
            "native_ids": summary.native_ids,
            "kept_aside": sum(summary.rejected.values()),
            "kept_aside_by_reason": dict(summary.rejected),
            "already_imported": bool(summary.already_imported),
            "layout": summary.layout or "saved API responses",
            "rows": summary.rows,
            "unknown_columns": ", ".join(summary.unknown_columns) or "none",
            "sha256": summary.sha256,
        }
    )


@job(description="Import one file from the drop folder into raw.")
def import_dropped_file():
    import_dropped_file_op()


#: A file modified more recently than this may still be being written: it waits a tick.
SETTLE_SECONDS = 30


def dropped_files(root: Path, *, now: float | None = None) -> dict[str, tuple[str, str]]:
    """Every settled importable file under `root/<source>/`: path -> (source name, size:mtime)."""
    now = time.time() if now is None else now
    found: dict[str, tuple[str, str]] = {}
    if not root.is_dir():
        return found
    for folder in sorted(root.iterdir()):
        try:
            source = source_called(folder.name)
        except ValueError:
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix.lower() in JSON_SUFFIXES + TABLE_SUFFIXES:
                stat = path.stat()
                if now - stat.st_mtime < SETTLE_SECONDS:
                    continue
                found[str(path)] = (source.name, f"{stat.st_size}:{stat.st_mtime_ns}")
    return found


@sensor(
    job=import_dropped_file,
    name="drop_folder_imports",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Imports each new file put in the drop folder (ORDERSIGHT_DROP_DIR, default "
    ".ordersight/drop), one subfolder per source: taobao/, jd/, pdd/, wechat/, u8/, ledger/, "
    "and taobao_refunds/, jd_refunds/, pdd_refunds/, wechat_refunds/ for saved refund responses.",
)
def drop_folder_imports(context: SensorEvaluationContext) -> SensorResult:
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    found = dropped_files(drop_dir())
    requests = [
        RunRequest(
            run_key=f"{path}@{version}",
            run_config={
                "ops": {"import_dropped_file_op": {"config": {"path": path, "source": name}}}
            },
            tags={"ordersight/dropped_file": Path(path).name},
        )
        for path, (name, version) in found.items()
        if seen.get(path) != version
    ]
    cursor = {path: version for path, (_, version) in found.items()}
    return SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))

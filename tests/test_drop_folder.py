"""The drop-folder sensor asks for one import per new or changed settled file, and the import
job lands each content once, however often a file is dropped."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg
import pytest
from dagster import DagsterInstance, SensorResult, build_sensor_context

from orchestration.drop_folder import (
    SETTLE_SECONDS,
    drop_folder_imports,
    dropped_files,
    import_dropped_file,
)
from orchestration.resources import WarehouseResource

ORDER = '{{"order_sn":"261203-{n:03d}","order_status":1,"pay_amount":4.50}}'


def drop(root: Path, folder: str, name: str, text: str, age: float = SETTLE_SECONDS + 5) -> Path:
    path = root / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def tick(cursor: str | None) -> SensorResult:
    with DagsterInstance.ephemeral() as instance:
        return drop_folder_imports(build_sensor_context(instance=instance, cursor=cursor))


def test_each_new_settled_file_is_asked_for_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERSIGHT_DROP_DIR", str(tmp_path))
    first = drop(tmp_path, "pdd", "a.jsonl", ORDER.format(n=1))
    drop(tmp_path, "TB", "b.json", "{}")
    drop(tmp_path, "pdd", "notes.txt", "not a dump")
    drop(tmp_path, "unknown", "c.json", "{}")
    drop(tmp_path, "pdd", "still-writing.jsonl", ORDER.format(n=2), age=0)

    result = tick(None)
    asked = {
        request.run_config["ops"]["import_dropped_file_op"]["config"]["path"]: request
        for request in result.run_requests
    }
    assert set(asked) == {str(first), str(tmp_path / "TB" / "b.json")}
    assert asked[str(first)].run_config["ops"]["import_dropped_file_op"]["config"]["source"] == (
        "pdd"
    )
    assert tick(result.cursor).run_requests == []

    drop(tmp_path, "pdd", "a.jsonl", ORDER.format(n=1) + "\n" + ORDER.format(n=3))
    (again,) = tick(result.cursor).run_requests
    assert again.run_key != asked[str(first)].run_key


def test_nothing_is_found_in_a_missing_folder(tmp_path: Path) -> None:
    assert dropped_files(tmp_path / "none") == {}


@pytest.mark.integration
def test_the_import_job_lands_a_content_once(fresh_db_url: str, tmp_path: Path) -> None:
    path = drop(tmp_path, "pdd", "a.jsonl", "\n".join(ORDER.format(n=n) for n in range(3)))
    copy = drop(tmp_path, "pdd", "copy.jsonl", path.read_text())
    resources = {"warehouse": WarehouseResource(database_url=fresh_db_url)}
    for dropped in (path, copy):
        config = {"path": str(dropped), "source": "pdd"}
        result = import_dropped_file.execute_in_process(
            run_config={"ops": {"import_dropped_file_op": {"config": config}}},
            resources=resources,
        )
        assert result.success
    with psycopg.connect(fresh_db_url) as conn:
        landed = conn.execute("select count(*), count(distinct native_id) from raw.pdd_orders")
        assert landed.fetchone() == (3, 3)
        files = conn.execute("select file_name, landed from raw.imported_files").fetchall()
    assert files == [("a.jsonl", 3)]

"""An ephemeral Great Expectations context with one Postgres datasource.

Shape (docs/stack.md, "Great Expectations 1.x"): ephemeral context -> ``add_postgres`` datasource ->
table or query asset -> whole-table batch definition. Nothing is written to disk. GE is
imported here, lazily, with usage statistics and progress bars off.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from expectations.db import libpq_url
from plumbing.database import sqlalchemy_url

DATASOURCE_NAME = "ordersight_warehouse"


def import_gx() -> ModuleType:
    """``great_expectations``, imported with analytics off unless the caller chose otherwise."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx

    return gx


@dataclass
class GxSession:
    """A GE context plus the warehouse datasource; assets are added on demand."""

    context: Any
    datasource: Any

    def table_batch(self, name: str, *, schema: str, table: str) -> Any:
        """A whole-table batch definition over ``schema.table``."""
        asset = self.datasource.add_table_asset(name, table_name=table, schema_name=schema)
        return asset.add_batch_definition_whole_table(f"{name}__all")

    def query_batch(self, name: str, *, query: str) -> Any:
        """A batch definition over the rows of ``query`` (run on the server by GE)."""
        asset = self.datasource.add_query_asset(name, query=query)
        return asset.add_batch_definition_whole_table(f"{name}__all")

    def close(self) -> None:
        """Release the datasource's pooled connections."""
        engine = getattr(self.datasource, "get_engine", None)
        if engine is not None:
            engine().dispose()


def _ephemeral_context(gx: ModuleType) -> Any:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _add_datasource(context: Any, database_url: str) -> Any:
    url = sqlalchemy_url(libpq_url(database_url))
    try:
        return context.data_sources.add_postgres(DATASOURCE_NAME, connection_string=url)
    except ValueError:
        # GE's Postgres DSN validation rejects valid libpq forms (e.g. no host in the
        # authority, host given as a query parameter); the generic SQL datasource takes any
        # SQLAlchemy URL and runs the same SQL execution engine.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="You are using a generic SQLDatasource")
            return context.data_sources.add_sql(DATASOURCE_NAME, connection_string=url)


@contextmanager
def gx_session(database_url: str) -> Iterator[GxSession]:
    """A fresh ephemeral GE context with the warehouse at ``database_url`` as datasource.

    Raises GE's ``TestConnectionError`` (an ``OSError``) when the database is unreachable.
    """
    gx = import_gx()
    context = _ephemeral_context(gx)
    session = GxSession(context=context, datasource=_add_datasource(context, database_url))
    try:
        yield session
    finally:
        session.close()

"""Resources: the warehouse connection. Its URL comes from the environment (EnvVar) at run time."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from dagster import ConfigurableResource

from ordersight.database import dbt_env


class WarehouseResource(ConfigurableResource):
    """The Postgres warehouse. `database_url` is a secret-bearing URL: never logged."""

    database_url: str

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.database_url, connect_timeout=10)

    @contextmanager
    def dbt_environment(self) -> Iterator[None]:
        """Expose the connection parts to the dbt subprocess (profiles.yml reads them)."""
        parts = dbt_env(self.database_url)
        saved = {name: os.environ.get(name) for name in parts}
        os.environ.update(parts)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

"""Plumbing: settings, source-tree paths, the database URL, the private Postgres, dbt invocation."""

"""Getting data in: platform clients, simulator, landing and key allocation (no Dagster here)."""

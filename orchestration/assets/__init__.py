"""Assets by domain: ingestion (simulated merchant → raw), unified keys, dbt layers."""

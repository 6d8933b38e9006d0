{{ latest_valid_version('stg_ledger__entry_versions') }}

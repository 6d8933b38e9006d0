{{ latest_valid_version('stg_pdd__order_versions') }}

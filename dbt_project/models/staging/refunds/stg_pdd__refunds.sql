{{ latest_valid_version('stg_pdd__refund_versions') }}

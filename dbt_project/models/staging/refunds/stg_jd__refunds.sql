{{ latest_valid_version('stg_jd__refund_versions') }}

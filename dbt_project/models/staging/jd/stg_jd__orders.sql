{{ latest_valid_version('stg_jd__order_versions') }}

{{ latest_valid_version('stg_taobao__refund_versions') }}

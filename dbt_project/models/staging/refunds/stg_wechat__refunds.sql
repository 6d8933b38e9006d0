{{ latest_valid_version('stg_wechat__refund_versions') }}

{{ latest_valid_version('stg_wechat__order_versions') }}

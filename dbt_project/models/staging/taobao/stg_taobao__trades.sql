{{ latest_valid_version('stg_taobao__trade_versions') }}

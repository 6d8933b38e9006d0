{{ latest_valid_version('stg_u8__sales_order_versions') }}

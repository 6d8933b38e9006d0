"""The domain registry: the one home of every domain constant ordersight relies on.

Sources and platforms (`domain.sources`), China time (`domain.china_time`), and the
reconciliation rules' numbers — drift threshold, booking lags, escalation (`domain.rules`).
dbt receives the values it needs as vars built here (`domain.dbt_vars`); nothing below this
package is imported by it, and it imports nothing of ordersight's.
"""

"""ordersight's Dagster code location: assets, checks, jobs, schedules, sensors, resources."""

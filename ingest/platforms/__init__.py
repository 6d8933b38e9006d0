"""Platform order sources: payload contracts (docs/payloads.md) and, later, their API clients."""

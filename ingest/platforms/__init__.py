"""Platform order sources: native payload contracts (PAYLOADS.md) and, later, their API clients."""

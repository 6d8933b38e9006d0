"""The ASGI app: courier push endpoints and health (docs/tracking.md)."""

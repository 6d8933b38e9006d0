"""Courier tracking in: push parsers, their authentication, polling, manual entries, storage."""

"""Local stand-ins for external services (Feishu/Lark bots, the Slack Web API) for tests."""

"""Outbox delivery: live stream, webhooks, e-mail and escalation (docs/notifications.md)."""

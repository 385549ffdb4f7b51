"""Deliveries: one event to one recipient over one channel, as its agency's admin sees it."""

from __future__ import annotations

from commonground.api.schemas.common import TIME_EXAMPLE, Instant, Public, described, next_cursor


class DeliveryPublic(Public):
    id: int = described("The delivery's id (for `POST /deliveries/{id}/redeliver`).", 42)
    event_seq: int = described("The event it carries (its sequence number).", 1234)
    channel: str = described("`webhook`, `email`, `tak` or `cad`.", "webhook")
    to: str = described(
        "The agency's own target: the webhook or CAD URL, the address, or the TAK server (`tls://host:port`).",
        "https://cad.example.org/hook",
    )
    status: str = described("`pending`, `sent` or `failed` (out of retries).", "failed")
    attempts: int = described("Sends tried since it was made or last redelivered.", 12)
    created_at: Instant = described("When it was made.", TIME_EXAMPLE)
    sent_at: Instant | None = described("When the receiver accepted it.", None)
    next_attempt_at: Instant | None = described("When it is tried next; null when sent or failed.", None)
    failing_since: Instant | None = described("When it was raised as `delivery.failing`, if it was.", TIME_EXAMPLE)
    last_error: str | None = described("Why the last attempt failed.", "HTTP 503")


class DeliveriesPublic(Public):
    items: list[DeliveryPublic] = described("Deliveries with the status asked for, newest first.", [])
    next: str | None = next_cursor()

"""Notification channels: an agency's webhooks and e-mail addresses, and the watch center's."""

from __future__ import annotations

from commonground.api.schemas.common import Public, Strict, described

EVENTS = "Event names to send (`conflict.created`, `notice.created`, …); empty for all."


class WebhookIn(Strict):
    url: str = described("HTTPS endpoint that receives signed POSTs.", "https://cad.example.org/hook", max_length=500)
    events: list[str] = described(EVENTS, ["conflict.created"], default_factory=list)
    secret: str | None = described(
        "Signing secret; generated when absent, kept when the URL is unchanged.",
        None,
        default=None,
        min_length=16,
        max_length=128,
    )


class EmailIn(Strict):
    address: str = described("Where to send.", "duty@example.org", max_length=254)
    events: list[str] = described(EVENTS, [], default_factory=list)


class ChannelsBody(Strict):
    webhooks: list[WebhookIn] = described("All webhooks; replaces the old list.", [], default_factory=list)
    emails: list[EmailIn] = described("All e-mail addresses; replaces the old list.", [], default_factory=list)


class WebhookPublic(Public):
    url: str = described("HTTPS endpoint.", "https://cad.example.org/hook")
    events: list[str] = described("Event names sent; empty for all.", ["conflict.created"])
    secret_set: bool = described("A signing secret is set.", True)
    secret: str | None = described("The signing secret, only in the answer to setting it.", None, default=None)


class EmailPublic(Public):
    address: str = described("Where it sends.", "duty@example.org")
    events: list[str] = described("Event names sent; empty for all.", [])


class ChannelsPublic(Public):
    webhooks: list[WebhookPublic] = described("Webhooks.", [])
    emails: list[EmailPublic] = described("E-mail addresses.", [])


class ChannelTestResult(Public):
    url: str = described("The webhook sent to.", "https://cad.example.org/hook")
    delivered: bool = described("It answered 2xx.", True)
    error: str | None = described("Why it was not delivered, or null.", None)


class ChannelTestPublic(Public):
    results: list[ChannelTestResult] = described("One result per webhook of the agency.", [])

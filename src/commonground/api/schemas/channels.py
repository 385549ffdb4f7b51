"""Notification channels: an agency's webhooks, e-mail, TAK servers and CAD endpoints, and the watch center's."""

from __future__ import annotations

from typing import Any

from pydantic import StrictBool

from commonground.api.schemas.common import Instant, Public, Strict, described


def rotation_ends() -> Any:
    return described(
        "During a secret rotation: until when the replaced secret still signs beside the new one (two "
        "`webhook-signature` values); absent otherwise.",
        None,
        default=None,
    )


EVENTS = "Event names to send (`conflict.created`, `notice.created`, …); empty for all."


def signing_secret() -> Any:
    """The optional signing secret of a webhook or CAD endpoint, as both take it."""
    return described(
        "Signing secret; generated when absent, kept when the URL is unchanged.",
        None,
        default=None,
        min_length=16,
        max_length=128,
    )


class WebhookIn(Strict):
    url: str = described("HTTPS endpoint that receives signed POSTs.", "https://cad.example.org/hook", max_length=500)
    events: list[str] = described(EVENTS, ["conflict.created"], default_factory=list)
    secret: str | None = signing_secret()


class EmailIn(Strict):
    address: str = described("Where to send.", "duty@example.org", max_length=254)
    events: list[str] = described(EVENTS, [], default_factory=list)


TAK_EVENTS = (
    "Event names whose operations are sent (`conflict.created`, `notice.created`, `lookup.nearby`, …); empty for all."
)
CAD_EVENTS = "`cad.alert.created`, `cad.alert.updated`, `cad.alert.expired`; empty for all."


class TakIn(Strict):
    host: str = described("The TAK server's host name or address.", "tak.example.org", max_length=253)
    port: int = described("Its CoT streaming input port.", 8089)
    tls: StrictBool = described("Connect with TLS (the server's certificate is checked).", True, default=False)
    events: list[str] = described(TAK_EVENTS, [], default_factory=list)


class CadIn(Strict):
    url: str = described(
        "CAD endpoint that receives signed premise alerts.", "https://cad.example.org/alerts", max_length=500
    )
    events: list[str] = described(CAD_EVENTS, [], default_factory=list)
    secret: str | None = signing_secret()


class ChannelsBody(Strict):
    webhooks: list[WebhookIn] = described("All webhooks; replaces the old list.", [], default_factory=list)
    emails: list[EmailIn] = described("All e-mail addresses; replaces the old list.", [], default_factory=list)
    tak: list[TakIn] = described(
        "All TAK servers (agencies only); replaces the old list. Absent: kept as they are.", [], default_factory=list
    )
    cad: list[CadIn] = described(
        "All CAD premise-alert endpoints (agencies only); replaces the old list. Absent: kept.",
        [],
        default_factory=list,
    )


class WebhookPublic(Public):
    url: str = described("HTTPS endpoint.", "https://cad.example.org/hook")
    events: list[str] = described("Event names sent; empty for all.", ["conflict.created"])
    secret_set: bool = described("A signing secret is set.", True)
    secret: str | None = described("The signing secret, only in the answer to setting it.", None, default=None)
    previous_secret_until: Instant | None = rotation_ends()


class EmailPublic(Public):
    address: str = described("Where it sends.", "duty@example.org")
    events: list[str] = described("Event names sent; empty for all.", [])


class TakPublic(Public):
    host: str = described("The TAK server's host.", "tak.example.org")
    port: int = described("Its CoT input port.", 8089)
    tls: bool = described("Connected with TLS.", True)
    events: list[str] = described("Event names whose operations are sent; empty for all.", [])


class CadPublic(Public):
    url: str = described("CAD endpoint.", "https://cad.example.org/alerts")
    events: list[str] = described("Alert events sent; empty for all.", [])
    secret_set: bool = described("A signing secret is set.", True)
    secret: str | None = described("The signing secret, only in the answer to setting it.", None, default=None)
    previous_secret_until: Instant | None = rotation_ends()


class ChannelsPublic(Public):
    webhooks: list[WebhookPublic] = described("Webhooks.", [])
    emails: list[EmailPublic] = described("E-mail addresses.", [])
    tak: list[TakPublic] = described("TAK servers, sent CoT events of operations' areas.", [])
    cad: list[CadPublic] = described("CAD endpoints, sent signed premise alerts.", [])


class ChannelTestResult(Public):
    url: str = described("The webhook or CAD endpoint sent to.", "https://cad.example.org/hook")
    delivered: bool = described("It answered 2xx.", True)
    error: str | None = described("Why it was not delivered, or null.", None)


class ChannelTestPublic(Public):
    results: list[ChannelTestResult] = described("One result per webhook and CAD endpoint of the agency.", [])

"""Where an agency hears of events: its webhooks, e-mail addresses, TAK servers and CAD endpoints, per event kind."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commonground.audit.keyed import Keyed
from commonground.audit.tags import Action
from commonground.domain.errors import DeliveryError, InvalidInput, NotFound, NotPermitted
from commonground.domain.notifications import (
    CAD_EVENTS,
    SECRET_ROLLOVER,
    TAK_EVENTS,
    Channel,
    ChannelKind,
    check_tak_host,
    check_tak_port,
    check_webhook_url,
    parse_tak_target,
    tak_target,
)
from commonground.domain.permissions import Permission
from commonground.domain.timewindow import isoformat
from commonground.service.clock import new_id
from commonground.service.events import EventKind
from commonground.service.ports import Clock, Store, WebhookSender
from commonground.service.principal import Principal

MAX_CHANNELS = 20
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KINDS = frozenset(k.value for k in EventKind)


def _events(value: Any, field: str, known: frozenset[str] = KINDS) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(field, "must be a list of event kinds")
    unknown = sorted(set(value) - known)
    if unknown:
        raise InvalidInput(field, f"unknown event kinds: {', '.join(unknown)}")
    return frozenset(value)


def channels_public(found: list[Channel], *, show_secrets: bool, now: datetime | None = None) -> dict[str, Any]:
    """The channel settings as the API shows them; a webhook's or CAD's secret only right after it was set,
    and, at ``now``, until when a rotated-out secret still signs."""
    shown: dict[str, list[dict[str, Any]]] = {"webhooks": [], "emails": [], "tak": [], "cad": []}
    for ch in found:
        if ch.kind in (ChannelKind.WEBHOOK, ChannelKind.CAD):
            hook: dict[str, Any] = {"url": ch.target, "events": sorted(ch.events), "secret_set": bool(ch.secret)}
            if show_secrets:
                hook["secret"] = ch.secret
            if now is not None and ch.rollover(now):
                hook["previous_secret_until"] = isoformat(ch.previous_until)  # type: ignore[arg-type]
            shown["webhooks" if ch.kind is ChannelKind.WEBHOOK else "cad"].append(hook)
        elif ch.kind is ChannelKind.TAK:
            host, port, tls = parse_tak_target(ch.target)
            shown["tak"].append({"host": host, "port": port, "tls": tls, "events": sorted(ch.events)})
        else:
            shown["emails"].append({"address": ch.target, "events": sorted(ch.events)})
    return shown


def _rollover(kept: Channel | None, secret: str, now: datetime) -> tuple[str | None, datetime | None]:
    """A replaced secret keeps signing for ``SECRET_ROLLOVER``; an unchanged one keeps a rollover under way."""
    if kept is None or kept.secret is None:
        return None, None
    if kept.secret != secret:
        return kept.secret, now + SECRET_ROLLOVER
    return (kept.previous_secret, kept.previous_until) if kept.rollover(now) else (None, None)


def _signed(
    items: list[Any],
    field: str,
    kind: ChannelKind,
    old: dict[tuple[ChannelKind, str], Channel],
    known: frozenset[str],
    now: datetime,
) -> list[tuple[str, frozenset[str], str, tuple[str | None, datetime | None]]]:
    """Check signed POST channels (webhooks, CAD): each URL, its secret (kept for an unchanged URL), events and
    the rollover of a replaced secret."""
    found = []
    for i, hook in enumerate(items):
        url = str(hook.get("url") or "")
        try:
            check_webhook_url(url)
        except ValueError as exc:
            raise InvalidInput(f"{field}.{i}.url", str(exc)) from exc
        kept = old.get((kind, url))
        secret = hook.get("secret") or (kept.secret if kept else None) or secrets.token_urlsafe(32)
        if len(str(secret)) < 16:
            raise InvalidInput(f"{field}.{i}.secret", "must be at least 16 characters")
        events = _events(hook.get("events"), f"{field}.{i}.events", known)
        found.append((url, events, str(secret), _rollover(kept, str(secret), now)))
    return found


def _tak(items: list[Any]) -> list[tuple[str, frozenset[str]]]:
    """Check TAK servers: host, port, whether TLS is used, and the events (those that concern operations)."""
    found = []
    for i, server in enumerate(items):
        try:
            host = check_tak_host(server.get("host"))
        except ValueError as exc:
            raise InvalidInput(f"tak.{i}.host", str(exc)) from exc
        try:
            port = check_tak_port(server.get("port"))
        except ValueError as exc:
            raise InvalidInput(f"tak.{i}.port", str(exc)) from exc
        tls = server.get("tls", False)
        if not isinstance(tls, bool):
            raise InvalidInput(f"tak.{i}.tls", "must be true or false")
        found.append((tak_target(host, port, tls), _events(server.get("events"), f"tak.{i}.events", TAK_EVENTS)))
    return found


@dataclass
class Channels:
    store: Store
    clock: Clock

    def _owner(self, who: Principal, agency_id: str | None) -> None:
        if agency_id is None:
            if not who.may(Permission.INSTALLATION_ADMIN):
                raise NotPermitted("the installation admin sets the watch center's channels")
        elif not who.may(Permission.AGENCY_ADMIN) or who.agency.id != agency_id:
            raise NotFound("no such agency's channels")

    def get(self, who: Principal, agency_id: str | None) -> dict[str, Any]:
        self._owner(who, agency_id)
        with self.store.read() as tx:
            return channels_public(tx.channels.of_agency(agency_id), show_secrets=False, now=self.clock.now())

    def put(self, who: Principal, agency_id: str | None, body: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the channels; a webhook or CAD endpoint keeps its secret unless a new one is given.

        ``tak`` and ``cad`` absent keep those channels as they are: a client written before they
        existed (webhooks and e-mail only) must not remove what another admin set up."""
        self._owner(who, agency_id)
        now = self.clock.now()
        hooks, mails = body.get("webhooks") or [], body.get("emails") or []
        taks, cads = body.get("tak") or [], body.get("cad") or []
        for field, items in (("tak", taks), ("cad", cads)):
            if items and agency_id is None:
                raise InvalidInput(field, "the watch center has no TAK or CAD channels; an agency's admin sets them")
        untouched = {kind for kind, field in ((ChannelKind.TAK, "tak"), (ChannelKind.CAD, "cad")) if field not in body}
        with self.store.write() as tx:
            old = {(ch.kind, ch.target): ch for ch in tx.channels.of_agency(agency_id)}
            kept = [ch for ch in old.values() if ch.kind in untouched]
            if len(hooks) + len(mails) + len(taks) + len(cads) + len(kept) > MAX_CHANNELS:
                raise InvalidInput("webhooks", f"at most {MAX_CHANNELS} channels")
            wanted: list[Channel] = []
            staying = dict(old)

            def same(kind: ChannelKind, target: str) -> tuple[str, datetime]:
                """A channel that stays keeps its id and age (its pending deliveries find it by id), once."""
                kept = staying.pop((kind, target), None)
                return (kept.id, kept.created_at) if kept else (new_id(), now)

            for kind, field, items, known in (
                (ChannelKind.WEBHOOK, "webhooks", hooks, KINDS),
                (ChannelKind.CAD, "cad", cads, CAD_EVENTS),
            ):
                for url, events, secret, (previous, until) in _signed(items, field, kind, old, known, now):
                    ident, since = same(kind, url)
                    wanted.append(Channel(ident, agency_id, kind, url, events, secret, since, previous, until))
            for target, events in _tak(taks):
                ident, since = same(ChannelKind.TAK, target)
                wanted.append(Channel(ident, agency_id, ChannelKind.TAK, target, events, None, since))
            for i, mail in enumerate(mails):
                address = str(mail.get("address") or "")
                if not EMAIL.match(address) or len(address) > 254:
                    raise InvalidInput(f"emails.{i}.address", "must be an e-mail address")
                ident, since = same(ChannelKind.EMAIL, address)
                events = _events(mail.get("events"), f"emails.{i}.events")
                wanted.append(Channel(ident, agency_id, ChannelKind.EMAIL, address, events, None, since))
            tx.channels.set(agency_id, [*wanted, *kept])
            tx.audit.append(
                who.entry(
                    Action.CHANNELS_UPDATE,
                    object_type="agency",
                    object_id=agency_id,
                    channels=[{"kind": c.kind.value, "target": Keyed(c.target)} for c in [*wanted, *kept]],
                ),
                now,
            )
        shown = channels_public(wanted, show_secrets=True, now=now)
        unchanged = channels_public(kept, show_secrets=False, now=now)
        return {key: [*shown[key], *unchanged[key]] for key in shown}

    def send_test(self, who: Principal, agency_id: str, webhooks: WebhookSender) -> dict[str, Any]:
        """Send a ``test`` event to each of the agency's webhooks and CAD endpoints now, so its admin sees the
        signature work.

        The body holds no operation, only the agency's id: nothing is disclosed by a test."""
        self._owner(who, agency_id)
        now = self.clock.now()
        with self.store.read() as tx:
            signed = (ChannelKind.WEBHOOK, ChannelKind.CAD)
            hooks = [ch for ch in tx.channels.of_agency(agency_id) if ch.kind in signed]
        results: list[dict[str, Any]] = []
        for ch in hooks:
            key = f"test:{new_id()}"
            body = {
                "id": key,
                "event": "test",
                "seq": 0,
                "created_at": isoformat(now),
                "data": {"agency_id": agency_id},
            }
            try:
                webhooks.send(ch.target, ch.secret or "", json.dumps(body).encode(), key, ch.rollover(now))
                results.append({"url": ch.target, "delivered": True, "error": None})
            except DeliveryError as failed:
                results.append({"url": ch.target, "delivered": False, "error": str(failed)})
        with self.store.write() as tx:
            tx.audit.append(
                who.entry(
                    Action.CHANNELS_TEST,
                    object_type="agency",
                    object_id=agency_id,
                    delivered=sum(1 for r in results if r["delivered"]),
                    failed=sum(1 for r in results if not r["delivered"]),
                ),
                now,
            )
        return {"results": results}

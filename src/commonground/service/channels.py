"""Where an agency hears of events: its webhooks and e-mail addresses, per event kind."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commonground.audit.keyed import Keyed
from commonground.audit.tags import Action
from commonground.domain.errors import InvalidInput, NotFound, NotPermitted
from commonground.domain.notifications import SECRET_ROLLOVER, Channel, ChannelKind, check_webhook_url
from commonground.domain.permissions import Permission
from commonground.service.clock import new_id
from commonground.service.events import EventKind
from commonground.service.ports import Clock, Store
from commonground.service.principal import Principal

MAX_CHANNELS = 20
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KINDS = frozenset(k.value for k in EventKind)


def _events(value: Any, field: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(field, "must be a list of event kinds")
    unknown = sorted(set(value) - KINDS)
    if unknown:
        raise InvalidInput(field, f"unknown event kinds: {', '.join(unknown)}")
    return frozenset(value)


def channels_public(found: list[Channel], *, show_secrets: bool) -> dict[str, Any]:
    """The channel settings as the API shows them; a webhook secret only right after it was set."""
    hooks, mails = [], []
    for ch in found:
        if ch.kind is ChannelKind.WEBHOOK:
            hook: dict[str, Any] = {"url": ch.target, "events": sorted(ch.events), "secret_set": bool(ch.secret)}
            if show_secrets:
                hook["secret"] = ch.secret
            hooks.append(hook)
        else:
            mails.append({"address": ch.target, "events": sorted(ch.events)})
    return {"webhooks": hooks, "emails": mails}


def _rollover(kept: Channel | None, secret: str, now: datetime) -> tuple[str | None, datetime | None]:
    """A replaced secret keeps signing for ``SECRET_ROLLOVER``; an unchanged one keeps any rollover under way."""
    if kept is None or kept.secret is None:
        return None, None
    if kept.secret != secret:
        return kept.secret, now + SECRET_ROLLOVER
    return (kept.previous_secret, kept.previous_until) if kept.rollover(now) else (None, None)


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
            return channels_public(tx.channels.of_agency(agency_id), show_secrets=False)

    def put(self, who: Principal, agency_id: str | None, body: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the channels; a webhook keeps its secret unless a new one is given."""
        self._owner(who, agency_id)
        now = self.clock.now()
        hooks, mails = body.get("webhooks") or [], body.get("emails") or []
        if len(hooks) + len(mails) > MAX_CHANNELS:
            raise InvalidInput("webhooks", f"at most {MAX_CHANNELS} channels")
        with self.store.write() as tx:
            old = {ch.target: ch for ch in tx.channels.of_agency(agency_id) if ch.kind is ChannelKind.WEBHOOK}
            wanted: list[Channel] = []
            for i, hook in enumerate(hooks):
                url = str(hook.get("url") or "")
                try:
                    check_webhook_url(url)
                except ValueError as exc:
                    raise InvalidInput(f"webhooks.{i}.url", str(exc)) from exc
                kept = old.get(url)
                secret = hook.get("secret") or (kept.secret if kept else None) or secrets.token_urlsafe(32)
                if len(str(secret)) < 16:
                    raise InvalidInput(f"webhooks.{i}.secret", "must be at least 16 characters")
                previous, until = _rollover(kept, str(secret), now)
                wanted.append(
                    Channel(
                        new_id(),
                        agency_id,
                        ChannelKind.WEBHOOK,
                        url,
                        _events(hook.get("events"), f"webhooks.{i}.events"),
                        str(secret),
                        now,
                        previous,
                        until,
                    )
                )
            for i, mail in enumerate(mails):
                address = str(mail.get("address") or "")
                if not EMAIL.match(address) or len(address) > 254:
                    raise InvalidInput(f"emails.{i}.address", "must be an e-mail address")
                wanted.append(
                    Channel(
                        new_id(),
                        agency_id,
                        ChannelKind.EMAIL,
                        address,
                        _events(mail.get("events"), f"emails.{i}.events"),
                        None,
                        now,
                    )
                )
            tx.channels.set(agency_id, wanted)
            tx.audit.append(
                who.entry(
                    Action.CHANNELS_UPDATE,
                    object_type="agency",
                    object_id=agency_id,
                    channels=[{"kind": c.kind.value, "target": Keyed(c.target)} for c in wanted],
                ),
                now,
            )
        return channels_public(wanted, show_secrets=True)

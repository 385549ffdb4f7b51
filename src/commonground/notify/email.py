"""E-mail through SMTP (STARTTLS, TLS or plain on a trusted relay): plain text and HTML."""

from __future__ import annotations

import html
import re
import smtplib
import ssl
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

from commonground.domain.errors import DeliveryError
from commonground.domain.local_time import shown
from commonground.domain.sensitive import places_line

SUBJECTS = {
    "conflict.created": "Deconfliction: another operation is near yours",
    "conflict.updated": "Deconfliction: a conflict changed",
    "conflict.escalated": "ESCALATION: a conflict is not acknowledged",
    "conflict.urgent": "URGENT: unacknowledged conflict, operation about to start",
    "notice.created": "Notice: another agency is operating in your jurisdiction",
    "notice.responded": "Notice answered: a host agency responded about your operation",
    "incident.reported": "CRITICAL INCIDENT during an operation in or near your area",
    "incident.acknowledged": "Incident acknowledged: another agency has your incident report",
    "incident.escalated": "ESCALATION: a critical incident is not acknowledged",
    "lookup.nearby": "Dispatch: local units are being sent near your operation",
    "verify.nearby": "On scene: a local officer is verifying your team",
    "lookup.sweep_suspected": "ALERT: look-ups are sweeping the area of your operations",
    "federation.unchecked": "Deconfliction: another installation could not be checked",
    "federation.checked": "Deconfliction: another installation has now been checked",
}


def tel(phone: str) -> str:
    """Return a ``tel:`` URI: digits and a leading plus only."""
    digits = re.sub(r"[^\d+]", "", phone)
    return "tel:" + (digits[0] + digits[1:].replace("+", "") if digits else "")


def _parties(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The disclosed operations (or case targets) the message is about: counterpart, both sides, or the noticed one."""
    for key in ("counterpart", "counterpart_case"):
        if isinstance(data.get(key), dict):
            yield data[key]
    for side in data.get("sides") or ():
        yield side.get("operation") or side["case"]
    if isinstance(data.get("operation"), dict):
        yield data["operation"]


def compose(body: dict[str, Any], zone: str | None = None) -> tuple[str, str, str]:
    """Return (subject, plain text, HTML) for a rendered envelope; nothing beyond the view.

    Times are shown in ``zone`` (the recipient agency's) with their offset; the view's JSON keeps ISO 8601."""
    kind, data = str(body["event"]), body["data"]
    subject = SUBJECTS.get(kind, f"Common Ground: {kind}")
    lines = [subject, ""]
    parts = [f"<h2>{html.escape(subject)}</h2>"]
    if data.get("sensitive_places"):  # the host reads this before anything else of the notice
        places = places_line(data["sensitive_places"])
        lines += [places, ""]
        parts.append(f"<p><b>{html.escape(places)}</b></p>")
    if data.get("distance_m") is not None:
        lines.append(f"Distance: {data['distance_m']:.0f} m")
        parts.append(f"<p>Distance: {data['distance_m']:.0f} m</p>")
    if kind == "lookup.nearby":
        where = f" of installation {data['by_installation']}" if data.get("by_installation") else ""
        text = (
            f"{data.get('by_agency')} ({data.get('by_ori')}){where} dispatch is sending units"
            f" {data.get('distance_m')} m away."
        )
        lines.append(text)
        parts.append(f"<p>{html.escape(text)}</p>")
    if kind in ("federation.unchecked", "federation.checked", "verify.nearby") and data.get("message"):
        text = f"Operation {data.get('operation_id')}: {data['message']}."
        lines.append(text)
        parts.append(f"<p>{html.escape(text)}</p>")
    if kind.startswith("incident.") and data.get("kind"):
        help_wanted = "ASSISTANCE REQUESTED" if data.get("assistance_requested") else "no assistance requested"
        lon, lat = (data.get("location") or {}).get("coordinates") or ("?", "?")
        text = f"{data['kind']} at {shown(data.get('at'), zone)}, at {lat}, {lon}: {help_wanted}."
        lines.append(text)
        parts.append(f"<p><b>{html.escape(text)}</b></p>")
        lines.append(f"Acknowledge with POST /api/v1/incidents/{data.get('id')}/acknowledge")
    if kind == "lookup.sweep_suspected":
        text = (
            f"{data.get('by_agency')} ({data.get('by_ori')}): {data.get('lookups')} look-ups over {data.get('cells')}"
            f" grid cells within {data.get('minutes')} minutes (by one {data.get('scope')})."
        )
        lines.append(text)
        parts.append(f"<p>{html.escape(text)}</p>")
    for party in _parties(data):
        agency, contact = party.get("agency", {}), party.get("contact", {})
        window = party.get("window", {})
        who = f"{agency.get('name')} ({agency.get('ori')})"
        if isinstance(party.get("installation"), dict):  # an operation of a peer installation: say whose
            who += f" of installation {party['installation'].get('name')}"
        phone = str(contact.get("phone") or "")
        when = f"{shown(window.get('starts_at'), zone)} to {shown(window.get('ends_at'), zone)}"
        if not window:  # a case target (docs/targets.md): no place, no time but its life
            when = f"case target, matched until {shown(party.get('expires_at'), zone)}"
        lines += [
            f"Agency: {who}",
            f"Contact: {contact.get('name')}, {phone} ({tel(phone)})",
            f"Radio: {contact.get('radio') or '-'}",
            f"When: {when}",
            "",
        ]
        parts.append(
            f"<p><b>{html.escape(who)}</b><br>Contact: {html.escape(str(contact.get('name')))}, "
            f'<a href="{html.escape(tel(phone))}">{html.escape(phone)}</a><br>'
            f"Radio: {html.escape(str(contact.get('radio') or '-'))}<br>"
            f"When: {html.escape(when)}</p>"
        )
    if data.get("id") and kind.startswith("conflict."):
        lines.append(f"Conflict {data['id']}: acknowledge with POST /api/v1/conflicts/{data['id']}/ack")
        parts.append(f"<p>Conflict {html.escape(str(data['id']))}</p>")
    lines.append(f"Reference: {body['id']}")
    parts.append(f"<p><small>Reference: {html.escape(str(body['id']))}</small></p>")
    return subject, "\n".join(lines) + "\n", "<html><body>" + "".join(parts) + "</body></html>"


class SmtpEmailSender:
    """Send one envelope as a multipart message; a refused recipient is final, anything else is retried."""

    def __init__(
        self, host: str, port: int, security: str, username: str, password: str, sender: str, timeout_s: float
    ) -> None:
        if security not in ("starttls", "tls", "none"):
            raise ValueError("smtp_security must be starttls, tls or none")
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.sender, self.timeout_s = username, password, sender, timeout_s

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def send(self, to: str, body: dict[str, Any], key: str, zone: str | None = None) -> None:
        if not self.configured:
            raise DeliveryError("no SMTP server is configured (COMMONGROUND_SMTP_HOST)")
        subject, text, markup = compose(body, zone)
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Message-ID"] = f"<{key.replace(':', '.')}@commonground>"  # the same on a retry
        message.set_content(text)
        message.add_alternative(markup, subtype="html")
        context = ssl.create_default_context()
        try:
            smtp: smtplib.SMTP
            if self.security == "tls":
                smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s, context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=context)
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc}", retry=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Nothing to release: each send opens and closes its own connection."""

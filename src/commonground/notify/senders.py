"""Stand-in senders chosen by settings: ``null`` drops with a log line, ``recording`` keeps what was sent.

A demo or an air-gapped node must never call out, and a test wants to read what would have gone;
both implement the same ports as the real HTTP and SMTP senders (``service.ports``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Sent:
    """One send a recording sender kept: where to, its idempotency key, and the JSON body."""

    channel: str
    target: str
    key: str
    body: dict[str, Any]


class NullSender:
    """Drop every send with a log line; ``channel`` names it in the log."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def drop(self, target: str, key: str) -> None:
        log.info("%s to %s dropped by the null sender (%s)", self.channel, target, key)

    def close(self) -> None:
        """Nothing to release."""


class NullWebhookSender(NullSender):
    def __init__(self) -> None:
        super().__init__("webhook")

    def send(self, url: str, secret: str, body: bytes, key: str, also: Sequence[str] = ()) -> None:
        self.drop(url, key)


class NullEmailSender(NullSender):
    def __init__(self) -> None:
        super().__init__("email")

    def send(self, to: str, body: dict[str, Any], key: str, zone: str | None = None) -> None:
        self.drop(to, key)


@dataclass
class Recorder:
    """Keep every send in memory, in order (sends run on several threads, hence the lock)."""

    channel: str
    sent: list[Sent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def keep(self, target: str, key: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.sent.append(Sent(self.channel, target, key, body))

    def close(self) -> None:
        """Nothing to release; what was sent stays readable."""


class RecordingWebhookSender(Recorder):
    def __init__(self) -> None:
        super().__init__("webhook")

    def send(self, url: str, secret: str, body: bytes, key: str, also: Sequence[str] = ()) -> None:
        self.keep(url, key, json.loads(body))


class RecordingEmailSender(Recorder):
    def __init__(self) -> None:
        super().__init__("email")

    def send(self, to: str, body: dict[str, Any], key: str, zone: str | None = None) -> None:
        self.keep(to, key, body)


class NullTakSender(NullSender):
    def __init__(self) -> None:
        super().__init__("tak")

    def send(self, target: str, events: Sequence[bytes], key: str) -> None:
        self.drop(target, key)


class RecordingTakSender(Recorder):
    """Keep each delivery's CoT events as text, under ``body["cot"]``."""

    def __init__(self) -> None:
        super().__init__("tak")

    def send(self, target: str, events: Sequence[bytes], key: str) -> None:
        self.keep(target, key, {"cot": [e.decode() for e in events]})

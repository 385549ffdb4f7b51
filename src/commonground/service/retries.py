"""Safe retries: claim an ``Idempotency-Key``, keep the first answer, hand it back to a retry."""

from __future__ import annotations

from dataclasses import dataclass

from commonground.domain.errors import InvalidInput, StateConflict
from commonground.domain.retries import HEADER, Replay, is_abandoned, is_expired
from commonground.service.ports import Clock, Store


@dataclass
class Retries:
    store: Store
    clock: Clock

    def claim(self, owner: str, key: str, fingerprint: str) -> Replay | None:
        """Return the kept answer to replay, or None once the key is claimed for this request to run.

        The claim is written before the work so a second process retrying at once finds it."""
        now = self.clock.now()
        with self.store.write() as tx:
            found = tx.replays.get(owner, key)
            if found is not None and (
                is_expired(found, now) or (is_abandoned(found, now) and found.fingerprint == fingerprint)
            ):
                tx.replays.remove(owner, key)  # past its day, or left by a process that died mid-request
                found = None
            if found is None:
                if tx.replays.add(Replay(owner, key, fingerprint, None, b"", "", now)):
                    return None
                found = tx.replays.get(owner, key)  # another process claimed it a moment ago
        if found is None:
            raise StateConflict(f"{HEADER}: the first request with this key is still under way; retry shortly")
        if found.fingerprint != fingerprint:
            raise InvalidInput(HEADER, "was already used with a different request; use a new key")
        if found.status is None:
            raise StateConflict(f"{HEADER}: the first request with this key is still under way; retry shortly")
        return found

    def keep(self, owner: str, key: str, status: int, body: bytes, content_type: str) -> None:
        """Keep the first answer with its key (both stores, so any process can replay it)."""
        with self.store.write() as tx:
            tx.replays.complete(owner, key, status, body, content_type)

    def release(self, owner: str, key: str) -> None:
        """Forget a claim whose request failed on the server's side: a retry should run again."""
        with self.store.write() as tx:
            tx.replays.remove(owner, key)

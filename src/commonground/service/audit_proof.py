"""Signed checkpoints of the audit log: signing them, verifying against them, proving, pruning.

The quick verdict (every auditor page and ``GET /api/v1/audit``) starts from the latest signed
checkpoint and checks only what came after it, so its cost does not grow with the log; the
full walk (``audit verify``) re-hashes every kept record against every checkpoint, stored or held.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from commonground.audit.chain import GENESIS, AuditEntry, seal
from commonground.audit.checkpoints import Checkpoint, SignatureCheck, read_exported, signed_text
from commonground.audit.merkle import Subtrees, extend, frontier_blocks, record_leaf, root_of
from commonground.audit.proofs import ProofVerdict, check_any, consistency_document, proof_document
from commonground.audit.tags import Action, Outcome
from commonground.audit.verify import Verdict, verify_chain, verify_log
from commonground.domain.errors import InvalidInput, NotFound, StateConflict
from commonground.domain.timewindow import isoformat
from commonground.service.ports import Clock, Notary, Store, Transaction

MIN_RETENTION_DAYS = 365


@dataclass
class Ledger:
    store: Store
    clock: Clock
    notary: Notary
    every_records: int = 1000
    every_minutes: float = 60.0
    retention_days: int = MIN_RETENTION_DAYS

    def keep_after(self) -> datetime:
        """Records signed for after this instant must still be there."""
        return self.clock.now() - timedelta(days=self.retention_days)

    def _sign(self, size: int, frontier: Sequence[bytes], last_hash: str) -> Checkpoint:
        now = self.clock.now()
        at = now.replace(microsecond=now.microsecond // 1000 * 1000)
        root = root_of(frontier).hex()
        text = signed_text(size, root, at, last_hash)
        public_key, signature = self.notary.public_key(), self.notary.sign(text)
        return Checkpoint(size, root, at, last_hash, public_key, signature, tuple(h.hex() for h in frontier))

    def _keep(self, checkpoint: Checkpoint) -> Checkpoint:
        with self.store.write() as tx:
            tx.checkpoints.add(checkpoint)
            kept = tx.checkpoints.get(checkpoint.tree_size)
        return kept or checkpoint

    def checkpoint(self, force: bool = False) -> Checkpoint | None:
        """Sign the records since the last checkpoint when N records or M minutes are due (or ``force``).

        Return the newest checkpoint (None when none is due); refuse when the chain since the
        last one does not verify: a broken log is never signed.
        """
        self.notary.public_key()  # load the key before any unit: it may be read from the store
        with self.store.read() as tx:
            latest = tx.checkpoints.latest()
            size = latest.tree_size if latest else 0
            prev = latest.last_hash if latest else GENESIS
            frontier = [bytes.fromhex(h) for h in latest.frontier] if latest else []
            tail = verify_chain(tx.audit.since(size), size + 1, prev)
            if not tail.intact:
                raise StateConflict(f"audit chain broken since the last checkpoint: {tail.problem}")
            if tail.checked:
                frontier, _ = extend(frontier, size, (record_leaf(h) for h in tx.audit.hashes(size, tail.tree_size)))
        due = tail.checked >= self.every_records or (
            tail.checked > 0
            and (latest is None or self.clock.now() - latest.at >= timedelta(minutes=self.every_minutes))
        )
        if not (due or force) or (latest is not None and tail.checked == 0):
            return latest
        return self._keep(self._sign(tail.tree_size, frontier, tail.last_hash))

    def verify(self, held: Sequence[Checkpoint] = ()) -> Verdict:
        """Walk every kept record against every checkpoint; when intact, sign what was verified."""
        with self.store.read() as tx:
            stored = tx.checkpoints.all()
            verdict = verify_log(tx.audit.all(), stored, self.notary.check, held, self.keep_after())
        newest = stored[-1].tree_size if stored else 0
        if verdict.intact and verdict.tree_size > newest:
            frontier = [bytes.fromhex(h) for h in verdict.frontier]
            self._keep(self._sign(verdict.tree_size, frontier, verdict.last_hash))
        return verdict

    def verdict(self) -> Verdict:
        """The quick verdict: the latest checkpoint's signature and anchor, the floor, and the records after it."""
        with self.store.read() as tx:
            latest = tx.checkpoints.latest()
            verdict = verify_chain(tx.audit.all()) if latest is None else self._since(tx, latest)
        if verdict.intact and verdict.tree_size - (latest.tree_size if latest else 0) >= self.every_records:
            self.checkpoint()
        return verdict

    def _since(self, tx: Transaction, latest: Checkpoint) -> Verdict:
        signed = f"the checkpoint of {latest.tree_size} records signed at {isoformat(latest.at)}"
        if not latest.signature_checks(self.notary.check):
            return Verdict(False, 0, f"the signature of {signed} does not verify")
        bounds = tx.audit.bounds()
        lo, hi = bounds or (latest.tree_size + 1, latest.tree_size)
        if hi < latest.tree_size:
            return Verdict(False, 0, f"the log was truncated: it ends at record {hi if bounds else 0}, and {signed}")
        if lo > 1:
            floor = tx.checkpoints.get(lo - 1)
            if floor is None or not floor.signature_checks(self.notary.check) or not floor.frontier_fits():
                return Verdict(False, 0, f"records 1 to {lo - 1} are missing and no signed checkpoint covers them")
            if floor.at >= self.keep_after():
                return Verdict(False, 0, f"records 1 to {lo - 1} were removed within the retention period")
        if latest.tree_size >= lo:
            anchor = tx.audit.get(latest.tree_size)
            if (
                anchor is None
                or anchor.hash != latest.last_hash
                or seal(anchor.seq, anchor.at, anchor.entry, anchor.prev_hash) != anchor.hash
            ):
                return Verdict(False, 0, f"record {latest.tree_size} differs from {signed}")
        tail = verify_chain(tx.audit.since(latest.tree_size), latest.tree_size + 1, latest.last_hash)
        covered = latest.tree_size - (lo - 1) + tail.checked
        return Verdict(tail.intact, covered, tail.problem, tail.tree_size, (), tail.last_hash)

    def prove(self, seq: int) -> dict[str, Any]:
        """An inclusion proof of record ``seq`` in the latest checkpoint (signed now when it is not yet covered)."""
        latest = self.checkpoint(force=True)
        if latest is None or seq < 1 or seq > latest.tree_size:
            raise InvalidInput("seq", f"is not a record of the log (it holds {latest.tree_size if latest else 0})")
        with self.store.read() as tx:
            rec = tx.audit.get(seq)
            bounds = tx.audit.bounds()
            floor = tx.checkpoints.get(bounds[0] - 1) if bounds and bounds[0] > 1 else None
            base = floor.tree_size if floor else 0
            leaves = [record_leaf(h) for h in tx.audit.hashes(base, latest.tree_size)]
        if rec is None:
            raise NotFound(f"record {seq} was pruned")
        known = frontier_blocks([bytes.fromhex(h) for h in floor.frontier], base) if floor else {}
        path = Subtrees(leaves, base, known).path(seq - 1, 0, latest.tree_size)
        return proof_document(rec, path, latest)

    def consistency(self, held: Checkpoint) -> dict[str, Any]:
        """A consistency proof from a held checkpoint to the latest one (signed now when records are new)."""
        latest = self.checkpoint(force=True)
        if latest is None or not 1 <= held.tree_size <= latest.tree_size:
            raise InvalidInput("checkpoint.tree_size", "is not a size of this log")
        if not held.signature_checks(self.notary.check):
            raise InvalidInput("checkpoint.signature", "does not verify")
        with self.store.read() as tx:
            bounds = tx.audit.bounds()
            floor = tx.checkpoints.get(bounds[0] - 1) if bounds and bounds[0] > 1 else None
            base = floor.tree_size if floor else 0
            leaves = [record_leaf(h) for h in tx.audit.hashes(base, latest.tree_size)]
        known = frontier_blocks([bytes.fromhex(h) for h in floor.frontier], base) if floor else {}
        try:
            proof = Subtrees(leaves, base, known).consistency(held.tree_size, 0, latest.tree_size)
        except ValueError:
            raise InvalidInput("checkpoint.tree_size", "predates the records pruned since") from None
        return consistency_document(held, latest, proof)

    def prune(self, before: datetime) -> int:
        """Delete records older than ``before``, only up to a signed checkpoint they verify against.

        ``before`` must be at least the retention period ago. Return how many records went.
        """
        if before > self.keep_after():
            raise InvalidInput("before", f"is within the {self.retention_days}-day audit retention period")
        with self.store.write() as tx:
            bounds = tx.audit.bounds()
            if bounds is None:
                return 0
            target = tx.checkpoints.signed_before(before, bounds[1])
            if target is None or target.tree_size < bounds[0]:
                return 0
            stored = [cp for cp in tx.checkpoints.all() if cp.tree_size <= target.tree_size]
            kept = itertools.takewhile(lambda r: r.seq <= target.tree_size, tx.audit.all())
            verdict = verify_log(kept, stored, self.notary.check, keep_after=self.keep_after())
            if not verdict.intact or verdict.tree_size != target.tree_size:
                raise StateConflict(f"audit records up to {target.tree_size} do not verify: {verdict.problem}")
            tx.audit.append(
                AuditEntry(
                    Action.AUDIT_PRUNE,
                    Outcome.SUCCESS,
                    object_type="audit",
                    details={"through": target.tree_size, "before": isoformat(before), "root_hash": target.root_hash},
                ),
                self.clock.now(),
            )
            return tx.audit.prune(target.tree_size)


def held_checkpoints(text: str) -> list[Checkpoint]:
    """The checkpoints an outside party exported and kept (one, or a JSON list)."""
    return read_exported(text)


def check_proof_offline(doc: Mapping[str, Any], check: SignatureCheck, held: Checkpoint | None) -> ProofVerdict:
    """Check a printed inclusion or consistency proof with nothing but it, a held checkpoint and a verifier."""
    return check_any(doc, check, held)

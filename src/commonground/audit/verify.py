"""Walk the audit chain and its Merkle tree, and report the first thing that breaks them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from commonground.audit.chain import GENESIS, AuditEntry, seal
from commonground.audit.checkpoints import Checkpoint, SignatureCheck
from commonground.audit.merkle import extend, record_leaf, root_of
from commonground.domain.timewindow import isoformat


@dataclass(frozen=True, slots=True)
class StoredRecord:
    seq: int
    at: datetime
    entry: AuditEntry
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class Verdict:
    intact: bool
    checked: int
    problem: str | None = None
    # The tree head the walk reached (pruned records included in its size), to sign when intact.
    tree_size: int = 0
    frontier: tuple[str, ...] = ()
    last_hash: str = GENESIS


def verify_chain(records: Iterable[StoredRecord], first_seq: int = 1, prev_hash: str = GENESIS) -> Verdict:
    """Check sequence, links and seals from ``first_seq`` on; altered, removed or reordered records all fail."""
    expected_prev, expected_seq, checked = prev_hash, first_seq, 0
    for rec in records:
        if rec.seq != expected_seq:
            return Verdict(False, checked, f"record {expected_seq} is missing or out of order (found {rec.seq})")
        if rec.prev_hash != expected_prev:
            return Verdict(False, checked, f"record {rec.seq} does not link to its predecessor")
        if seal(rec.seq, rec.at, rec.entry, rec.prev_hash) != rec.hash:
            return Verdict(False, checked, f"record {rec.seq} was altered")
        expected_prev, expected_seq, checked = rec.hash, expected_seq + 1, checked + 1
    return Verdict(True, checked, tree_size=expected_seq - 1, last_hash=expected_prev)


def _signed_at(cp: Checkpoint) -> str:
    return f"the checkpoint of {cp.tree_size} records signed at {isoformat(cp.at)}"


def _precheck(stored: Sequence[Checkpoint], held: Sequence[Checkpoint], check: SignatureCheck) -> str | None:
    for cp in [*held, *stored]:
        if not cp.signature_checks(check):
            return f"the signature of {_signed_at(cp)} does not verify"
    keys = {cp.public_key for cp in stored}
    for cp in held:
        if keys and cp.public_key not in keys:
            return f"{_signed_at(cp)} is signed by a key no stored checkpoint uses"
    return None


def _floor(
    first_seq: int, stored: Sequence[Checkpoint], keep_after: datetime | None
) -> tuple[Checkpoint | None, str | None]:
    """The signed checkpoint the oldest kept record follows, when older records were pruned."""
    if first_seq <= 1:
        return None, None
    floor = next((cp for cp in stored if cp.tree_size == first_seq - 1), None)
    if floor is None:
        return None, f"records 1 to {first_seq - 1} are missing and no signed checkpoint covers them"
    if not floor.frontier_fits():
        return None, f"the stored frontier of {_signed_at(floor)} does not fit its signed root"
    if keep_after is not None and floor.at >= keep_after:
        return None, f"records 1 to {floor.tree_size} were removed within the retention period"
    return floor, None


def verify_log(
    records: Iterable[StoredRecord],
    stored: Sequence[Checkpoint],
    check: SignatureCheck,
    held: Sequence[Checkpoint] = (),
    keep_after: datetime | None = None,
) -> Verdict:
    """Walk every kept record: the chain, and the tree head at each checkpoint's size, stored or held.

    Pruned records are stood for by the signed checkpoint the oldest kept record follows (its
    frontier); a checkpoint larger than the log means the tail was truncated.
    """
    problem = _precheck(stored, held, check)
    if problem:
        return Verdict(False, 0, problem)
    it = iter(records)
    first = next(it, None)
    floor, problem = _floor(first.seq if first else 1, stored, keep_after)
    if problem:
        return Verdict(False, 0, problem)
    size = floor.tree_size if floor else 0
    frontier = [bytes.fromhex(h) for h in floor.frontier] if floor else []
    prev = floor.last_hash if floor else GENESIS
    roots = {(cp.tree_size, cp.root_hash) for cp in stored}
    for cp in held:
        if cp.tree_size <= size and (cp.tree_size, cp.root_hash) not in roots:
            return Verdict(False, 0, f"{_signed_at(cp)} matches no stored checkpoint of the pruned records")
    due: dict[int, list[Checkpoint]] = {}
    for cp in [*stored, *held]:
        if cp.tree_size > size:
            due.setdefault(cp.tree_size, []).append(cp)
    checked = 0
    for rec in [first, *it] if first else []:
        if rec.seq != size + 1:
            return Verdict(False, checked, f"record {size + 1} is missing or out of order (found {rec.seq})")
        if rec.prev_hash != prev:
            return Verdict(False, checked, f"record {rec.seq} does not link to its predecessor")
        if seal(rec.seq, rec.at, rec.entry, rec.prev_hash) != rec.hash:
            return Verdict(False, checked, f"record {rec.seq} was altered")
        frontier, size = extend(frontier, size, [record_leaf(rec.hash)])
        prev, checked = rec.hash, checked + 1
        for cp in due.pop(size, ()):
            if cp.root_hash != root_of(frontier).hex() or cp.last_hash != prev:
                return Verdict(
                    False,
                    checked,
                    f"the first {size} records differ from {_signed_at(cp)}: altered, removed or reordered",
                )
    if due:
        cp = max((c for cps in due.values() for c in cps), key=lambda c: c.tree_size)
        return Verdict(False, checked, f"the log was truncated: it ends at record {size}, and {_signed_at(cp)}")
    return Verdict(True, checked, None, size, tuple(h.hex() for h in frontier), prev)

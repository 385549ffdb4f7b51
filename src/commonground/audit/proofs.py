"""Inclusion and consistency proofs of the audit log, as documents an outside party checks offline.

An inclusion proof carries the record (every sealed field), its leaf index, the sibling hashes
up to the root (RFC 9162 §2.1.3) and the signed checkpoint that root belongs to. A consistency
proof (§2.1.4) shows that a later checkpoint's tree extends an earlier one's: nothing before
it changed. Checking either needs the document and an Ed25519 verifier, never the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from commonground.audit.chain import AuditEntry, seal
from commonground.audit.checkpoints import Checkpoint, SignatureCheck, parse_exported
from commonground.audit.merkle import consistent, inclusion_root, record_leaf
from commonground.audit.verify import StoredRecord
from commonground.domain.errors import InvalidInput
from commonground.domain.timewindow import isoformat, parse_instant

FORMAT = "commonground-audit-inclusion-v1"
CONSISTENCY_FORMAT = "commonground-audit-consistency-v1"
ENTRY_FIELDS = ("action", "outcome", "actor_user_id", "actor_agency_id", "object_type", "object_id", "details")


@dataclass(frozen=True, slots=True)
class ProofVerdict:
    valid: bool
    message: str


def record_document(rec: StoredRecord) -> dict[str, Any]:
    entry = {name: getattr(rec.entry, name) for name in ENTRY_FIELDS}
    return {"seq": rec.seq, "at": isoformat(rec.at), **entry, "prev_hash": rec.prev_hash, "hash": rec.hash}


def proof_document(rec: StoredRecord, path: list[bytes], checkpoint: Checkpoint) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "record": record_document(rec),
        "leaf_index": rec.seq - 1,
        "tree_size": checkpoint.tree_size,
        "path": [node.hex() for node in path],
        "checkpoint": checkpoint.exported(),
    }


def _record(data: object) -> StoredRecord:
    if not isinstance(data, Mapping) or not isinstance(data.get("seq"), int):
        raise InvalidInput("record", "is not an audit record")
    fields: dict[str, Any] = {name: data.get(name) for name in ENTRY_FIELDS}
    if not isinstance(fields["action"], str) or not isinstance(fields["outcome"], str):
        raise InvalidInput("record.action", "is missing")
    entry = AuditEntry(**fields)
    return StoredRecord(
        data["seq"],
        parse_instant(data.get("at"), "record.at"),
        entry,
        str(data.get("prev_hash")),
        str(data.get("hash")),
    )


def _path(data: object) -> list[bytes]:
    if not isinstance(data, list):
        raise InvalidInput("path", "is not a list of hashes")
    try:
        return [bytes.fromhex(node) for node in data]
    except (TypeError, ValueError):
        raise InvalidInput("path", "is not a list of hex hashes") from None


def check_proof(doc: Mapping[str, Any], check: SignatureCheck, held: Checkpoint | None = None) -> ProofVerdict:
    """Check a proof document: the record's seal, its path to the root, the root's signature (and a held copy)."""
    if doc.get("format") != FORMAT:
        raise InvalidInput("format", f"is not {FORMAT}")
    rec, path = _record(doc.get("record")), _path(doc.get("path"))
    checkpoint = parse_exported(doc.get("checkpoint") or {})
    index, size = doc.get("leaf_index"), doc.get("tree_size")
    if index != rec.seq - 1 or size != checkpoint.tree_size:
        return ProofVerdict(False, "the leaf index or tree size does not match the record and checkpoint")
    if seal(rec.seq, rec.at, rec.entry, rec.prev_hash) != rec.hash:
        return ProofVerdict(False, f"record {rec.seq}'s fields do not match its hash: it was altered")
    if inclusion_root(index, size, record_leaf(rec.hash), path) != bytes.fromhex(checkpoint.root_hash):
        return ProofVerdict(False, f"the path does not lead from record {rec.seq} to the checkpoint's root")
    if not checkpoint.signature_checks(check):
        return ProofVerdict(False, "the checkpoint's signature does not verify")
    if held is not None and (held.public_key, held.tree_size, held.root_hash) != (
        checkpoint.public_key,
        checkpoint.tree_size,
        checkpoint.root_hash,
    ):
        return ProofVerdict(False, "the proof's checkpoint is not the one held")
    return ProofVerdict(
        True,
        f"record {rec.seq} is in the log of {size} records signed at {isoformat(checkpoint.at)} "
        f"by key {checkpoint.public_key}",
    )


def consistency_document(old: Checkpoint, new: Checkpoint, proof: list[bytes]) -> dict[str, Any]:
    return {
        "format": CONSISTENCY_FORMAT,
        "old": old.exported(),
        "new": new.exported(),
        "proof": [node.hex() for node in proof],
    }


def check_consistency(doc: Mapping[str, Any], check: SignatureCheck, held: Checkpoint | None = None) -> ProofVerdict:
    """Check that the ``new`` checkpoint's tree extends the ``old`` one's; both signed (the old one, held)."""
    if doc.get("format") != CONSISTENCY_FORMAT:
        raise InvalidInput("format", f"is not {CONSISTENCY_FORMAT}")
    old, new = parse_exported(doc.get("old") or {}, "old"), parse_exported(doc.get("new") or {}, "new")
    proof = _path(doc.get("proof"))
    for name, cp in (("old", old), ("new", new)):
        if not cp.signature_checks(check):
            return ProofVerdict(False, f"the {name} checkpoint's signature does not verify")
    if old.public_key != new.public_key:
        return ProofVerdict(False, "the two checkpoints are signed by different keys")
    if held is not None and (held.tree_size, held.root_hash) != (old.tree_size, old.root_hash):
        return ProofVerdict(False, "the proof's old checkpoint is not the one held")
    if not consistent(old.tree_size, new.tree_size, bytes.fromhex(old.root_hash), bytes.fromhex(new.root_hash), proof):
        return ProofVerdict(False, f"the log of {new.tree_size} records does not extend the one of {old.tree_size}")
    return ProofVerdict(
        True,
        f"the log of {new.tree_size} records signed at {isoformat(new.at)} extends the one of "
        f"{old.tree_size} signed at {isoformat(old.at)}",
    )


def check_any(doc: Mapping[str, Any], check: SignatureCheck, held: Checkpoint | None = None) -> ProofVerdict:
    """Check an inclusion or a consistency proof, whichever the document says it is."""
    if doc.get("format") == CONSISTENCY_FORMAT:
        return check_consistency(doc, check, held)
    return check_proof(doc, check, held)

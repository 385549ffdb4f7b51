"""Signed checkpoints of the audit log: a tree head (size, root, time) the installation's key signs.

The signature covers one line per field in a fixed order (``signed_text``), so an outside party
can check a copy with any Ed25519 tool. ``last_hash`` ties the head to the chain (the hash of
record ``tree_size``); the frontier, kept only in the database, lets the tree grow and survive
pruning, and is checked by folding it back into the signed root.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from commonground.audit.merkle import root_of
from commonground.domain.errors import InvalidInput
from commonground.domain.timewindow import isoformat, parse_instant

FORMAT = "commonground-audit-checkpoint-v1"

# Checks an Ed25519 signature: (public key base64, message, signature base64) -> valid.
SignatureCheck = Callable[[str, bytes, str], bool]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    tree_size: int
    root_hash: str  # hex
    at: datetime
    last_hash: str  # hex chain hash of record ``tree_size`` (GENESIS for an empty log)
    public_key: str  # base64 raw Ed25519
    signature: str  # base64
    frontier: tuple[str, ...] = ()  # hex; not signed, checked against root_hash

    def signed_text(self) -> bytes:
        return signed_text(self.tree_size, self.root_hash, self.at, self.last_hash)

    def signature_checks(self, check: SignatureCheck) -> bool:
        return check(self.public_key, self.signed_text(), self.signature)

    def frontier_fits(self) -> bool:
        return root_of([bytes.fromhex(h) for h in self.frontier]).hex() == self.root_hash

    def exported(self) -> dict[str, Any]:
        """What an outside party keeps: everything signed, the key and the signature."""
        return {
            "format": FORMAT,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "at": isoformat(self.at),
            "last_hash": self.last_hash,
            "public_key": self.public_key,
            "signature": self.signature,
        }


def signed_text(tree_size: int, root_hash: str, at: datetime, last_hash: str) -> bytes:
    return f"{FORMAT}\n{tree_size}\n{root_hash}\n{isoformat(at)}\n{last_hash}\n".encode()


def _hex(value: object, field: str) -> str:
    if not isinstance(value, str) or len(value) != 64:
        raise InvalidInput(field, "is not a 64-digit hex hash")
    try:
        bytes.fromhex(value)
    except ValueError:
        raise InvalidInput(field, "is not a 64-digit hex hash") from None
    return value.lower()


def parse_exported(data: Mapping[str, Any], field: str = "checkpoint") -> Checkpoint:
    """Read an exported checkpoint back; refuse one that is not, naming the field."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise InvalidInput(field, f"is not a {FORMAT} document")
    size = data.get("tree_size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InvalidInput(f"{field}.tree_size", "is not a non-negative integer")
    for name in ("public_key", "signature"):
        value = data.get(name)
        if not isinstance(value, str):
            raise InvalidInput(f"{field}.{name}", "is missing")
        try:
            binascii.a2b_base64(value)
        except binascii.Error:
            raise InvalidInput(f"{field}.{name}", "is not base64") from None
    return Checkpoint(
        size,
        _hex(data.get("root_hash"), f"{field}.root_hash"),
        parse_instant(data.get("at"), f"{field}.at"),
        _hex(data.get("last_hash"), f"{field}.last_hash"),
        str(data["public_key"]),
        str(data["signature"]),
    )


def read_exported(text: str) -> list[Checkpoint]:
    """One exported checkpoint or a JSON list of them (an outside party's collection)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput("checkpoint", f"is not JSON ({exc.msg})") from None
    items = data if isinstance(data, list) else [data]
    return [parse_exported(item, f"checkpoint[{i}]") for i, item in enumerate(items)]

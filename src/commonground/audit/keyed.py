"""Values an audit record may match on but never keep: sealed as HMAC-SHA256 under the installation's key.

A use-case wraps a typed value (a username, a look-up place, a channel target) in ``Keyed``;
the store replaces it with ``keyed_hash(value, key)`` before the record is sealed, so the log
holds only ids, counts and keyed hashes. An auditor who knows a value (and may ask the
installation to hash it) can still find every record about it; a reader of the table cannot
recover it, and purging the data a record points at leaves the chain as it was.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "hmac:"


@dataclass(frozen=True, slots=True)
class Keyed:
    """A value the audit record carries only as its keyed hash."""

    value: str


def keyed_hash(value: str, key: bytes) -> str:
    """Return the record's form of ``value``: the same value always gives the same string."""
    return PREFIX + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def has_keyed(details: object) -> bool:
    """Say whether ``details`` hold a value still to be hashed (most records hold none)."""
    if isinstance(details, Keyed):
        return True
    if isinstance(details, Mapping):
        return any(has_keyed(v) for v in details.values())
    if isinstance(details, list | tuple):
        return any(has_keyed(v) for v in details)
    return False


def hash_keyed(details: Any, key: bytes) -> Any:
    """Return ``details`` with every ``Keyed`` value replaced by its keyed hash."""
    if isinstance(details, Keyed):
        return keyed_hash(details.value, key)
    if isinstance(details, Mapping):
        return {k: hash_keyed(v, key) for k, v in details.items()}
    if isinstance(details, list | tuple):
        return [hash_keyed(v, key) for v in details]
    return details

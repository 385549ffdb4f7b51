"""The clk-v1 container: the bytes an agency's tool sends for a blinded subject (docs/blinding.md)."""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

SCHEME = "clk-v1"
VERSION = 1
FILTER_BITS = 512
FILTER_BYTES = FILTER_BITS // 8
DIGEST_BYTES = 8
KINDS = ("person", "vehicle", "phone", "address", "email", "other")
DOB_LABELS = ("x", "s", *(f"m{i}" for i in range(8)), *(f"t{i}" for i in range(7)))


@dataclass(frozen=True, slots=True)
class BlindName:
    """One (first, last) name form as two Bloom filters plus a keyed nickname-group hash."""

    first: int
    last: int
    nick: bytes

    def dice(self, mine: int, theirs: int) -> float | None:
        """Return the Dice similarity of two filters (None when one side is empty)."""
        pa, pb = mine.bit_count(), theirs.bit_count()
        if not pa or not pb:
            return None
        return 2.0 * (mine & theirs).bit_count() / (pa + pb)


@dataclass(frozen=True, slots=True)
class Encoding:
    """The decoded contents of a clk-v1 container."""

    kind: str
    names: tuple[BlindName, ...]
    dob: Mapping[str, str]
    ids: frozenset[bytes]
    tokens: tuple[str, ...]


def encode_container(enc: Encoding) -> str:
    """Return the base64 container: header, names, DOB hashes, identifier hashes, tokens."""
    out = bytearray(struct.pack(">BBB", VERSION, KINDS.index(enc.kind), len(enc.names)))
    for n in enc.names:
        out += n.first.to_bytes(FILTER_BYTES, "big") + n.last.to_bytes(FILTER_BYTES, "big")
        out += n.nick
    out.append(len(enc.dob))
    for label, hexdigest in enc.dob.items():
        out.append(DOB_LABELS.index(label))
        out += bytes.fromhex(hexdigest)
    out.append(len(enc.ids))
    for i in sorted(enc.ids):
        out += i
    out += struct.pack(">H", len(enc.tokens))
    for t in enc.tokens:
        out += bytes.fromhex(t)
    return base64.b64encode(bytes(out)).decode("ascii")


@lru_cache(maxsize=65536)
def decode_container(value: str) -> Encoding:
    """Return the decoded container; raise ValueError on anything malformed."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    try:
        version, kind_code, n_names = struct.unpack_from(">BBB", raw, 0)
        if version != VERSION:
            raise ValueError(f"unsupported version {version}")
        if kind_code >= len(KINDS):
            raise ValueError("unknown subject kind")
        pos = 3
        names = []
        for _ in range(n_names):
            first = int.from_bytes(raw[pos : pos + FILTER_BYTES], "big")
            last = int.from_bytes(raw[pos + FILTER_BYTES : pos + 2 * FILTER_BYTES], "big")
            nick = raw[pos + 2 * FILTER_BYTES : pos + 2 * FILTER_BYTES + DIGEST_BYTES]
            names.append(BlindName(first, last, bytes(nick)))
            pos += 2 * FILTER_BYTES + DIGEST_BYTES
        dob: dict[str, str] = {}
        n_dob, pos = raw[pos], pos + 1
        for _ in range(n_dob):
            dob[DOB_LABELS[raw[pos]]] = raw[pos + 1 : pos + 1 + DIGEST_BYTES].hex()
            pos += 1 + DIGEST_BYTES
        n_ids, pos = raw[pos], pos + 1
        ids = frozenset(raw[pos + i * DIGEST_BYTES : pos + (i + 1) * DIGEST_BYTES] for i in range(n_ids))
        pos += n_ids * DIGEST_BYTES
        (n_tokens,) = struct.unpack_from(">H", raw, pos)
        pos += 2
        tokens = tuple(raw[pos + i * DIGEST_BYTES : pos + (i + 1) * DIGEST_BYTES].hex() for i in range(n_tokens))
        pos += n_tokens * DIGEST_BYTES
    except (IndexError, struct.error):
        raise ValueError("truncated container") from None
    if pos != len(raw) or any(len(i) != DIGEST_BYTES for i in ids):
        raise ValueError("container length mismatch")
    if DOB_LABELS[0] not in dob and dob:
        raise ValueError("DOB hashes without the exact DOB")
    return Encoding(KINDS[kind_code], tuple(names), dob, ids, tokens)

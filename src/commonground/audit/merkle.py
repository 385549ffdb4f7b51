"""The audit log as a Merkle tree (RFC 9162 §2.1): tree heads, inclusion and consistency proofs, their checks.

A leaf is a record's chain hash (32 bytes); leaves hash as ``SHA-256(0x00 || leaf)`` and nodes
as ``SHA-256(0x01 || left || right)``, so a tree head any transparency-log tool computes over
the same leaves is the same. The *frontier* is the tree's right edge: the hashes of the perfect
subtrees that the binary digits of its size make, largest first. It lets a tree grow, and its
head be recomputed after old leaves are pruned, without the old leaves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def record_leaf(record_hash: str) -> bytes:
    """The leaf hash of one audit record, from its hex chain hash (which seals every field)."""
    return leaf_hash(bytes.fromhex(record_hash))


def extend(frontier: Sequence[bytes], size: int, leaves: Iterable[bytes]) -> tuple[list[bytes], int]:
    """Return the frontier and size after appending ``leaves`` (already leaf-hashed)."""
    edge = list(frontier)
    for leaf in leaves:
        node, bits = leaf, size
        while bits & 1:
            node = node_hash(edge.pop(), node)
            bits >>= 1
        edge.append(node)
        size += 1
    return edge, size


def root_of(frontier: Sequence[bytes]) -> bytes:
    """The tree head: the frontier folded from the right (RFC 9162's MTH of the same leaves)."""
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for node in reversed(frontier[:-1]):
        root = node_hash(node, root)
    return root


def frontier_blocks(frontier: Sequence[bytes], size: int) -> dict[tuple[int, int], bytes]:
    """Name each frontier hash by the leaf range ``[lo, hi)`` it covers."""
    blocks, lo = {}, 0
    widths = [1 << bit for bit in range(size.bit_length() - 1, -1, -1) if size >> bit & 1]
    if len(widths) != len(frontier):
        raise ValueError(f"a frontier of {len(frontier)} hashes cannot describe a tree of {size} leaves")
    for width, node in zip(widths, frontier, strict=True):
        blocks[(lo, lo + width)] = node
        lo += width
    return blocks


def _split(width: int) -> int:
    """The largest power of two smaller than ``width`` (RFC 9162's k)."""
    return 1 << ((width - 1).bit_length() - 1)


class Subtrees:
    """Subtree hashes over leaves ``[floor, …)``, with the pruned leaves below ``floor`` known by their frontier."""

    def __init__(self, leaves: Sequence[bytes], floor: int = 0, known: Mapping[tuple[int, int], bytes] | None = None):
        self.leaves, self.floor, self.known = leaves, floor, dict(known or {})

    def hash(self, lo: int, hi: int) -> bytes:
        if (lo, hi) in self.known:
            return self.known[(lo, hi)]
        if hi - lo == 1:
            if lo < self.floor:
                raise ValueError(f"leaf {lo} was pruned and no kept subtree covers it")
            return self.leaves[lo - self.floor]
        k = _split(hi - lo)
        return node_hash(self.hash(lo, lo + k), self.hash(lo + k, hi))

    def path(self, index: int, lo: int, hi: int) -> list[bytes]:
        """RFC 9162 §2.1.3.1 PATH(m, D[lo:hi]): the sibling hashes from leaf ``index`` up, nearest first."""
        if hi - lo == 1:
            return []
        k = _split(hi - lo)
        if index < lo + k:
            return [*self.path(index, lo, lo + k), self.hash(lo + k, hi)]
        return [*self.path(index, lo + k, hi), self.hash(lo, lo + k)]

    def consistency(self, old: int, lo: int, hi: int, whole: bool = True) -> list[bytes]:
        """RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b): what proves the first ``old`` leaves unchanged."""
        if old == hi - lo:
            return [] if whole else [self.hash(lo, hi)]
        k = _split(hi - lo)
        if old <= k:
            return [*self.consistency(old, lo, lo + k, whole), self.hash(lo + k, hi)]
        return [*self.consistency(old - k, lo + k, hi, False), self.hash(lo, lo + k)]


def consistent(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2: whether ``proof`` shows the tree of ``new`` leaves extends the one of ``old``."""
    if old < 1 or old > new:
        return False
    if old == new:
        return not proof and old_root == new_root
    path = [old_root, *proof] if old & (old - 1) == 0 else list(proof)
    if not path:
        return False
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


def inclusion_root(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root that ``path`` leads to from ``leaf`` at ``index``; None when it cannot."""
    if index >= size:
        return None
    fn, sn, node = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            node = node_hash(node, sibling)
        fn, sn = fn >> 1, sn >> 1
    return node if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> bool:
    return inclusion_root(index, size, leaf, path) == root

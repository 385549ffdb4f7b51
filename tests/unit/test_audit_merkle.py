"""The audit tree hashes as RFC 9162 / RFC 6962 say: published vectors, and an independent recomputation."""

from __future__ import annotations

import hashlib

import pytest

from commonground.audit.merkle import (
    EMPTY_ROOT,
    Subtrees,
    consistent,
    extend,
    frontier_blocks,
    inclusion_root,
    leaf_hash,
    root_of,
    verify_inclusion,
)

# The Certificate Transparency reference leaves and tree heads (RFC 6962 test data, as used by
# certificate-transparency-go and trillian): the root of the first n leaves, n = 0..8.
CT_LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657")] + [
    bytes.fromhex("606162636465666768696a6b6c6d6e6f")
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# Inclusion proofs in the 8-leaf tree, from the same test data: (leaf index, path).
CT_INCLUSION = [
    (
        0,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]


def mth(data: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH written out from the text, independently of the module under test."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return hashlib.sha256(b"\x00" + data[0]).digest()
    k = 1
    while k * 2 < len(data):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(data[:k]) + mth(data[k:])).digest()


def leaves(n: int) -> list[bytes]:
    return [leaf_hash(bytes([i % 256, i // 256])) for i in range(n)]


def test_tree_heads_match_the_published_vectors() -> None:
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]
    hashed = [leaf_hash(d) for d in CT_LEAVES]
    for n in range(len(CT_LEAVES) + 1):
        frontier, size = extend([], 0, hashed[:n])
        assert size == n and root_of(frontier).hex() == CT_ROOTS[n], f"tree of {n} leaves"


def test_inclusion_paths_match_the_published_vectors() -> None:
    hashed = [leaf_hash(d) for d in CT_LEAVES]
    root = bytes.fromhex(CT_ROOTS[8])
    for index, expected in CT_INCLUSION:
        path = Subtrees(hashed).path(index, 0, 8)
        assert [p.hex() for p in path] == expected
        assert verify_inclusion(index, 8, hashed[index], path, root)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 31, 64, 70])
def test_growing_the_tree_agrees_with_the_rfc_definition(n: int) -> None:
    """Appending one leaf at a time, in batches, or all at once gives the MTH of the data."""
    data = [bytes([i, i * 7 % 256]) for i in range(n)]
    hashed = [leaf_hash(d) for d in data]
    one_by_one: tuple[list[bytes], int] = ([], 0)
    for leaf in hashed:
        one_by_one = extend(*one_by_one, [leaf])
    batched = extend(*extend([], 0, hashed[: n // 3]), hashed[n // 3 :])
    assert root_of(one_by_one[0]) == root_of(batched[0]) == mth(data) == Subtrees(hashed).hash(0, n)


@pytest.mark.parametrize("n", [1, 2, 7, 16, 37])
def test_every_inclusion_proof_verifies_and_no_other_does(n: int) -> None:
    tree = leaves(n)
    root = Subtrees(tree).hash(0, n)
    for index in range(n):
        path = Subtrees(tree).path(index, 0, n)
        assert verify_inclusion(index, n, tree[index], path, root)
        assert not verify_inclusion(index, n, leaf_hash(b"altered"), path, root)
        if path:
            bent = [path[0][:-1] + bytes([path[0][-1] ^ 1]), *path[1:]]
            assert not verify_inclusion(index, n, tree[index], bent, root)
            assert not verify_inclusion(index, n, tree[index], path[:-1], root)  # a step short
        assert inclusion_root(index + n, n, tree[index], path) is None  # outside the tree


@pytest.mark.parametrize(("floor", "n"), [(1, 5), (4, 9), (6, 8), (13, 40), (32, 33)])
def test_a_pruned_tree_gives_the_same_heads_and_paths_from_its_frontier(floor: int, n: int) -> None:
    """Leaves below the floor, known only by the frontier at the floor, still give every later path."""
    tree = leaves(n)
    frontier, _ = extend([], 0, tree[:floor])
    pruned = Subtrees(tree[floor:], floor, frontier_blocks(frontier, floor))
    full = Subtrees(tree)
    assert pruned.hash(0, n) == full.hash(0, n) == root_of(extend(frontier, floor, tree[floor:])[0])
    for index in range(floor, n):
        assert pruned.path(index, 0, n) == full.path(index, 0, n)


def test_a_frontier_that_does_not_fit_its_size_is_refused() -> None:
    frontier, _ = extend([], 0, leaves(6))
    with pytest.raises(ValueError, match="cannot describe"):
        frontier_blocks(frontier, 7)


# Consistency proofs in the same test data: (old size, new size, proof).
CT_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def test_consistency_proofs_match_the_published_vectors() -> None:
    hashed = [leaf_hash(d) for d in CT_LEAVES]
    tree = Subtrees(hashed)
    for old, new, expected in CT_CONSISTENCY:
        proof = tree.consistency(old, 0, new)
        assert [p.hex() for p in proof] == expected, (old, new)
        roots = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
        assert consistent(old, new, *roots, proof)


@pytest.mark.parametrize("new", [2, 3, 8, 13, 33])
def test_every_consistency_proof_verifies_and_a_rewritten_past_does_not(new: int) -> None:
    tree = leaves(new)
    full = Subtrees(tree)
    for old in range(1, new + 1):
        old_root, new_root = full.hash(0, old), full.hash(0, new)
        proof = full.consistency(old, 0, new)
        assert consistent(old, new, old_root, new_root, proof)
        rewritten = Subtrees([leaf_hash(b"rewritten"), *tree[1:]])
        assert not consistent(old, new, old_root, rewritten.hash(0, new), rewritten.consistency(old, 0, new))
        if proof:
            assert not consistent(old, new, old_root, new_root, proof[:-1])

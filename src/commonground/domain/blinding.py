"""The clk-v1 blinded-subject scheme: agencies encode with a secret the server never holds.

Names become keyed bigram Bloom filters (compared by Dice similarity), the DOB and exact
identifiers become keyed 64-bit hashes, and blocking keys become keyed tokens so the server can
find candidates without the secret. The container format is described in docs/blinding.md.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Mapping
from functools import lru_cache

from commonground.domain import scoring
from commonground.domain.errors import InvalidInput
from commonground.domain.frequency import BLINDED_POPULATION, NO_FREQUENCIES, NameFrequencies
from commonground.domain.identifiers import clear_blocking_keys, exact_ids
from commonground.domain.names import NICKNAMES, NameForm, name_forms
from commonground.domain.subjects.container import (
    DIGEST_BYTES,
    FILTER_BITS,
    FILTER_BYTES,
    SCHEME,
    BlindName,
    Encoding,
    decode_container,
    encode_container,
)
from commonground.domain.subjects.kinds import BlindedSubject, PersonSubject, Subject
from commonground.domain.subjects.parse import parse_subject, subject_to_dict

HASHES_PER_BIGRAM = 15
MIN_SECRET_BYTES = 16
_NO_NICK = bytes(DIGEST_BYTES)


def _field_key(secret: bytes, field: str) -> bytes:
    """Derive an independent key per field so filters and hashes cannot be cross-linked."""
    return hmac.new(secret, f"{SCHEME}/{field}".encode(), hashlib.sha256).digest()


def _digest(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()[:DIGEST_BYTES]


def bloom(key: bytes, text: str) -> int:
    """Return the Bloom filter (as an int) of the padded bigrams of ``text``."""
    if not text:
        return 0
    padded = f"_{text}_"
    base = hmac.new(key, digestmod=hashlib.sha256)
    bits = 0
    for i in range(len(padded) - 1):
        mac = base.copy()
        mac.update(padded[i : i + 2].encode())
        digest = mac.digest()
        for (pos,) in struct.iter_unpack(">H", digest[: 2 * HASHES_PER_BIGRAM]):
            bits |= 1 << (pos % FILTER_BITS)
    return bits


def _person_forms(p: PersonSubject) -> list[NameForm]:
    """Return name forms, adding each part of a multi-part surname as its own form."""
    forms = list(name_forms(p))
    extra = [NameForm(f.first, t) for f in forms if len(f.last_tokens) > 1 for t in f.last_tokens]
    return forms + extra


def blind(subject: Subject, secret: bytes) -> BlindedSubject:
    """Return the clk-v1 encoding of ``subject`` under ``secret``."""
    if len(secret) < MIN_SECRET_BYTES:
        raise InvalidInput("secret", f"must be at least {MIN_SECRET_BYTES} bytes")
    if isinstance(subject, BlindedSubject):
        raise InvalidInput("kind", "is already blinded")
    k_name, k_nick = _field_key(secret, "name"), _field_key(secret, "nick")
    k_dob, k_id = _field_key(secret, "dob"), _field_key(secret, "id")
    k_block = _field_key(secret, "block")
    names: list[BlindName] = []
    dob: dict[str, str] = {}
    ids: set[bytes] = set()
    if isinstance(subject, PersonSubject):
        for form in _person_forms(subject)[:255]:
            canon = NICKNAMES.get(form.first, form.first)
            names.append(
                BlindName(
                    first=bloom(k_name, form.first.replace(" ", "")),
                    last=bloom(k_name, form.last.replace(" ", "")),
                    nick=_digest(k_nick, canon) if form.first else _NO_NICK,
                )
            )
        # x and s are compared with each other (day/month swap), so they share a prefix.
        dob = {
            label: _digest(k_dob, f"{'d' if label in 'xs' else label}:{tok}").hex()
            for label, tok in scoring.dob_tokens(subject.dob).items()
        }
    else:
        ids = {_digest(k_id, i) for i in exact_ids(subject)}
    tokens = sorted(_digest(k_block, k).hex() for k in clear_blocking_keys(subject))
    enc = Encoding(subject.kind, tuple(names), dob, frozenset(ids), tuple(tokens))
    return BlindedSubject(scheme=SCHEME, value=encode_container(enc))


def blind_record(data: Mapping[str, object], secret: bytes, field: str = "subject") -> dict[str, object]:
    """Parse a clear subject dict and return the blinded dict an agency tool sends."""
    return subject_to_dict(blind(parse_subject(data, field), secret))


@lru_cache(maxsize=65536)
def filter_term(prefix: str, bloom_filter: int) -> str:
    """Return the counted term of one blinded name: a digest of its keyed Bloom filter.

    Equal names under one secret give equal filters, which the server sees anyway; the digest
    only makes that equality countable and reveals nothing the filter does not.
    """
    if not bloom_filter:
        return ""
    digest = hashlib.blake2b(bloom_filter.to_bytes(FILTER_BYTES, "big"), digest_size=DIGEST_BYTES)
    return prefix + digest.hexdigest()


def blinded_name_terms(subject: BlindedSubject) -> frozenset[str]:
    """Return what a store counts for a blinded person: each name's filter digest, and one."""
    enc = decode_container(subject.value)
    if enc.kind != "person":
        return frozenset()
    terms = {filter_term("bg:", n.first) for n in enc.names} | {filter_term("bf:", n.last) for n in enc.names}
    return frozenset((terms - {""}) | {BLINDED_POPULATION})


def _name_pairs(a: Encoding, b: Encoding) -> list[scoring.NamePair]:
    """Return Dice similarities and counted terms for every name pairing, straight and swapped."""
    out: list[scoring.NamePair] = []
    for na in a.names:
        ga, fa = filter_term("bg:", na.first), filter_term("bf:", na.last)
        for nb in b.names:
            gb, fb = filter_term("bg:", nb.first), filter_term("bf:", nb.last)
            first = na.dice(na.first, nb.first)
            if first is not None and first < 1.0 and na.nick == nb.nick and na.nick != _NO_NICK:
                first = 0.97  # same nickname group (Bill ~ William), as in clear matching
            out.append((first, na.dice(na.last, nb.last), ga, gb, fa, fb))
            out.append((na.dice(na.first, nb.last), na.dice(na.last, nb.first), ga, fb, fa, gb))
    return out


def blinded_person_score(a: Encoding, b: Encoding, freq: NameFrequencies = NO_FREQUENCIES) -> float:
    """Return the calibrated score of two blinded persons (same model as clear persons)."""
    dob = scoring.dob_relation(a.dob, b.dob)
    if dob == "differ":
        return scoring.VETOED_SCORE
    population = freq.population(BLINDED_POPULATION)
    names = scoring.best_name_levels(_name_pairs(a, b), scoring.DICE_LEVELS, freq, population)
    return scoring.sigmoid(scoring.person_logit(names, dob, prior=freq.size_prior(population)))


def match_blinded(
    a: BlindedSubject,
    b: BlindedSubject,
    threshold: float = scoring.MATCH_THRESHOLD,
    freq: NameFrequencies = NO_FREQUENCIES,
) -> scoring.SubjectMatch | None:
    """Return the match of two encodings made under one secret, or None.

    ``freq``: counts of the filter digests (``blinded_name_terms``) in the store.
    """
    ea, eb = decode_container(a.value), decode_container(b.value)
    if ea.kind != eb.kind:
        return None
    if ea.kind == "person":
        score = blinded_person_score(ea, eb, freq)
        return scoring.SubjectMatch("blinded_person", score) if score >= threshold else None
    if ea.ids & eb.ids:
        return scoring.SubjectMatch(f"blinded_{ea.kind}", 1.0)
    return None

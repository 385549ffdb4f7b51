"""Blinded subjects across installations: what a probe may carry of them, and how a peer matches them.

Only ``clk-v1`` encodings the agency made itself ever cross: a clear subject stays home, not even
hashed, because the server does not hold the consortium secret. The asking side's restricted
purposes and missions travel with them, so the answering side can hold back a match in both
directions exactly as a single installation does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from commonground.domain.errors import InvalidInput
from commonground.domain.frequency import NO_FREQUENCIES, NameFrequencies
from commonground.domain.matching import blocking_keys, match
from commonground.domain.policy import Purpose
from commonground.domain.subjects.container import SCHEME, decode_container
from commonground.domain.subjects.kinds import BlindedSubject, Subject

MAX_PROBE_SUBJECTS = 50  # an operation's subjects; more is not a probe but a bulk query
MAX_VALUE_CHARS = 20_000  # the API's own limit on one encoding
SUBJECT_KEYS = frozenset({"scheme", "values", "restricted_purposes", "missions"})


@dataclass(frozen=True, slots=True)
class ProbeSubjects:
    """The asking operation's blinded encodings and the asking agency's restrictions."""

    encodings: tuple[BlindedSubject, ...]
    restricted_purposes: frozenset[Purpose] = frozenset()
    missions: frozenset[Purpose] = frozenset()

    def to_dict(self) -> dict[str, object]:
        return {
            "scheme": SCHEME,
            "values": [e.value for e in self.encodings],
            "restricted_purposes": sorted(p.value for p in self.restricted_purposes),
            "missions": sorted(p.value for p in self.missions),
        }


def blinded_of(subjects: Iterable[Mapping[str, object]]) -> tuple[BlindedSubject, ...]:
    """Return the stored ``clk-v1`` subjects of an operation; every clear one is left out."""
    out = []
    for s in subjects:
        if s.get("kind") == "blinded" and s.get("scheme") == SCHEME and isinstance(s.get("value"), str):
            out.append(BlindedSubject(scheme=SCHEME, value=str(s["value"])))
    return tuple(out)


def probe_subjects(
    subjects: Iterable[Mapping[str, object]], restricted: frozenset[Purpose], missions: frozenset[Purpose]
) -> ProbeSubjects | None:
    """Return what a probe carries of an operation's subjects, or None when none is blinded."""
    encodings = blinded_of(subjects)[:MAX_PROBE_SUBJECTS]
    return ProbeSubjects(encodings, restricted, missions) if encodings else None


def _purposes(raw: object, field: str) -> frozenset[Purpose]:
    if not isinstance(raw, list):
        raise InvalidInput(field, "must be a list of purposes")
    try:
        return frozenset(Purpose(str(p)) for p in raw)
    except ValueError:
        raise InvalidInput(field, "holds an unknown purpose") from None


def parse_probe_subjects(raw: object) -> ProbeSubjects:
    """Read a probe's ``subjects``; refuse anything but clk-v1 encodings and purpose lists (custody)."""
    if not isinstance(raw, dict):
        raise InvalidInput("subjects", "must be an object with scheme and values")
    extra = sorted(set(raw) - SUBJECT_KEYS)
    if extra:
        raise InvalidInput(f"subjects.{extra[0]}", "a probe carries blinded encodings only")
    if raw.get("scheme") != SCHEME:
        raise InvalidInput("subjects.scheme", f"must be {SCHEME}")
    values = raw.get("values")
    if not isinstance(values, list) or not 0 < len(values) <= MAX_PROBE_SUBJECTS:
        raise InvalidInput("subjects.values", f"must be a list of 1-{MAX_PROBE_SUBJECTS} encodings")
    encodings = []
    for i, value in enumerate(values):
        if not isinstance(value, str) or not 0 < len(value) <= MAX_VALUE_CHARS:
            raise InvalidInput(f"subjects.values.{i}", f"must be a {SCHEME} encoding")
        try:
            decode_container(value)
        except ValueError as exc:
            raise InvalidInput(f"subjects.values.{i}", f"is not a {SCHEME} encoding: {exc}") from None
        encodings.append(BlindedSubject(scheme=SCHEME, value=value))
    return ProbeSubjects(
        tuple(encodings),
        _purposes(raw.get("restricted_purposes", []), "subjects.restricted_purposes"),
        _purposes(raw.get("missions", []), "subjects.missions"),
    )


def probe_keys(subjects: ProbeSubjects) -> frozenset[str]:
    """Return the index keys the answering store looks the encodings up by (``b:`` tokens)."""
    return frozenset(k for e in subjects.encodings for k in blocking_keys(e))


def best_blinded_match(
    mine: Sequence[BlindedSubject], theirs: Sequence[Subject], freq: NameFrequencies = NO_FREQUENCIES
) -> str | None:
    """Return the kind of the best match between the probe's encodings and an operation's subjects.

    The same scoring as a local blinded match (``matching.match``); a clear subject never matches.
    """
    best: tuple[float, str] | None = None
    for a in mine:
        keys = blocking_keys(a)
        for b in theirs:
            if not isinstance(b, BlindedSubject) or not keys & blocking_keys(b):
                continue
            found = match(a, b, freq)
            if found is not None and (best is None or found.score > best[0]):
                best = (found.score, found.kind)
    return None if best is None else best[1]

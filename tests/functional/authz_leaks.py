"""What a 2xx body may carry of each operation: the highest level each role may ever see, by tenant.

The levels are written by hand from docs/api.md and docs/disclosure.md (not computed by the code
under test); the fields of each level are those of its view in ``domain/views.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields
from typing import Any

from commonground.domain.views import FullDetail, OperationalDetail, OperationView
from tests.functional.authz_world import AuthzWorld
from tests.functional.test_role_grants import AA, AD, AU, OF, D, S, W

LEVELS = ("safety", "operational", "full", "own")
_TIERS = {"operational", "full", "own"}
SAFETY = {f.name for f in fields(OperationView) if f.name not in _TIERS} | {"distance_m"}  # a look-up hit's distance
KEYS = {
    "safety": SAFETY,
    "operational": SAFETY | {f.name for f in fields(OperationalDetail)},
    "full": SAFETY | {f.name for f in fields(OperationalDetail)} | {f.name for f in fields(FullDetail)},
}

NEVER: dict[str, str | None] = dict.fromkeys(("own", "linked", "other", "restricted"), None)
# MOST[caller][tenant]: the most of an operation of that tenant the caller may ever receive (None: nothing).
# Officers and supervisors read the sheriff's linked operation through their conflict, at the sheriff's
# `full` to federal agencies, and the city's at `safety` (the own agency's mission is one the city
# restricts); the watch reads any operation in a conflict at its owner's watch level; notices and
# look-ups carry `safety`. The watch role is the installation's to grant: its holder reads the city's
# operations at the city's watch level whatever its home agency's mission.
MOST: dict[str, dict[str, str | None]] = {
    OF: {"own": "own", "linked": "full", "other": None, "restricted": "safety"},
    S: {"own": "own", "linked": "full", "other": None, "restricted": "safety"},
    AA: {"own": "own", "linked": "safety", "other": None, "restricted": "safety"},
    W: {"own": "own", "linked": "operational", "other": "operational", "restricted": "full"},
    D: {"own": "safety", "linked": "safety", "other": None, "restricted": "safety"},
    AU: NEVER,
    AD: NEVER,
    "anonymous": NEVER,
}


# Whose people (user ids, usernames) a caller may be shown: the admin and the auditor (in its log)
# anyone's, every other role its own agency's only.
PEOPLE: dict[str, tuple[str, ...]] = {
    AD: ("own", "other", "restricted", "installation"),
    AU: ("own", "other", "restricted", "installation"),
}


def _rank(level: str | None) -> int:
    return -1 if level is None else LEVELS.index(level)


def _dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _dicts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _dicts(v)


def leaks(body: Any, caller: str, aw: AuthzWorld, *, answers_policy: bool = False) -> tuple[list[str], int]:
    """Name every field of ``body`` above what ``caller`` may see, and count the operation views checked.

    ``answers_policy``: the route answers the new agency's policy to the admin who created it.
    """
    most = MOST[caller]
    found: list[str] = []
    views = 0
    for d in _dicts(body):
        if isinstance(d.get("id"), str) and isinstance(d.get("level_disclosed"), str):  # an operation's view
            views += 1
            tenant = aw.tenant_of(d["id"], str(d.get("agency", {}).get("ori", "")))
            allowed = most.get(tenant)
            if allowed is None:
                found.append(f"{tenant} operation {d['id']} shown at all")
            elif allowed != "own":
                shown = min(_rank(d["level_disclosed"]), _rank(allowed))
                extra = set(d) - KEYS[LEVELS[shown]]
                if _rank(d["level_disclosed"]) > _rank(allowed) or extra:
                    found.append(f"{tenant} operation at {d['level_disclosed']} (most {allowed}): {sorted(extra)}")
        if "ori" in d and "policy" in d and d["ori"] != aw.agencies["own"].ori and not answers_policy:
            found.append(f"policy of agency {d['ori']}")
    text = json.dumps(body)
    for tenant, user_id in aw.ids["user"].items():
        if tenant not in PEOPLE.get(caller, ("own",)) and tenant != "missing":
            found.extend(f"{tenant} user {w}" for w in (user_id, aw.usernames[tenant]) if w in text)
    for op_id, secret in aw.secrets.items():
        allowed = most.get(secret.tenant)
        for level, words in (("operational", secret.operational), ("full", secret.full), ("own", secret.own)):
            if _rank(allowed) < _rank(level):
                found.extend(f"{secret.tenant} operation {op_id}: {w!r}" for w in words if w in text)
    return found, views

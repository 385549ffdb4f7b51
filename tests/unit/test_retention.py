"""The retention rule and the keyed hashes of audit values: pure functions, no store."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from commonground.audit.keyed import Keyed, has_keyed, hash_keyed, keyed_hash
from commonground.domain.after_action import EncounterKind, Outcome, parse_after_action
from commonground.domain.geometry import Area
from commonground.domain.model import Contact, Team
from commonground.domain.retention import (
    SUBJECT_DAYS_CAP,
    RetentionRule,
    extent,
    purged,
    purged_disclosure,
    without_subjects,
)
from commonground.domain.timewindow import isoformat
from tests.unit import factories
from tests.unit.factories import T0

KEY = bytes(range(32))


def test_the_periods_have_their_bounds() -> None:
    rule = RetentionRule()
    assert (rule.operation_days, rule.subject_days, rule.audit_days) == (90, SUBJECT_DAYS_CAP, 365)
    assert rule.operations_ended_before(T0) == T0 - timedelta(days=90)
    assert rule.subjects_entered_before(T0) == T0 - timedelta(days=1826)
    assert rule.audit_before(T0) == T0 - timedelta(days=365)
    for bad in ({"subject_days": 1827}, {"subject_days": 0}, {"audit_days": 364}, {"operation_days": 0}):
        with pytest.raises(ValueError):
            RetentionRule(**bad)


def test_a_purged_operation_keeps_only_its_shell() -> None:
    owner = factories.agency()
    route = Area("LineString", ((-93.3, 44.9), (-93.2, 45.0), (-93.25, 44.95)), 50.0)
    op = factories.operation(owner, area=route)
    shell = purged(op, T0 + timedelta(days=100))
    assert (shell.title, shell.case_number, shell.address, shell.notes, shell.subjects) == ("", None, None, None, ())
    assert shell.contact == Contact("", "") and shell.team == Team()
    assert shell.area == Area(
        "Polygon", ((-93.3, 44.9), (-93.2, 44.9), (-93.2, 45.0), (-93.3, 45.0), (-93.3, 44.9)), 50.0
    )
    kept = ("id", "agency_id", "type", "purpose", "risk", "status", "window", "created_at", "created_by")
    assert all(getattr(shell, name) == getattr(op, name) for name in kept)
    assert shell.purged_at == T0 + timedelta(days=100) and shell.version == op.version + 1
    point = factories.operation(owner)
    assert extent(point.area) == point.area
    bare = without_subjects(op, T0)
    assert bare.subjects == () and bare.title == op.title and bare.purged_at is None


def test_keyed_values_are_replaced_by_their_hash_wherever_they_sit() -> None:
    details = {"username": Keyed("alice"), "channels": [{"kind": "email", "target": Keyed("a@b.org")}], "n": 3}
    assert has_keyed(details) and not has_keyed({"n": 3, "ids": ["x", "y"]})
    sealed = hash_keyed(details, KEY)
    assert sealed == {
        "username": keyed_hash("alice", KEY),
        "channels": [{"kind": "email", "target": keyed_hash("a@b.org", KEY)}],
        "n": 3,
    }
    assert keyed_hash("alice", KEY) != keyed_hash("alice", bytes(32)) != keyed_hash("alicf", bytes(32))
    assert "alice" not in str(sealed) and sealed["username"].startswith("hmac:")


def test_a_purged_after_action_keeps_what_reports_count_and_not_the_words() -> None:
    said = parse_after_action(
        {"outcome": "aborted", "summary": "called off at 06:10", "encounters": [{"kind": "crowd", "note": "rear yard"}]}
    )
    op = replace(factories.operation(factories.agency()), after_action=said)
    shell = purged(op, T0 + timedelta(days=100)).after_action
    assert shell is not None and shell.outcome is Outcome.ABORTED and shell.summary is None
    assert [(e.kind, e.note) for e in shell.encounters] == [(EncounterKind.CROWD, "")]
    assert purged(factories.operation(factories.agency()), T0).after_action is None


def test_a_peer_s_disclosed_operation_keeps_who_and_when_and_a_box() -> None:
    window = {"starts_at": "2026-12-01T13:00:00.000Z", "ends_at": "2026-12-01T15:00:00.000Z"}
    ring = [[-93.27, 44.97], [-93.25, 44.97], [-93.26, 44.99], [-93.27, 44.97]]
    view = {
        "id": "r-1",
        "level_disclosed": "safety",
        "agency": {"name": "Peer", "ori": "MNPEER000", "level": "federal"},
        "contact": {"name": "Sgt Doe", "phone": "+1 612 555 0100", "radio": "TAC 3"},
        "area": {"type": "Polygon", "coordinates": [ring, [[-93.26, 44.975], [-93.255, 44.975], [-93.26, 44.98]]]},
        "window": window,
        "team": {"personnel": 4, "vehicles": "grey van"},
        "title": "a field a peer should never have sent",
    }
    shell = purged_disclosure(view, T0)
    assert shell["contact"] == Contact("", "").to_dict() and shell["team"] == Team().to_dict()
    assert shell["area"] == {
        "type": "Polygon",
        "coordinates": [[[-93.27, 44.97], [-93.25, 44.97], [-93.25, 44.99], [-93.27, 44.99], [-93.27, 44.97]]],
        "radius_m": 0.0,
    }
    assert (shell["id"], shell["agency"], shell["window"], shell["purged_at"]) == (
        "r-1", view["agency"], window, isoformat(T0)
    )  # fmt: skip
    assert "title" not in shell and shell["level_disclosed"] == "safety"
    point = {"type": "Point", "coordinates": [-93.26, 44.97], "radius_m": 150.0}
    assert purged_disclosure({**view, "area": point}, T0)["area"] == point  # a point stays a point
    odd = {"type": "GeometryCollection", "geometries": []}
    assert purged_disclosure({**view, "area": odd}, T0)["area"] == odd  # not read: kept, never lost

"""Retention and purge on both stores: the audit log keeps no values, and a purge leaves shells and counts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.domain.errors import NotAuthenticated
from commonground.domain.model import ConflictStatus
from commonground.service.clock import ManualClock
from commonground.store.schema import audit_log
from tests.conftest import World, operation_data, wire

LETTERS = str.maketrans("0123456789", "ghijklmnop")
START = datetime.now(UTC).replace(microsecond=0)
# A look-up place no other record holds, as the audit log would print it.
LOOKUP_LAT, LOOKUP_LON = 44.97813, -93.26547


class Marks:
    """Distinctive strings, one for every text field a person types; none may reach the audit log."""

    def __init__(self) -> None:
        self.tag = uuid.uuid4().hex[:10].translate(LETTERS)  # names take letters only
        self.values: dict[str, str] = {
            name: f"Zq{name.replace('_', '')}{self.tag}"
            for name in (
                "title",
                "case_number",
                "address",
                "contact_name",
                "contact_radio",
                "vehicles",
                "notes",
                "first_name",
                "last_name",
                "plate",
                "note",
                "username",
                "patch_notes",
            )
        }

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def found_in(self, text: str) -> list[str]:
        return sorted(name for name, value in self.values.items() if value.lower() in text.lower())


def operation_with(marks: Marks, lat: float, lon: float, starts: datetime) -> dict[str, Any]:
    """A submission whose every text field carries a mark."""
    return operation_data(
        lat,
        lon,
        starts=starts,
        title=marks["title"],
        case_number=marks["case_number"],
        location={"lat": lat, "lon": lon, "radius_m": 100, "address": marks["address"]},
        contact={"name": marks["contact_name"], "phone": "+1 612 555 0142", "radio": marks["contact_radio"]},
        team={"personnel": 4, "attire": "plain_clothes", "vehicles": marks["vehicles"]},
        notes=marks["notes"],
        subjects=[
            {"kind": "person", "first_name": marks["first_name"], "last_name": marks["last_name"], "dob": "1971-02-03"},
            {"kind": "vehicle", "plate": marks["plate"][:8].upper(), "state": "MN"},
        ],
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def timed(store_url: str, clock: ManualClock) -> Iterator[Services]:
    built = build_services(Settings(database_url=store_url), clock=clock)
    yield built
    built.close()


@pytest.fixture
def timed_world(timed: Services) -> World:
    return World(timed)


def audit_text(services: Services) -> str:
    """Every stored audit row, as one string: what a reader of the table would see."""
    engine = services.store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(audit_log)).mappings()]
    return json.dumps(rows, default=str)


def act(world: World, marks: Marks, clock: ManualClock) -> tuple[str, str, str]:
    """Run the actions that write audit records about marked data; return both operation ids and the conflict's."""
    s = world.services
    one, two = world.agency("state"), world.agency("local")
    sgt_one, sgt_two = world.person(one, "supervisor"), world.person(two, "supervisor")
    starts = START + timedelta(days=1)
    first, _ = wire(s.operations.submit(sgt_one, operation_with(marks, 44.9701, -93.2601, starts)))
    second, found = wire(s.operations.submit(sgt_two, operation_with(marks, 44.9702, -93.2602, starts)))
    [conflict] = [c for c in found if c["kind"] == "proximity"]
    s.operations.update(sgt_one, first["id"], {"notes": marks["patch_notes"]}, first["version"])
    s.operations.get(sgt_two, first["id"])
    s.conflicts.acknowledge(sgt_two, conflict["id"], {})
    s.conflicts.close(sgt_one, conflict["id"], {"note": marks["note"]}, ConflictStatus.RESOLVED)
    dispatcher = world.person(two, "dispatcher")
    clock.advance(timedelta(days=1, minutes=30))
    s.lookups.lookup(dispatcher, LOOKUP_LAT, LOOKUP_LON, 400, None)
    named = s.accounts.create_user(
        world.admin,
        {
            "agency_id": one.id,
            "username": marks["username"],
            "display_name": "x",
            "roles": ["officer"],
            "password": "correct horse battery",
        },
    )
    with pytest.raises(NotAuthenticated):
        s.signin.api_login(named.username, "wrong password here", None)
    return first["id"], second["id"], conflict["id"]


def test_the_audit_log_keeps_no_value_of_what_it_records(timed_world: World, clock: ManualClock) -> None:
    marks = Marks()
    act(timed_world, marks, clock)
    stored = audit_text(timed_world.services)
    assert marks.found_in(stored) == []
    assert f"{LOOKUP_LAT}" not in stored and f"{LOOKUP_LON}" not in stored
    assert timed_world.services.audit.verify().intact

"""Every path that lets operation data out, against generated policies: nothing above the level.

Policies x viewer agency level x role x context are generated; each example enters a real
operation, makes the viewer see it the way that context does, serialises every response
and fails when a key or a secret above the allowed level appears.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonground.domain.disclosure import KEYS_BY_LEVEL
from commonground.domain.policy import COUNTERPART_CLASSES, Level
from commonground.service.lookups import Lookups
from tests.conftest import SOON, World, operation_data, wire

LEVELS = [lv.value for lv in Level]
PURPOSES = ["criminal", "civil_immigration", "public_order", "protective", "training", "other"]
_place = itertools.count()


def views_of(payload: Any, op_id: str) -> Iterator[dict[str, Any]]:
    """Every dict in a response that describes the owner's operation."""
    if isinstance(payload, dict):
        if payload.get("id") == op_id and "level_disclosed" in payload:
            yield payload
        for value in payload.values():
            yield from views_of(value, op_id)
    elif isinstance(payload, list):
        for item in payload:
            yield from views_of(item, op_id)


def square(lat: float, lon: float, d: float = 0.05) -> dict[str, Any]:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]
        ],
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    disclose=st.lists(st.sampled_from(LEVELS), min_size=5, max_size=5),
    restricted=st.sets(st.sampled_from(PURPOSES), max_size=3),
    viewer_level=st.sampled_from(["federal", "state", "local", "tribal"]),
    viewer_purpose=st.sampled_from(PURPOSES),
    context=st.sampled_from(["conflict", "notice", "lookup", "watch"]),
)
def test_no_path_discloses_above_the_allowed_level(
    sqlite_world: World, disclose: list[str], restricted: set[str], viewer_level: str, viewer_purpose: str, context: str
) -> None:
    world, services = sqlite_world, sqlite_world.services
    n = next(_place)
    lat, lon = -60.0 + (n % 240) * 0.5, -170.0 + (n // 240) * 1.0  # a fresh place per example
    secrets = {"title": f"Title-{n}x", "case_number": f"CASE-{n}x", "notes": f"Notes-{n}x", "address": f"Addr-{n}x"}
    policy: dict[str, Any] = {
        "disclose": dict(zip(COUNTERPART_CLASSES, disclose, strict=True)),
        "restricted_purposes": sorted(restricted),
    }
    owner = world.agency("state", policy=policy)
    viewer_agency = world.agency(viewer_level, jurisdiction=square(lat, lon))
    op, _ = wire(
        services.operations.submit(
            world.person(owner),
            operation_data(
                lat,
                lon,
                title=secrets["title"],
                case_number=secrets["case_number"],
                notes=secrets["notes"],
                location={"lat": lat, "lon": lon, "radius_m": 50, "address": secrets["address"]},
            ),
        )
    )
    responses: list[Any] = []
    if context == "conflict":
        viewer = world.person(viewer_agency, "supervisor")
        _, found = wire(services.operations.submit(viewer, operation_data(lat, lon, purpose=viewer_purpose)))
        responses += [
            found,
            list(wire(services.conflicts.list(viewer, None, 100, None)).items),
            wire(services.operations.get(viewer, op["id"])),
        ]
        allowed = "safety" if viewer_purpose in restricted else policy["disclose"][viewer_level]
    elif context == "notice":
        responses.append(list(wire(services.notices.list(world.person(viewer_agency, "officer"), 100, None)).items))
        allowed = "safety"
    elif context == "lookup":
        responses.append(
            wire(
                # The operation is two days ahead; this path is about what a hit shows, not when one may ask.
                Lookups(services.store, services.clock, at_window=timedelta(days=3)).lookup(
                    world.person(viewer_agency, "dispatcher"), lat, lon, 200, SOON + timedelta(minutes=30)
                )
            )
        )
        allowed = "safety"
    else:
        services.operations.submit(world.person(world.agency()), operation_data(lat, lon))
        watch = world.person(viewer_agency, "watch")
        responses += [
            list(wire(services.conflicts.list(watch, None, 1000, None)).items),
            wire(services.operations.get(watch, op["id"])),
        ]
        allowed = policy["disclose"]["watch"]

    views = list(views_of(responses, op["id"]))
    assert views, f"the {context} path showed nothing of the operation"
    rendered = json.dumps(responses)
    extra = {"distance_m"} if context == "lookup" else set()  # from the dispatcher's point, per API.md
    for view in views:
        assert view["level_disclosed"] == allowed
        assert set(view) <= KEYS_BY_LEVEL[Level(allowed)] | extra, set(view) - KEYS_BY_LEVEL[Level(allowed)]
    hidden = {
        "safety": secrets.values(),
        "operational": [secrets[k] for k in ("title", "case_number", "notes")],
        "full": [],
    }[allowed]
    assert [s for s in hidden if s in rendered] == []

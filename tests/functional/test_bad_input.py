"""Bad input over HTTP: each is a 4xx naming the field, and nothing is stored (issue 16, "Trust").

Complements tests/functional/test_trust_inputs.py (years, lone surrogates, vertex counts, look-ups).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import httpx

from commonground.domain.errors import InvalidInput
from commonground.service.ports import AuditFilter, UserFilter
from tests.conftest import World, bearer, operation_data

API = "/api/v1"
MIB = 1024 * 1024


def _rows(world: World) -> dict[str, int]:
    """Count what a refused request might have left behind, through the store."""
    with world.services.store.read() as tx:
        return {
            "operations": tx.operations.count(),
            "agencies": len(tx.agencies.page(10_000, None).items),
            "people": len(tx.people.page(UserFilter(), 10_000, None).items),
            "audit": len(tx.audit.records(AuditFilter(), 100_000, None).items),
            "events": tx.outbox.last_seq(),
        }


def _send(http: httpx.Client, method: str, path: str, token: str, raw: str | bytes, **headers: str) -> httpx.Response:
    return http.request(
        method, API + path, content=raw, headers={**bearer(token), "Content-Type": "application/json", **headers}
    )


def _json(http: httpx.Client, method: str, path: str, token: str, body: Any, **headers: str) -> httpx.Response:
    return _send(http, method, path, token, json.dumps(body), **headers)


def _names(answer: httpx.Response, field: str, status: int = 422) -> None:
    assert answer.status_code == status, (field, answer.status_code, answer.text[:300])
    error = answer.json()["error"]
    named = [d["field"] for d in error["details"]]
    assert any(n == field or n.startswith(field + ".") for n in named), (field, answer.text[:300])


def _officer(world: World) -> tuple[str, Any]:
    agency = world.agency()
    return world.token(world.person(agency, "supervisor")), agency


def _op_id(answer: httpx.Response) -> str:
    assert answer.status_code == 201, answer.text[:300]
    body = answer.json()
    return str(body["operation"]["id"] if "operation" in body else body["id"])


# --- bodies -----------------------------------------------------------------------------


def test_bodies_over_the_limit_are_refused_by_size_before_parsing(http: httpx.Client, world: World) -> None:
    """1 MiB is the default: a 10 MB body (sized or chunked, even not JSON at all) is a 413 naming ``body``."""
    token, _ = _officer(world)
    before = _rows(world)
    padded = operation_data(notes="x" * 3000)
    padded["subjects"] = [{"kind": "other", "id_kind": "pad", "value": "A" * 100}] * 40_000
    sized = json.dumps(padded).encode()
    assert len(sized) > 4 * MIB
    _names(_send(http, "POST", "/operations", token, sized), "body", 413)
    _names(_send(http, "POST", "/operations", token, b"{" * (10 * MIB)), "body", 413)

    def chunks() -> Iterator[bytes]:
        for _ in range(160):
            yield b" " * 65_536  # 10 MiB in all, sent without a Content-Length

    answer = http.post(
        f"{API}/operations", content=chunks(), headers={**bearer(token), "Content-Type": "application/json"}
    )
    _names(answer, "body", 413)
    assert _rows(world) == before
    near = json.dumps(operation_data(notes="y" * 3000)).encode()
    assert _send(http, "POST", "/operations", token, near).status_code == 201


def test_nesting_ten_thousand_deep_is_a_422_naming_body(http: httpx.Client, world: World) -> None:
    """A deeply nested document was a parser error (or a RecursionError); it is refused before parsing."""
    token, _ = _officer(world)
    before = _rows(world)
    for raw in ("[" * 10_000 + "]" * 10_000, '{"a":' * 10_000 + "1" + "}" * 10_000):
        _names(_send(http, "POST", "/operations", token, raw), "body")
    deep_notes = json.dumps(operation_data())[:-1] + ', "subjects": ' + "[" * 10_000 + "]" * 10_000 + "}"
    _names(_send(http, "POST", "/operations", token, deep_notes), "body")
    assert _rows(world) == before


def test_nan_and_infinity_are_refused_naming_the_number(http: httpx.Client, world: World) -> None:
    """JSON has no NaN or Infinity; Python's parser takes them, so each is refused where it stands."""
    token, agency = _officer(world)
    admin = world.token(world.person(agency, "agency_admin"))
    before = _rows(world)
    base = json.dumps(operation_data())
    for literal in ("NaN", "Infinity", "-Infinity"):
        for old, field in (
            ('"lat": 44.9778', "location.lat"),
            ('"radius_m": 100', "location.radius_m"),
            ('"personnel": 6', "team.personnel"),
        ):
            raw = base.replace(old, f'"{old.split(":")[0].strip(chr(34))}": {literal}')
            assert raw != base
            _names(_send(http, "POST", "/operations", token, raw), field)
        line = {"type": "LineString", "coordinates": [[-93.26, 44.97], [-93.25, 12.345678]], "radius_m": 20}
        sent = json.dumps(_shaped(line)).replace("12.345678", literal)
        _names(_send(http, "POST", "/operations", token, sent), "geometry.coordinates.1")
        policy = '{"proximity_m": ' + literal + "}"
        _names(_send(http, "PUT", f"/agencies/{agency.id}/policy", admin, policy), "proximity_m")
    assert _rows(world) == before
    dispatcher = world.token(world.person(agency, "dispatcher"))
    for value in ("nan", "inf", "-inf"):
        answer = http.get(f"{API}/lookup", params={"lat": value, "lon": -93.26}, headers=bearer(dispatcher))
        _names(answer, "lookup.lat")


# --- text -------------------------------------------------------------------------------

CONTROLS = ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\u202e"]


def _operation_fields(bad: str) -> list[tuple[dict[str, Any], str]]:
    """Every text field of an operation, each carrying ``bad``."""
    return [
        ({"title": f"Warrant {bad}"}, "title"),
        ({"notes": f"entry {bad}"}, "notes"),
        ({"case_number": f"C-{bad}"}, "case_number"),
        ({"type": f"search_warrant{bad}"}, "type"),
        ({"location": {"lat": 44.9778, "lon": -93.265, "address": f"1 {bad} St"}}, "location.address"),
        ({"contact": {"name": f"Sgt {bad}", "phone": "+1 612 555 0100"}}, "contact.name"),
        ({"contact": {"name": "Sgt", "phone": f"+1 612 555 0100{bad}"}}, "contact.phone"),
        ({"contact": {"name": "Sgt", "phone": "+1 612 555 0100", "radio": f"TAC{bad}"}}, "contact.radio"),
        ({"team": {"vehicles": f"van {bad}"}}, "team.vehicles"),
        ({"subjects": [{"kind": "person", "last_name": f"Smith{bad}"}]}, "subjects.0.last_name"),
        ({"subjects": [{"kind": "vehicle", "plate": f"ABC{bad}", "state": "MN"}]}, "subjects.0.plate"),
        ({"subjects": [{"kind": "address", "line1": f"1 Main {bad}", "city": "X"}]}, "subjects.0.line1"),
        ({"subjects": [{"kind": "other", "id_kind": f"badge{bad}", "value": "AB12"}]}, "subjects.0.id_kind"),
    ]


def _account_fields(world: World, agency: Any, bad: str) -> list[tuple[str, str, dict[str, Any], str]]:
    """Text fields of agencies, users and tokens: (method, path, body, field)."""
    user = {"agency_id": agency.id, "username": "someone", "display_name": "Someone", "roles": ["officer"]}
    new_agency = {"ori": "MN0000000", "name": "Bad", "level": "local", "duty_phone": "+1 612 555 0000"}
    new_agency["timezone"] = "America/Chicago"
    return [
        ("POST", "/users", user | {"display_name": f"X{bad}"}, "display_name"),
        ("POST", "/users", user | {"username": f"someone{bad}"}, "username"),
        ("POST", "/users", user | {"phone": f"+1 612 555 0100{bad}"}, "phone"),
        ("POST", "/users", user | {"email": f"a{bad}@example.org"}, "email"),
        ("POST", "/agencies", new_agency | {"name": f"Bad {bad}"}, "name"),
        ("POST", "/agencies", new_agency | {"duty_phone": f"+1 612 555 0000{bad}"}, "duty_phone"),
        ("POST", "/tokens", {"user_id": world.admin.user.id, "name": f"CAD {bad}"}, "name"),
    ]


def _conflict(http: httpx.Client, world: World, token: str, lat: float) -> str:
    other = world.token(world.person(world.agency("federal"), "supervisor"))
    assert _json(http, "POST", "/operations", other, operation_data(lat)).status_code == 201
    answer = _json(http, "POST", "/operations", token, operation_data(lat))
    assert answer.status_code == 201, answer.text
    [conflict] = answer.json()["conflicts"]
    return str(conflict["id"])


def _refused_everywhere(http: httpx.Client, world: World, bad: str, lat: float = 44.9778) -> None:
    token, agency = _officer(world)
    conflict_id = _conflict(http, world, token, lat)
    made = _op_id(_json(http, "POST", "/operations", token, operation_data(lat=10.0, lon=10.0)))
    root = world.token(world.admin)
    before = _rows(world)
    for change, field in _operation_fields(bad):
        _names(_json(http, "POST", "/operations", token, operation_data(**change)), field)
        _names(_json(http, "PATCH", f"/operations/{made}", token, change, **{"If-Match": "1"}), field)
    for method, path, body, field in _account_fields(world, agency, bad):
        _names(_json(http, method, path, root, body), field)
    for action in ("resolve", "dismiss"):
        _names(_json(http, "POST", f"/conflicts/{conflict_id}/{action}", token, {"note": f"done {bad}"}), "note")
    assert _rows(world) == before
    with world.services.store.read() as tx:
        stored = tx.operations.get(made)
    assert stored is not None and stored.version == 1


def test_control_characters_are_refused_in_every_text_field(http: httpx.Client, world: World) -> None:
    """NUL, BEL, ESC, DEL, NEL and a right-to-left override: each a 422 naming its field, nothing stored."""
    for i, bad in enumerate(CONTROLS):
        _refused_everywhere(http, world, bad, lat=40.0 + i)


def test_line_breaks_are_refused_in_one_line_fields_and_kept_in_notes(http: httpx.Client, world: World) -> None:
    """A title, name or phone is one line; notes and a conflict's note may hold tabs and line breaks."""
    token, _ = _officer(world)
    before = _rows(world)
    for change, field in _operation_fields("\n")[:1] + _operation_fields("\t")[2:8]:
        _names(_json(http, "POST", "/operations", token, operation_data(**change)), field)
    assert _rows(world) == before
    made = _json(http, "POST", "/operations", token, operation_data(notes="entry at 06:05\n\tback door\r\n"))
    op_id = _op_id(made)
    with world.services.store.read() as tx:
        stored = tx.operations.get(op_id)
    assert stored is not None and stored.notes == "entry at 06:05\n\tback door"


def test_hundred_thousand_character_strings_are_refused_in_every_text_field(http: httpx.Client, world: World) -> None:
    """A 100,000-character value in any field is a 422 naming it (the body itself is under the size limit)."""
    _refused_everywhere(http, world, "a" * 100_000)


# --- areas ------------------------------------------------------------------------------


def _ring(n: int, lon: float = -93.265, lat: float = 44.9778, r: float = 0.01) -> list[list[float]]:
    points = [[lon + r * math.cos(2 * math.pi * i / n), lat + r * math.sin(2 * math.pi * i / n)] for i in range(n)]
    return [*points, points[0]]


def _shaped(geometry: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = operation_data(geometry=geometry, **extra)
    body.pop("location")
    return body


BOWTIE = [[-93.30, 44.95], [-93.20, 45.00], [-93.20, 44.95], [-93.30, 45.00], [-93.30, 44.95]]


def test_polygons_of_100000_vertices_or_crossing_themselves_are_refused(http: httpx.Client, world: World) -> None:
    """100,000 vertices is refused (by size, or by count under a larger body limit); a bow-tie is a 422."""
    token, agency = _officer(world)
    admin = world.token(world.person(agency, "agency_admin"))
    before = _rows(world)
    huge = {"type": "Polygon", "coordinates": [_ring(100_000)]}
    answer = _json(http, "POST", "/operations", token, _shaped(huge))
    assert answer.status_code in (413, 422)
    _names(answer, "body" if answer.status_code == 413 else "geometry", answer.status_code)
    _names(_json(http, "POST", "/operations", token, _shaped({"type": "Polygon", "coordinates": [BOWTIE]})), "geometry")
    bowtie = {"type": "Polygon", "coordinates": [BOWTIE]}
    _names(_json(http, "PUT", f"/agencies/{agency.id}/jurisdiction", admin, bowtie), "jurisdiction")
    assert _rows(world) == before
    assert world.services.accounts.get_agency(agency.id).jurisdiction is None


def test_areas_larger_than_the_setting_are_refused(http: httpx.Client, world: World) -> None:
    """10,000 km² by default: a polygon, a route's buffer and a circle each count their widened size."""
    token, agency = _officer(world)
    admin = world.token(world.person(agency, "agency_admin"))
    before = _rows(world)
    square = [[-93.9, 44.4], [-92.4, 44.4], [-92.4, 45.4], [-93.9, 45.4], [-93.9, 44.4]]  # ~13,200 km²
    _names(_json(http, "POST", "/operations", token, _shaped({"type": "Polygon", "coordinates": [square]})), "geometry")
    route = {"type": "LineString", "coordinates": [[-93.9, 44.9], [-92.4, 44.9]], "radius_m": 40_000}  # ~14,500 km²
    _names(_json(http, "POST", "/operations", token, _shaped(route)), "geometry")
    zigzag = [[-93.5 + 0.01 * (i % 2), 44.5 + 0.8 * (i % 4 in (1, 2))] for i in range(400)]
    wide_zigzag = {
        "type": "LineString",
        "coordinates": zigzag,
        "radius_m": 5_000,
    }  # 400 legs of 89 km: ~180,000 km² widened
    _names(_json(http, "POST", "/operations", token, _shaped(wide_zigzag)), "geometry")
    ring = {"type": "Polygon", "coordinates": [_ring(64, r=0.4)], "radius_m": 30_000}  # ~4,400 km², widened ~15,000
    _names(_json(http, "POST", "/operations", token, _shaped(ring)), "geometry")
    made = _op_id(_json(http, "POST", "/operations", token, operation_data(lat=10.0, lon=10.0)))
    patch = {"geometry": {"type": "Polygon", "coordinates": [square]}}
    _names(_json(http, "PATCH", f"/operations/{made}", token, patch, **{"If-Match": "1"}), "geometry")
    continent = {"type": "Polygon", "coordinates": [_ring(64, r=12.0)]}  # ~4,000,000 km², 2,700 km across
    _names(_json(http, "PUT", f"/agencies/{agency.id}/jurisdiction", admin, continent), "jurisdiction")
    after = _rows(world)
    assert after["operations"] == before["operations"] + 1 and after["agencies"] == before["agencies"]
    assert world.services.accounts.get_agency(agency.id).jurisdiction is None
    state = {"type": "Polygon", "coordinates": [_ring(64, r=2.0)]}  # ~110,000 km²: a jurisdiction may be a state
    assert _json(http, "PUT", f"/agencies/{agency.id}/jurisdiction", admin, state).status_code == 200
    circle = operation_data(radius_m=50_000)  # the largest circle, ~7,850 km², stays accepted
    assert _json(http, "POST", "/operations", token, circle).status_code == 201


def test_the_largest_accepted_area_leaves_a_nearby_submission_answered(http: httpx.Client, world: World) -> None:
    """No request can make later ones wrong or stuck: 10,000 vertices near the size limit, then a normal check."""
    token, _ = _officer(world)
    big = {"type": "Polygon", "coordinates": [_ring(9_999, r=0.55)]}  # ~8,300 km², 10,000 positions
    big_id = _op_id(_json(http, "POST", "/operations", token, _shaped(big, title="County-wide sweep")))
    other = world.token(world.person(world.agency("federal"), "supervisor"))
    inside = _json(http, "POST", "/operations", other, operation_data(lat=44.9778 + 0.3, lon=-93.265))
    assert inside.status_code == 201, inside.text[:300]
    assert [c["counterpart"]["id"] for c in inside.json()["conflicts"]] == [big_id]
    outside = _json(http, "POST", "/operations", other, operation_data(lat=44.9778 + 0.7, lon=-93.265))
    assert outside.status_code == 201 and outside.json()["conflicts"] == []


def test_a_token_named_from_the_console_form_is_checked_like_the_api(world: World) -> None:
    """The console's token form calls the use-case with the raw form value, past the API models' net."""
    who = world.person(world.agency(), "officer")
    before = _rows(world)
    for bad in ("CAD \x1b[31m", "CAD\x00", "a" * 100_000, "CAD\nlink"):
        try:
            world.services.accounts.create_token(world.admin, who.user.id, bad)
        except InvalidInput as refused:
            assert refused.field == "name"
        else:
            raise AssertionError(f"token name {bad[:20]!r} was accepted")
    assert _rows(world) == before

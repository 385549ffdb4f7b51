"""The authorization matrix: every API route x every role (and no token) x every tenant, over HTTP.

Issue 16: "No test enumerates route x role x tenant." ``MATRIX`` holds the expected status of every
cell, written by hand from docs/api.md; the route list comes from the app, so a new route fails
``test_every_api_route_has_a_row`` until someone writes its row. Every 2xx body is checked against
the most each caller may see of each operation (``authz_leaks.MOST``). The tenants and their
objects are described in ``authz_world``.

A row maps callers to a rule. Callers are role names, ``anonymous`` (no token), ``*`` (every role
not named) and ``everyone`` (every role and no token). A rule is ``column:status`` for each column
of the route's kind, or one status for all of them. Unnamed roles get 403, no token 401.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.domain.model import Role
from commonground.http.app import create_app
from commonground.web.session import ConsoleRequires
from tests.conftest import LiveServer, World, fresh_postgres_database
from tests.functional.authz_calls import send
from tests.functional.authz_leaks import leaks
from tests.functional.authz_world import COLUMNS, AuthzWorld
from tests.functional.test_route_permissions import api_routes, declared

CALLERS: tuple[str, ...] = ("anonymous", *(r.value for r in Role))
OWN_ONLY = "own:{s} other:404 restricted:404 installation:404 missing:404"
AGENCY_OWN_ONLY = "own:{s} other:403 restricted:403 installation:403 missing:403"  # the directory is public
EVERY = "own:{s} other:{s} restricted:{s} installation:{s} missing:404"
ENTERED = "own:200 linked:404 other:404 restricted:404 missing:404"  # the own agency's operations only
NOT_ENTERING = "own:403 linked:404 other:404 restricted:404 missing:404"  # may read, never change
SIDES = "own:200 other:404 restricted:200 missing:404"  # conflicts the own agency is a side of
WATCHED = "own:200 other:200 restricted:200 missing:404"  # the watch center: every conflict
ANY_KNOWN = "own:{s} other:{s} restricted:{s} installation:{s} missing:422"  # a body's unknown id is input
AGENCY_ADMIN_ADMIN = "agency_admin admin"
ALERTED = "officer supervisor dispatcher watch agency_admin"

# route -> (what its id names, {callers: rule})
MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    "GET /healthz": ("none", {"everyone": "200"}),
    "GET /readyz": ("none", {"everyone": "200"}),
    "GET /metrics": ("none", {"everyone": "200"}),  # from loopback, with no token set: tests/functional/test_metrics.py
    "GET /api/v1/openapi.json": ("none", {"everyone": "200"}),
    "POST /api/v1/auth/login": ("login", {"everyone": "own:200 missing:401"}),
    "POST /api/v1/auth/set-password": ("none", {"everyone": "422"}),
    "POST /api/v1/tokens": (
        "user",
        {
            "agency_admin": "own:201 other:404 restricted:404 installation:404 missing:422",
            "admin": ANY_KNOWN.format(s=201),
        },
    ),
    "GET /api/v1/tokens": ("none", {AGENCY_ADMIN_ADMIN: "200"}),
    "POST /api/v1/tokens/{token_id}/revoke": (
        "token",
        {"agency_admin": OWN_ONLY.format(s=204), "admin": EVERY.format(s=204)},
    ),
    "POST /api/v1/agencies": ("none", {"admin": "201"}),
    "GET /api/v1/agencies": ("none", {"*": "200"}),
    "GET /api/v1/agencies/{agency_id}": ("agency", {"*": EVERY.format(s=200)}),
    "GET /api/v1/agencies/{agency_id}/policy": ("agency", {"agency_admin": OWN_ONLY.format(s=200)}),
    "PUT /api/v1/agencies/{agency_id}/policy": ("agency", {"agency_admin": AGENCY_OWN_ONLY.format(s=200)}),
    "PUT /api/v1/agencies/{agency_id}/missions": ("agency", {"admin": EVERY.format(s=200)}),
    "PUT /api/v1/agencies/{agency_id}/jurisdiction": (
        "agency",
        {"agency_admin": AGENCY_OWN_ONLY.format(s=200), "admin": EVERY.format(s=200)},
    ),
    "GET /api/v1/agencies/{agency_id}/channels": ("agency", {"agency_admin": OWN_ONLY.format(s=200)}),
    "PUT /api/v1/agencies/{agency_id}/channels": ("agency", {"agency_admin": OWN_ONLY.format(s=200)}),
    "POST /api/v1/agencies/{agency_id}/channels/test": ("agency", {"agency_admin": OWN_ONLY.format(s=200)}),
    "GET /api/v1/watch/channels": ("none", {"admin": "200"}),
    "GET /api/v1/agencies/{agency_id}/deliveries": (
        "agency",
        {"agency_admin": OWN_ONLY.format(s=200), "admin": EVERY.format(s=200)},
    ),
    "POST /api/v1/deliveries/{delivery_id}/redeliver": ("delivery", {AGENCY_ADMIN_ADMIN: "404"}),
    "GET /api/v1/watch/overdue": ("none", {"watch": "200"}),
    "POST /api/v1/near-misses": ("none", {"officer supervisor watch": "201"}),
    "GET /api/v1/near-misses": ("none", {"officer supervisor watch": "200"}),
    "POST /api/v1/targets": ("none", {"officer supervisor": "201"}),
    "GET /api/v1/targets": ("none", {"officer supervisor": "200"}),
    "GET /api/v1/targets/{target_id}": ("target", {"officer supervisor": "own:200 other:404 missing:404"}),
    "DELETE /api/v1/targets/{target_id}": ("target", {"officer supervisor": "own:204 other:404 missing:404"}),
    "GET /api/v1/cad/alerts": ("none", {"dispatcher": "200"}),
    "GET /api/v1/reports/participation": ("none", {"auditor watch agency_admin": "200"}),
    "GET /api/v1/reports/public": ("none", {"everyone": "200"}),
    "PUT /api/v1/agencies/{agency_id}/sensitive-places": ("agency", {"agency_admin": AGENCY_OWN_ONLY.format(s=200)}),
    "GET /api/v1/agencies/{agency_id}/sensitive-places": ("agency", {"agency_admin": AGENCY_OWN_ONLY.format(s=200)}),
    "PUT /api/v1/sensitive-places": ("none", {"watch": "200"}),  # the installation-wide set
    "GET /api/v1/sensitive-places": ("none", {"watch": "200"}),
    "POST /api/v1/conflicts/{conflict_id}/assign": ("conflict", {"watch": WATCHED}),
    "POST /api/v1/conflicts/{conflict_id}/contacts": ("conflict", {"watch": WATCHED.replace("200", "201")}),
    "PUT /api/v1/watch/channels": ("none", {"admin": "200"}),
    "POST /api/v1/users": (
        "agency",
        {
            "agency_admin": AGENCY_OWN_ONLY.format(s=201),
            "admin": ANY_KNOWN.format(s=201),
        },
    ),
    "GET /api/v1/users": ("none", {AGENCY_ADMIN_ADMIN: "200"}),
    **{
        f"{method} /api/v1/users/{{user_id}}{tail}": (
            "user",
            {"agency_admin": OWN_ONLY.format(s=status), "admin": EVERY.format(s=status)},
        )
        for method, tail, status in (
            ("PATCH", "", 200),
            ("POST", "/disable", 200),
            ("POST", "/enable", 200),
            ("POST", "/reset-password", 201),
            ("POST", "/reset-mfa", 200),
        )
    },
    "POST /api/v1/operations": ("none", {"officer supervisor": "201"}),
    "GET /api/v1/operations": ("none", {"officer supervisor agency_admin": "200"}),
    "GET /api/v1/operations/{operation_id}": (
        "operation",
        {
            "officer supervisor watch": "own:200 linked:200 other:404 restricted:200 missing:404",
            "agency_admin": ENTERED,
        },
    ),
    "PATCH /api/v1/operations/{operation_id}": (
        "operation",
        {"officer supervisor": ENTERED, "agency_admin watch": NOT_ENTERING},
    ),
    "POST /api/v1/operations/{operation_id}/cancel": (
        "operation",
        {"officer supervisor": ENTERED, "agency_admin watch": NOT_ENTERING},
    ),
    "POST /api/v1/operations/{operation_id}/complete": (
        "operation",
        {"officer supervisor": ENTERED, "agency_admin watch": NOT_ENTERING},
    ),
    "GET /api/v1/conflicts": ("none", {"officer supervisor watch": "200"}),
    "GET /api/v1/conflicts/{conflict_id}": ("conflict", {"officer supervisor": SIDES, "watch": WATCHED}),
    "POST /api/v1/conflicts/{conflict_id}/ack": ("conflict", {"officer supervisor": SIDES, "watch": WATCHED}),
    "POST /api/v1/conflicts/{conflict_id}/resolve": ("conflict", {"supervisor": SIDES, "watch": WATCHED}),
    "POST /api/v1/conflicts/{conflict_id}/dismiss": ("conflict", {"supervisor": SIDES, "watch": WATCHED}),
    "GET /api/v1/notices": ("none", {ALERTED: "200"}),
    "POST /api/v1/notices/{notice_id}/response": (
        "notice",
        {"supervisor dispatcher agency_admin": "own:200 missing:404"},
    ),
    "GET /api/v1/stream": ("none", {ALERTED: "200"}),
    "POST /api/v1/operations/{operation_id}/incidents": (
        "operation",
        {"officer supervisor": ENTERED.replace("200", "201"), "agency_admin watch": NOT_ENTERING},
    ),
    "GET /api/v1/operations/{operation_id}/incidents": (
        "operation",
        {
            "officer supervisor dispatcher agency_admin": "own:200 linked:200 other:404 restricted:404 missing:404",
            "watch": "own:200 linked:200 other:200 restricted:200 missing:404",
        },
    ),
    "GET /api/v1/incidents": ("none", {ALERTED: "200"}),
    "POST /api/v1/incidents/{incident_id}/acknowledge": (
        "incident",
        {"supervisor dispatcher agency_admin watch": "own:200 missing:404"},
    ),
    "GET /api/v1/lookup": ("none", {"dispatcher": "200"}),
    "GET /api/v1/verify": ("none", {"officer supervisor dispatcher watch": "200"}),
    "GET /api/v1/verify/plate": ("none", {"officer supervisor dispatcher watch": "200"}),
    "GET /api/v1/reports/transparency": ("none", {"auditor": "200"}),
    "GET /api/v1/audit": ("none", {"auditor": "200"}),
    "GET /api/v1/audit/checkpoints": ("none", {"auditor admin": "200"}),
    "GET /api/v1/federation/identity": ("none", {"*": "200"}),
    "GET /api/v1/federation/peers": ("none", {"admin": "200"}),
    "POST /api/v1/federation/peers": ("none", {"admin": "201"}),
    "DELETE /api/v1/federation/peers/{peer_id}": ("peer", {"admin": "installation:204 missing:404"}),
}

# Routes the matrix does not call, and why: the console's pages answer a session cookie, not a
# bearer token (they declare a ``ConsoleRequires``; tests/functional/test_console_*.py), and the
# routes between installations answer only requests signed with a registered peer's key
# (tests/functional/test_federation*.py try them unsigned, replayed and from unknown keys).
PEER_ROUTES = "/federation/v1/"

# 2xx answers that carry no data of any tenant: the contract (its examples look like operations) and
# the live stream (read for its status only; tests/functional/test_notify_stream.py reads its events).
NO_DATA = {"GET /api/v1/openapi.json", "GET /api/v1/stream", "GET /metrics"}  # metrics: Prometheus text, counts only


def served(app: FastAPI | None = None) -> dict[str, APIRoute]:
    """Every route the app serves, as ``METHOD path``."""
    return {
        f"{method} {path}": route
        for path, route in api_routes((app or create_app()).routes)
        for method in sorted(set(route.methods or ()) - {"HEAD"})
    }


def rowless(routes: dict[str, APIRoute]) -> list[str]:
    """The routes without a row that are neither a console page nor the peer probe."""
    return sorted(
        key
        for key, route in routes.items()
        if key not in MATRIX
        and not key.split(" ", 1)[1].startswith(PEER_ROUTES)
        and (key.split(" ", 1)[1].startswith("/api/") or not isinstance(declared(route)[0], ConsoleRequires))
    )


def expected(route: str, caller: str) -> dict[str, int]:
    """The expected status of each column of ``route`` for ``caller``, from its row."""
    kind, row = MATRIX[route]
    columns = COLUMNS[kind]
    named = {name for group in row for name in group.split()}
    rule = next((r for group, r in row.items() if caller in group.split()), None)
    if rule is None and "everyone" in row:
        rule = row["everyone"]
    if rule is None and caller != "anonymous" and "*" in row and caller not in named:
        rule = row["*"]
    if rule is None:
        rule = "401" if caller == "anonymous" else "403"
    if ":" not in rule:
        return dict.fromkeys(columns, int(rule))
    cells = {column: int(status) for column, status in (part.split(":") for part in rule.split())}
    assert set(cells) == set(columns), f"{route} {caller}: {sorted(cells)} is not {list(columns)}"
    return cells


@dataclass
class Tally:
    """What the matrix found, across the module; printed by the last test."""

    cells: int = 0
    unexpected_2xx: int = 0
    leaks: int = 0
    mismatches: int = 0
    bodies: int = 0  # 2xx bodies checked for leaks
    views: int = 0  # operation views in them
    oracles: int = 0  # refusals of an existing object that differ from a missing one's
    routes: int = 0


TALLIES: dict[str, Tally] = defaultdict(Tally)  # by store


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """One database, one world and one loopback server per store, for the whole module."""
    with _database(request.param, tmp_path_factory) as url:
        services = build_services(Settings(database_url=url))
        try:
            aw = AuthzWorld(World(services))
            with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=10) as http:
                yield Matrix(request.param, aw, http)
        finally:
            services.close()


@contextmanager
def _database(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if store == "postgres":
        with contextmanager(fresh_postgres_database)() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('authz') / 'commonground.db'}"


@dataclass(frozen=True)
class Matrix:
    store: str
    aw: AuthzWorld
    http: httpx.Client


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route(matrix: Matrix, route: str) -> None:
    aw, http, tally = matrix.aw, matrix.http, TALLIES[matrix.store]
    wrong: list[str] = []
    for caller in CALLERS:
        refusals: dict[str, Any] = {}  # column -> its 403/404 and body: the same as for a missing id
        for column, want in expected(route, caller).items():
            r = send(aw, http, route, MATRIX[route][0], caller, column, want)
            tally.cells += 1
            if r.status_code in (403, 404) and column != "own":  # the own agency's objects are no secret
                refusals[column] = (r.status_code, r.json())
            if r.status_code != want:
                tally.mismatches += 1
                tally.unexpected_2xx += 200 <= r.status_code < 300
                wrong.append(f"{caller} {column}: {r.status_code}, expected {want}")
            if 200 <= r.status_code < 300 and route not in NO_DATA and r.content:
                found, views = leaks(r.json(), caller, aw, answers_policy=route == "POST /api/v1/agencies")
                tally.bodies += 1
                tally.views += views
                tally.leaks += len(found)
                wrong.extend(f"{caller} {column}: leak {leak}" for leak in found)
        told = [c for c, body in refusals.items() if "missing" in refusals and body != refusals["missing"]]
        tally.oracles += len(told)
        wrong.extend(f"{caller} {column}: refused unlike a missing id: {refusals[column]}" for column in told)
    tally.routes += 1
    assert not wrong, "\n".join(wrong)


def test_every_api_route_has_a_row() -> None:
    """A new route fails here until someone writes who may call it."""
    routes = served()
    assert rowless(routes) == []
    assert sorted(set(MATRIX) - set(routes)) == []


def test_a_route_without_a_row_would_be_seen() -> None:
    app = create_app()

    @app.get("/api/v1/sneaky")
    def sneaky() -> dict[str, str]:
        return {}

    assert rowless(served(app)) == ["GET /api/v1/sneaky"]


def test_every_row_gives_every_caller_every_column() -> None:
    for route in MATRIX:
        for caller in CALLERS:
            assert set(expected(route, caller)) == set(COLUMNS[MATRIX[route][0]])


def test_the_matrix_adds_up(matrix: Matrix, capsys: pytest.CaptureFixture[str]) -> None:
    """Print the figures; runs last, after every route's cells (skipped when only some ran)."""
    tally = TALLIES[matrix.store]
    if tally.routes != len(MATRIX):
        pytest.skip("run the whole module to count the matrix")
    want = sum(len(expected(route, caller)) for route in MATRIX for caller in CALLERS)
    with capsys.disabled():
        print(
            f"\nauthorization matrix ({matrix.store}): {len(MATRIX)} routes x {len(CALLERS)} callers: "
            f"{tally.cells} cells, "
            f"{tally.mismatches} unexpected statuses, {tally.unexpected_2xx} unexpected 2xx; "
            f"{tally.bodies} 2xx bodies holding {tally.views} operation views: {tally.leaks} leaks; "
            f"{tally.oracles} refusals that tell an existing object from a missing one"
        )
    assert (tally.cells, tally.mismatches, tally.unexpected_2xx, tally.leaks, tally.oracles) == (want, 0, 0, 0, 0)


def table() -> str:
    """Every cell's expected status, one line per route and caller: ``python -m tests.functional.test_authz_matrix``."""
    lines = [f"{'route':52} {'caller':13} expected"]
    for route in sorted(MATRIX):
        for caller in CALLERS:
            cells = " ".join(f"{column}:{status}" for column, status in expected(route, caller).items())
            lines.append(f"{route:52} {caller:13} {cells}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())

"""Schemathesis against the served OpenAPI document: no 500, no leak, every answer as documented.

Each operation gets a fresh world (its own SQLite file and uvicorn server on loopback), so no
case slows a later one. Cases are sent with the bearer token of a role drawn per case (or none),
with generated or real path ids, schema-valid or not. ``COMMONGROUND_FUZZ_EXAMPLES`` (default
200) sets the cases per operation; the run is derandomised, so a failure reproduces.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from argon2 import PasswordHasher
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.domain.permissions import ROLES as ROLES_HOLDING
from commonground.http.app import create_app
from commonground.service import passwords
from tests.conftest import LiveServer, World, fresh_postgres_database, operation_data
from tests.functional.test_route_permissions import api_routes, declared

API = "/api/v1"
EXAMPLES = int(os.environ.get("COMMONGROUND_FUZZ_EXAMPLES", "200"))
NOT_DRIVEN = {"GET /api/v1/stream"}  # endless text/event-stream: tests/functional/test_notify_stream.py
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ("officer", "supervisor", "dispatcher", "agency_admin", "watch", "auditor", "admin", None)
# In a world shared by many cases, these would leave the rest at 401 or 403 (a revoked token, a
# disabled or re-roled user), or name a peer that later submissions would call out to.
TAKES_ACCESS_AWAY = r"/(revoke|disable|reset-password|reset-mfa)$"
SHARED_WORLD_SPOILERS = re.compile(rf"{TAKES_ACCESS_AWAY}|^PATCH /api/v1/users/|^POST /api/v1/federation/peers$")
# What a body must never show: a traceback, the SQL layer or its text, a source path.
LEAK = re.compile(
    r"Traceback|File \"|sqlite3\.|psycopg|sqlalchemy|SELECT |INSERT INTO|DELETE FROM|UPDATE \w+ SET"
    r"|/src/|\.py\"|site-packages",
    re.IGNORECASE,
)


def operation_labels() -> list[str]:
    """Every documented operation, read at collection from the app's own document."""
    doc = create_app().openapi()
    labels = [f"{method.upper()} {path}" for path, item in doc["paths"].items() for method in item]
    return [label for label in labels if label not in NOT_DRIVEN]


def permitted_roles() -> dict[str, tuple[str, ...]]:
    """The roles each route's declared permission lets in: drawn more often, so cases get past the 403."""
    found: dict[str, tuple[str, ...]] = {}
    for path, route in api_routes(create_app().routes):
        [requires] = declared(route)
        held = ROLES_HOLDING.get(requires.permission)
        roles = tuple(sorted(r.value for r in held)) if held is not None else tuple(r for r in ROLES if r)
        for method in route.methods or ():
            found[f"{method} {path}"] = roles
    return found


PERMITTED = permitted_roles()


@dataclass
class Tally:
    """What the run saw, printed at the end."""

    operations: int = 0
    cases: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    short: dict[str, int] = field(default_factory=dict)  # operations whose distinct inputs ran out first
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


TALLIES: dict[str, Tally] = {"SQLite": Tally(), "PostGIS": Tally()}
STATEFUL: list[str] = []


@pytest.fixture(scope="module", autouse=True)
def summary(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print operations, cases and failures where a plain ``pytest -q`` shows them."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    lines = []
    for store, tally in TALLIES.items():
        if not tally.operations:
            continue
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items()))
        lines.append(
            f"fuzz on {store}: {tally.operations} operations, {tally.cases} cases, {len(tally.failures)} failures "
            f"in {tally.seconds:.1f} s (COMMONGROUND_FUZZ_EXAMPLES={EXAMPLES}; statuses {statuses})"
        )
        lines += [
            f"fuzz on {store}: {label}: {seen} cases, every distinct input it takes"
            for label, seen in tally.short.items()
        ]
    lines += [f"fuzz on SQLite, stateful: {line}" for line in STATEFUL]
    with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        for i, line in enumerate(lines):
            reporter.write_line(("\n" if i == 0 else "") + line)


@dataclass
class FuzzWorld:
    """A fresh installation with one user per role, a token each, and a few real objects to name."""

    url: str
    tokens: dict[str, str]
    ids: dict[str, str]


@contextmanager
def cheap_sign_in() -> Iterator[None]:
    """Check sign-ins at argon2id's lowest costs: the same path through the code, without the wait.

    Every refused sign-in still runs a full check; at the library's costs, 200 of them were a
    third of the run."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", cheap)
        patch.setattr(passwords, "_DUMMY_HASH", cheap.hash("nobody"))
        yield


def fuzz_settings(database_url: str) -> Settings:
    """Nothing leaves the machine: webhooks and e-mail are recorded, no delivery loop runs."""
    return Settings(
        database_url=database_url, webhook_sender="recording", email_sender="recording", notify_worker=False
    )


@contextmanager
def served_world(database_url: str) -> Iterator[FuzzWorld]:
    """Fill a new installation with one user per role and a few real objects, and serve it on loopback."""
    services = build_services(fuzz_settings(database_url))
    try:
        with cheap_sign_in(), _serving(services) as world:
            yield world
    finally:
        services.close()


@contextmanager
def _serving(services: Services) -> Iterator[FuzzWorld]:
    world = World(services)
    home = world.agency("local", name="Fuzz PD")
    other = world.agency("state", name="Fuzz State Patrol")
    people = {role: world.person(home, role) for role in ("officer", "supervisor", "dispatcher", "agency_admin")}
    people["watch"] = world.person(world.admin.agency, "watch")
    people["auditor"] = world.person(world.admin.agency, "auditor")
    people["admin"] = world.admin
    neighbour = world.person(other, "officer")
    mine, _ = services.operations.submit(people["officer"], operation_data())
    _, conflicts = services.operations.submit(neighbour, operation_data())
    _, token = services.accounts.create_token(None, people["officer"].user.id, "fuzz")
    ids = {
        "agency_id": home.id,
        "user_id": people["officer"].user.id,
        "operation_id": mine.id,
        "conflict_id": conflicts[0].id if conflicts else "",
        "token_id": token.id,
    }
    tokens = {role: world.token(who) for role, who in people.items()}
    with LiveServer(services) as live:
        yield FuzzWorld(live.url, tokens, {k: v for k, v in ids.items() if v})


@pytest.fixture
def fuzz_world(tmp_path: Any) -> Iterator[FuzzWorld]:
    with served_world(f"sqlite:///{tmp_path / 'fuzz.db'}") as world:
        yield world


@pytest.fixture(scope="module")
def postgres_world() -> Iterator[FuzzWorld]:
    """One PostGIS world for the PostgreSQL run (a database per operation would cost 2.5 s each)."""
    for url in fresh_postgres_database():
        with served_world(url) as world:
            yield world


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenApiSchema]:
    """The document as a real server serves it, loaded once: loading is the slow part of a small run."""
    services = build_services(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('doc') / 'doc.db'}"))
    try:
        with LiveServer(services) as live:
            doc = httpx.get(f"{live.url}{API}/openapi.json", timeout=10).json()
    finally:
        services.close()
    for item in doc["paths"].values():
        for op in item.values():
            # The tokens are ours to choose per case; left in, negative cases spend themselves on a missing header.
            op.pop("security", None)
    yield schemathesis.openapi.from_dict(doc)


def strategy(op: APIOperation[Any, Any, Any, Any], ids: dict[str, str]) -> st.SearchStrategy[Case[Any]]:
    """Valid and invalid cases, with generated path ids and, as often, the world's real ones."""
    names = [p.name for p in op.path_parameters]
    real = {name: ids[name] for name in names if name in ids}
    options = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        options.append(op.as_strategy(generation_mode=mode))
        if real:
            options.append(op.as_strategy(generation_mode=mode, path_parameters=real))
    return st.one_of(options)


def leak(case: Case[Any], response: requests.Response | Any) -> str | None:
    """Return what a body shows of the server's inside, unless the request itself sent it."""
    found = LEAK.search(response.text)
    if found is None:
        return None
    sent = f"{case.body!r}{case.query!r}{case.path_parameters!r}{case.headers!r}"
    return None if found.group(0).lower() in sent.lower() else found.group(0)


def fuzz(label: str, schema: OpenApiSchema, fuzz_world: FuzzWorld, examples: int, tally: Tally) -> None:
    """Send ``examples`` cases to one operation; fail with every failing case's role and ``curl``."""
    method, path = label.split(" ", 1)
    op = schema[path][method]
    failures: list[str] = []
    seen = 0
    started = time.monotonic()
    session = requests.Session()
    # Half the cases as a role the route lets in, half as any role or none.
    role_drawn = st.sampled_from(PERMITTED.get(label, ROLES)) | st.sampled_from(ROLES)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy(op, fuzz_world.ids), role=role_drawn)
    def run(case: Case[Any], role: str | None) -> None:
        nonlocal seen
        seen += 1
        headers = {"Authorization": f"Bearer {fuzz_world.tokens[role]}"} if role else {}
        response = case.call(base_url=fuzz_world.url, session=session, headers=headers, timeout=30)
        tally.statuses[response.status_code] = tally.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            failures.append(f"{label} as {role}: {group.exceptions[0]}\n  {case.as_curl_command(headers=headers)}")
        shown = leak(case, response)
        if shown:
            failures.append(f"{label} as {role}: body shows {shown!r}\n  {case.as_curl_command(headers=headers)}")

    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)  # the client and the server thread hand the GIL over at every request
    try:
        run()
    finally:
        sys.setswitchinterval(switch)
        session.close()
        tally.operations += 1
        tally.cases += seen
        if seen < examples:
            tally.short[label] = seen
        tally.failures.extend(failures)
        tally.seconds += time.monotonic() - started
    takes_input = bool(op.path_parameters or op.query or op.body)
    assert seen == examples or (seen >= 1 and not takes_input), (seen, examples)  # only a bare GET runs out
    assert failures == [], "\n".join(sorted(set(failures))[:20])


@pytest.mark.parametrize("label", operation_labels())
def test_every_operation_survives_fuzzing(label: str, schema: OpenApiSchema, fuzz_world: FuzzWorld) -> None:
    fuzz(label, schema, fuzz_world, EXAMPLES, TALLIES["SQLite"])


@pytest.mark.postgres
@pytest.mark.parametrize("label", [label for label in operation_labels() if not SHARED_WORLD_SPOILERS.search(label)])
def test_every_operation_survives_fuzzing_on_postgres(
    label: str, schema: OpenApiSchema, postgres_world: FuzzWorld
) -> None:
    """PostgreSQL refuses what SQLite stores (a NUL in text): the same cases, a quarter as many, on PostGIS."""
    fuzz(label, schema, postgres_world, max(EXAMPLES // 4, 1), TALLIES["PostGIS"])


def test_linked_operations_survive_fuzzing(schema: OpenApiSchema, fuzz_world: FuzzWorld) -> None:
    """Chains of calls along the links Schemathesis infers (create, then read, change, act on what came back).

    Each step goes with the token of the first role its route lets in; the checks are the same.
    """
    steps: dict[int, int] = {}
    failures: list[str] = []

    # One world serves every chain: a chain that revoked the callers' tokens or disabled them would
    # leave the rest at 401. Those operations are fuzzed one by one above, each in a world of its own.
    kept = schema.exclude(path_regex=TAKES_ACCESS_AWAY)

    class Linked(kept.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Case[Any]) -> dict[str, Any]:
            roles = PERMITTED.get(f"{case.method.upper()} {case.operation.path}", ("admin",))
            token = fuzz_world.tokens[roles[0]]
            return {"base_url": fuzz_world.url, "headers": {"Authorization": f"Bearer {token}"}, "timeout": 30}

        def validate_response(self, response: Any, case: Case[Any], *_: Any, **kwargs: Any) -> None:
            steps[response.status_code] = steps.get(response.status_code, 0) + 1
            shown = leak(case, response)
            if shown:
                failures.append(f"{case.method} {case.formatted_path}: body shows {shown!r}")
            case.validate_response(response, checks=CHECKS, headers=kwargs.get("headers"))

    links = sum(len(t.outgoing) for t in Linked._transitions.operations.values())
    started = time.monotonic()
    Linked.run(
        settings=settings(
            max_examples=max(EXAMPLES // 4, 5),
            stateful_step_count=8,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
    )
    STATEFUL.append(
        f"{links} links, {sum(steps.values())} linked calls in {time.monotonic() - started:.1f} s, statuses "
        + ", ".join(f"{s}: {n}" for s, n in sorted(steps.items()))
    )
    assert links >= 5
    assert failures == []
    assert any(200 <= status < 300 for status in steps), steps  # the chains reached the use-cases


@pytest.mark.parametrize(
    "body",
    [
        'Traceback (most recent call last):\n  File "/x/app.py", line 3',
        "sqlite3.OperationalError: no such table: operations",
        "(psycopg.errors.UniqueViolation) duplicate key",
        "[SQL: SELECT operations.id FROM operations]",
        '{"error": "at /srv/commonground/src/commonground/store/sqlite.py"}',
    ],
)
def test_the_leak_check_sees_a_traceback_sql_and_a_path(body: str, schema: OpenApiSchema) -> None:
    """The check must be able to fail: each of these bodies is a leak, unless the request sent the text."""
    case = schema["/api/v1/operations"]["POST"].Case(body={"title": "plain"})
    answer = requests.Response()
    answer._content = body.encode()
    answer.encoding = "utf-8"
    assert leak(case, answer) is not None
    echoed = schema["/api/v1/operations"]["POST"].Case(body={"title": body})
    assert leak(echoed, answer) is None

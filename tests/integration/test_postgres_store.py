"""PostgreSQL-only behaviour: roles, several processes' worth of pools, failing safe.

The behaviour both stores share is in test_store_contract.py; this module covers what
only PostgreSQL has: a schema owned by another role, many independent connection pools
racing, the GiST index, and a database that stops, refuses or stalls mid-run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.domain.conflicts import SearchReach
from commonground.domain.errors import DeconflictionUnavailable, StaleVersion
from commonground.service.ports import OperationFilter
from commonground.service.principal import Principal
from commonground.service.sweep import sweep
from commonground.store import migrate, postgres
from tests.conftest import SOON, LiveServer, World, bearer, operation_data, wire
from tests.integration.conftest_pg import Cluster, RoleDatabase, cluster, roles_db

__all__ = ["cluster", "roles_db"]  # fixtures, imported for pytest

pytestmark = pytest.mark.postgres


def _services(url: str, **settings: Any) -> Services:
    return build_services(Settings(database_url=url, **settings))


@pytest.fixture
def app_world(roles_db: RoleDatabase) -> Iterator[World]:
    services = _services(roles_db.app_url)
    try:
        yield World(services)
    finally:
        services.close()


def _together(calls: Sequence[Callable[..., Any]]) -> list[BaseException]:
    """Run the calls in threads released at the same instant; return what they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_the_app_role_owns_nothing_and_still_does_everything(roles_db: RoleDatabase, app_world: World) -> None:
    engine = create_engine(roles_db.app_url)
    with engine.connect() as conn:
        me = conn.execute(text("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")).one()
        owner: str = conn.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'operations'")).scalar_one()
        assert me[1] is False and owner != me[0]
        conn.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"), conn.begin():
            conn.execute(text("UPDATE audit_log SET outcome = 'failure'"))
        with pytest.raises(ProgrammingError, match=r"must be owner"), conn.begin():
            conn.execute(text("ALTER TABLE operations ADD COLUMN x int"))
    engine.dispose()
    ops = app_world.services.operations
    one, two = app_world.person(app_world.agency()), app_world.person(app_world.agency())
    ops.submit(one, operation_data())
    mine, found = wire(ops.submit(two, operation_data(44.978, -93.2645)))
    assert len(found) == 1
    ops.update(two, mine["id"], {"location": {"lat": 45.1, "lon": -93.2}}, if_match=1)
    assert app_world.services.audit.verify().intact


def test_the_migrations_match_the_tables_for_the_owner(roles_db: RoleDatabase) -> None:
    engine = create_engine(roles_db.owner_url)
    try:
        migrate.upgrade(engine)  # a second run is a no-op, even without a superuser
        migrate.check(engine)
    finally:
        engine.dispose()


def _race_pairs(
    app_world: World, count: int, data: Callable[[int], dict[str, Any]]
) -> list[tuple[str, frozenset[str]]]:
    """Enter ``count`` operations of as many agencies at one instant from three pools (API processes);
    return each recorded conflict's kind and pair of operations."""
    people = [app_world.person(app_world.agency(("federal", "state", "local", "tribal")[i % 4])) for i in range(count)]
    url = app_world.services.settings.database_url
    pools = [_services(url) for _ in range(3)]
    try:
        calls = [(lambda who=who, i=i: pools[i % 3].operations.submit(who, data(i))) for i, who in enumerate(people)]
        assert _together(calls) == []
    finally:
        for pool in pools:
            pool.close()
    watch = app_world.person(app_world.agency(), "watch")
    seen = wire(app_world.services.conflicts.list(watch, None, 1000, None)).items
    return [(c["kind"], frozenset(s["operation"]["id"] for s in c["sides"])) for c in seen]


def test_many_pools_racing_at_a_cell_corner_pair_every_operation_once(app_world: World) -> None:
    """Stores with their own pools stand in for API processes; the spot straddles four cells."""
    corner = (45.0, -93.25)  # a multiple of the 0.05 degree lock grid in both axes
    offsets = [(-0.0006, -0.0006), (0.0006, 0.0006), (-0.0006, 0.0006), (0.0006, -0.0006)]
    found = _race_pairs(
        app_world,
        24,
        lambda i: operation_data(corner[0] + offsets[i % 4][0], corner[1] + offsets[i % 4][1], radius_m=20),
    )
    pairs = [pair for _, pair in found]
    assert len(pairs) == len(set(pairs)) == 24 * 23 // 2
    assert sweep(app_world.services.store, app_world.services.clock) == 0


def test_many_pools_racing_with_one_subject_pair_every_operation_once(app_world: World) -> None:
    """The same person in operations far apart, entered at one instant from three pools: no cell is
    shared, so only the subject keys' locks stop two checks missing each other's uncommitted row."""
    subject = [{"kind": "person", "last_name": "Okonkwo-Lindqvist", "first_name": "Adaeze", "dob": "1988-04-12"}]
    found = _race_pairs(
        app_world, 12, lambda i: operation_data(40.0 + i * 0.5, -100.0 + i * 0.5, radius_m=20, subjects=subject)
    )
    pairs = [pair for kind, pair in found if kind == "subject"]
    assert len(pairs) == len(set(pairs)) == 12 * 11 // 2


def test_two_processes_editing_one_version_let_exactly_one_win(app_world: World) -> None:
    who = app_world.person(app_world.agency())
    mine, _ = wire(app_world.services.operations.submit(who, operation_data()))
    pools = [_services(app_world.services.settings.database_url) for _ in range(2)]
    try:
        errors = _together(
            [
                lambda p=p, n=n: p.operations.update(who, mine["id"], {"title": f"edit {n}"}, if_match=1)
                for n, p in enumerate(pools)
            ]
        )
    finally:
        for pool in pools:
            pool.close()
    assert len(errors) == 1 and isinstance(errors[0], StaleVersion)


def test_the_candidate_search_uses_the_gist_index(app_world: World) -> None:
    who = app_world.person(app_world.agency())
    for i in range(30):
        app_world.services.operations.submit(who, operation_data(10.0 + i, 20.0))
    store = app_world.services.store
    with store.read() as tx:
        op = tx.operations.get(tx.operations.page(_filter(who), 1, None).items[0].id)
        assert op is not None
        query, params = tx.operations._candidate_query(  # type: ignore[attr-defined]
            op.area, op.window, SearchReach(500.0, timedelta(hours=2))
        )
        tx.conn.execute(text("SET LOCAL enable_seqscan = off"))  # type: ignore[attr-defined]
        compiled = query.compile(dialect=tx.conn.dialect)  # type: ignore[attr-defined]
        state = compiled.construct_expanded_state({**params, "exclude": op.id})
        plan = tx.conn.exec_driver_sql(f"EXPLAIN {state.statement}", state.parameters).scalars().all()  # type: ignore[attr-defined]
    assert any("ix_operations_geog_window" in line for line in plan), plan


def _filter(who: Principal) -> OperationFilter:
    return OperationFilter(agency_id=who.agency.id)


def _count(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ops: int = conn.execute(text("SELECT count(*) FROM operations")).scalar_one()
            audit: int = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        return int(ops), int(audit)
    finally:
        engine.dispose()


def test_a_database_that_stops_mid_run_answers_503_and_keeps_nothing_half_written(
    cluster: Cluster,
) -> None:
    services = _services(cluster.url)
    try:
        world = World(services)
        who = world.person(world.agency())
        token = world.token(who)
        with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=30) as client:
            first = client.post("/api/v1/operations", json=operation_data(), headers=bearer(token))
            assert first.status_code == 201
            before = _count(cluster.url)
            cluster.stop()
            cluster.wait_down()
            down = client.post("/api/v1/operations", json=operation_data(), headers=bearer(token))
            assert down.status_code == 503
            assert down.json()["error"]["code"] == "deconfliction_unavailable"
            cluster.start()
            assert _count(cluster.url) == before
            again = client.post("/api/v1/operations", json=operation_data(), headers=bearer(token))
            assert again.status_code == 201 and len(again.json()["conflicts"]) == 1
    finally:
        services.close()


def test_a_submission_killed_before_commit_leaves_nothing(cluster: Cluster) -> None:
    services = _services(cluster.url)
    try:
        world = World(services)
        who = world.person(world.agency())
        services.operations.submit(who, operation_data())
        before = _count(cluster.url)
        real_check = postgres.PostgresOperations.candidates

        def dying(self: postgres.PostgresOperations, *args: Any, **kwargs: Any) -> Any:
            found = real_check(self, *args, **kwargs)
            cluster.stop()
            cluster.wait_down()
            return found

        postgres.PostgresOperations.candidates = dying  # type: ignore[method-assign]
        try:
            with pytest.raises(DeconflictionUnavailable):
                services.operations.submit(who, operation_data())
        finally:
            postgres.PostgresOperations.candidates = real_check  # type: ignore[method-assign]
        cluster.start()
        assert _count(cluster.url) == before
    finally:
        services.close()


def test_a_stuck_lock_times_out_as_unavailable(app_world: World, roles_db: RoleDatabase) -> None:
    services = _services(roles_db.app_url, pg_lock_timeout_ms=300)
    holder = create_engine(roles_db.admin_url)
    try:
        who = app_world.person(app_world.agency())
        before = _count(roles_db.admin_url)
        with holder.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:c, 0)"), {"c": postgres.LOCK_GLOBAL})
            with pytest.raises(DeconflictionUnavailable):
                services.operations.submit(who, operation_data())
            conn.execute(text("SELECT pg_advisory_unlock_all()"))
        assert _count(roles_db.admin_url) == before
        assert len(wire(services.operations.submit(who, operation_data()))[1]) == 0
    finally:
        holder.dispose()
        services.close()


def test_a_database_that_refuses_the_app_answers_unavailable(app_world: World, roles_db: RoleDatabase) -> None:
    who = app_world.person(app_world.agency())
    app_world.services.operations.submit(who, operation_data())
    app_role = roles_db.app_url.rsplit("@", 1)[0].rsplit("/", 1)[-1]
    admin = create_engine(roles_db.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"REVOKE CONNECT ON DATABASE {roles_db.name} FROM {app_role}"))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"),
                {"u": app_role},
            )
        with pytest.raises(DeconflictionUnavailable):
            app_world.services.operations.submit(who, operation_data(starts=SOON))
        with admin.connect() as conn:
            conn.execute(text(f"GRANT CONNECT ON DATABASE {roles_db.name} TO {app_role}"))
        assert len(wire(app_world.services.operations.submit(who, operation_data()))[1]) == 1
    finally:
        admin.dispose()

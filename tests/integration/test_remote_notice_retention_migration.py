"""Migration 0042 on both stores: notices kept before the upgrade are found by the purge after it, and
pairs of operations purged before it lose the peer's details."""

from __future__ import annotations

from datetime import timedelta

from alembic import command

from commonground.bootstrap import Services
from commonground.domain.model import ConflictStatus
from commonground.domain.notices import NoticeKind, NoticeStatus
from commonground.domain.remote_conflicts import FoundBy, RemoteConflict
from commonground.domain.remote_notices import RemoteNotice
from commonground.domain.retention import purged
from commonground.domain.timewindow import isoformat
from commonground.service.clock import new_id
from commonground.store import migrate
from tests.conftest import World, operation_data, wire


def downgrade_to_0041(services: Services) -> None:
    engine = services.store.engine  # type: ignore[attr-defined]
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn, conn.begin():
        config.attributes["connection"] = conn
        command.downgrade(config, "0041")


def test_notices_from_before_the_upgrade_are_due_by_their_window_or_arrival(services: Services) -> None:
    now = services.clock.now()
    long_ago, lately = now - timedelta(days=200), now - timedelta(days=2)

    def kept(remote: str, arrived: object, window: dict[str, str] | None) -> RemoteNotice:
        operation = {"id": remote, "level_disclosed": "safety", **({"window": window} if window else {})}
        kind, status = NoticeKind.ENTRY, NoticeStatus.SENT
        return RemoteNotice(new_id(), "peer-1", "peer", remote, "ag-1", kind, status, now, now, arrived, operation)  # type: ignore[arg-type]

    ended = kept("ended", lately, {"starts_at": isoformat(long_ago), "ends_at": isoformat(long_ago)})
    running = kept("running", long_ago, {"starts_at": isoformat(long_ago), "ends_at": isoformat(now)})
    unreadable = kept("unreadable", long_ago, None)  # no window: counted from when it arrived
    with services.store.write() as tx:
        for notice in (ended, running, unreadable):
            tx.remote_notices.add(notice)
    downgrade_to_0041(services)

    migrate.upgrade(services.store.engine)  # type: ignore[attr-defined]
    with services.store.read() as tx:
        due = tx.remote_notices.retention_due(now - timedelta(days=90), 10, None)
    assert sorted(n.remote_operation_id for n in due.items) == ["ended", "unreadable"]


def test_pairs_of_operations_purged_before_the_upgrade_lose_the_peer_s_details(
    services: Services, world: World
) -> None:
    sgt = world.person(world.agency("local"), "supervisor")
    ours, _ = wire(services.operations.submit(sgt, operation_data()))
    now = services.clock.now()
    theirs = {
        "id": "r-1",
        "level_disclosed": "safety",
        "contact": {"name": "Zqpeersergeant", "phone": "+1 612 555 0199"},
    }
    pair = RemoteConflict(
        new_id(), ours["id"], sgt.agency.id, "peer-1", "peer", "r-1", theirs, 10.0, None,
        FoundBy.PROBE, ConflictStatus.RESOLVED, now, note="Zqclosingnote",
    )  # fmt: skip
    with services.store.write() as tx:
        stored = tx.operations.get(ours["id"])
        assert stored is not None
        tx.operations.update(purged(stored, now))  # purged by a release that left the pairs alone
        tx.remote_conflicts.add(pair)
    downgrade_to_0041(services)

    migrate.upgrade(services.store.engine)  # type: ignore[attr-defined]
    with services.store.read() as tx:
        reduced = tx.remote_conflicts.get(pair.id)
    assert reduced is not None and reduced.note is None
    assert reduced.counterpart["contact"]["name"] == "" and reduced.counterpart["purged_at"] == isoformat(now)

"""SQLite group commit: one fsync for many writers, and each writer's fate its own."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from sqlalchemy import event

from commonground.audit.chain import AuditEntry
from commonground.audit.verify import verify_chain
from commonground.bootstrap import Services
from commonground.domain.model import Agency
from commonground.domain.policy import AgencyLevel
from commonground.service.clock import SystemClock, new_id
from commonground.service.ports import AuditFilter


def agency(n: int) -> Agency:
    return Agency(
        new_id(), f"GC{n:07d}", f"Agency {n}", AgencyLevel.LOCAL, "+1 555 0100", "UTC", created_at=SystemClock().now()
    )


def run_writers(services: Services, count: int, fail_every: int = 0) -> tuple[list[int], list[int], list[int]]:
    """Start ``count`` writers at once; each adds an agency, every ``fail_every``-th then raises."""
    barrier = threading.Barrier(count)
    ok, failed, seen_after = [], [], []

    def writer(n: int) -> None:
        barrier.wait()
        try:
            with services.store.write() as tx:
                tx.agencies.add(agency(n))
                time.sleep(0.003)  # long enough for others to queue behind
                if fail_every and n % fail_every == 0:
                    raise ValueError("this writer changes its mind")
            ok.append(n)
            with services.store.read() as tx:  # returned only after the commit: visible at once
                if tx.agencies.by_ori(f"GC{n:07d}") is not None:
                    seen_after.append(n)
        except ValueError:
            failed.append(n)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(1, count + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok, failed, seen_after


def test_many_writers_share_fewer_commits(sqlite_services: Services) -> None:
    commits: list[int] = []

    def count(conn: object) -> None:
        if conn.get_execution_options().get("cg_write"):  # type: ignore[attr-defined]
            commits.append(1)

    event.listen(sqlite_services.store.engine, "commit", count)  # type: ignore[attr-defined]
    ok, failed, seen_after = run_writers(sqlite_services, 30)
    assert sorted(ok) == list(range(1, 31)) and failed == []
    assert sorted(seen_after) == sorted(ok)
    assert 1 <= len(commits) < 30  # batches formed


def test_a_failing_writer_loses_only_its_own_work(sqlite_services: Services) -> None:
    ok, failed, seen_after = run_writers(sqlite_services, 24, fail_every=3)
    assert sorted(failed) == list(range(3, 25, 3))
    with sqlite_services.store.read() as tx:
        stored = {a.ori for a in tx.agencies.page(1000, None).items}
    assert {f"GC{n:07d}" for n in ok} <= stored
    assert not {f"GC{n:07d}" for n in failed} & stored
    assert sorted(seen_after) == sorted(ok)


def test_writers_of_a_batch_share_reads_but_not_a_failed_writers_changes(sqlite_services: Services) -> None:
    """The batch memo (audit head, agencies, reach) forgets what a rolled-back writer saw or did."""
    store = sqlite_services.store
    shared = agency(0)
    with store.write() as tx:
        tx.agencies.add(shared)
    count = 24
    barrier = threading.Barrier(count)
    outcomes: dict[int, str] = {}

    def writer(n: int) -> None:
        barrier.wait()
        try:
            with store.write() as tx:
                tx.audit.append(AuditEntry(f"test:{n}", "success"), SystemClock().now())
                tx.audit.records(AuditFilter(), 1, None)  # a read mid-body writes the held records
                seen = tx.agencies.get(shared.id)
                assert seen is not None and seen.policy.proximity_m == 500
                assert tx.agencies.reach()[0] == 500
                if n % 3 == 0:  # change the shared agency, then change our mind
                    tx.agencies.set_policy(shared.id, replace(shared.policy, proximity_m=5000))
                    assert tx.agencies.reach()[0] == 5000
                    assert tx.agencies.get(shared.id).policy.proximity_m == 5000  # type: ignore[union-attr]
                    time.sleep(0.002)
                    raise ValueError("this writer changes its mind")
                time.sleep(0.002)
            outcomes[n] = "ok"
        except ValueError:
            outcomes[n] = "failed"
        except AssertionError as exc:
            outcomes[n] = f"saw another writer's undone change: {exc}"

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(1, count + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(n for n, o in outcomes.items() if o == "failed") == list(range(3, count + 1, 3))
    assert all(o in ("ok", "failed") for o in outcomes.values()), outcomes
    with store.read() as tx:
        actions = [r.entry.action for r in tx.audit.all()]
        assert verify_chain(tx.audit.all()).intact
        assert tx.agencies.get(shared.id).policy.proximity_m == 500  # type: ignore[union-attr]
    assert sorted(a for a in actions if a.startswith("test:")) == sorted(
        f"test:{n}" for n, o in outcomes.items() if o == "ok"
    )

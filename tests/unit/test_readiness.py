"""The readiness checks over a stand-in probe: the worker's passes, a database that does not answer."""

from __future__ import annotations

import time

from commonground.service.readiness import Heartbeat, Readiness


class Probe:
    head = "0027"

    def __init__(self, at: str | None = "0027", fails: bool = False) -> None:
        self.at, self.fails = at, fails

    def revision(self) -> str | None:
        if self.fails:
            raise ConnectionError("refused")
        return self.at


def failing(readiness: Readiness) -> list[str]:
    return [c.name for c in readiness.checks() if not c.ok]


def test_a_worker_that_has_not_passed_within_the_limit_is_not_ready() -> None:
    beat = Heartbeat()
    readiness = Readiness(Probe(), beat, worker_within_s=0.05)
    assert failing(readiness) == []  # no worker in this process: not judged by one
    beat.expected = True
    assert failing(readiness) == ["worker"]  # none yet
    beat.beat()
    assert failing(readiness) == []
    time.sleep(0.08)
    assert failing(readiness) == ["worker"]


def test_a_database_that_does_not_answer_is_named_and_stops_the_other_schema_check() -> None:
    checks = Readiness(Probe(fails=True), Heartbeat()).checks()
    assert [(c.name, c.ok) for c in checks] == [("database", False)]
    assert "refused" not in checks[0].detail  # the driver's words stay in the log
    assert failing(Readiness(Probe(at=None), Heartbeat())) == ["migrations"]

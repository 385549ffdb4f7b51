"""Service tests: the use-cases over a real SQLite store in a temporary file, with a clock moved by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.service.clock import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def services(tmp_path: Any, clock: ManualClock) -> Iterator[Services]:
    """Overrides the shared fixture: one store (SQLite, the embedded default) and the test's clock."""
    built = build_services(Settings(database_url=f"sqlite:///{tmp_path / 'service.db'}"), clock=clock)
    yield built
    built.close()

"""The demonstration data shows issue 13's answers: a notice answered `aware_not_assisting` and a near-miss."""

from __future__ import annotations

from pathlib import Path

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.demo import TWIN_CITIES, seed
from commonground.domain.model import Role
from tests.conftest import World


def test_the_demo_has_a_host_answer_and_a_near_miss(tmp_path: Path) -> None:
    services = build_services(Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}"))
    try:
        seed(services, token_file=tmp_path / "demo-tokens.json")
        with services.store.read() as tx:
            counts = tx.notice_responses.counts()
        assert any(response == "aware_not_assisting" for _, response, _ in counts), counts
        watch_user = next(u for u, _, roles, _ in TWIN_CITIES.users if Role.WATCH.value in roles)
        [met] = services.near_misses.list(World(services).principal(watch_user), 10, None).items
        assert len(met.operations) == 2 and "neither knew" in met.description
    finally:
        services.close()

"""A body that is not JSON text is refused as the documented 422 naming ``body``, and changes nothing.

Found by tests/functional/test_api_fuzz.py: bytes that are not UTF-8 got an undocumented 400
``http_error``, and broken JSON a 422 naming field ``"1"`` (the parser's character position).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from commonground.bootstrap import Services
from commonground.service.ports import OperationFilter
from tests.conftest import LiveServer, World, bearer, operation_data

API = "/api/v1"
UNREADABLE = {
    "not UTF-8": b'{"title": "\xff\x80"}',
    "cut short": b'{"title": ',
    "not JSON": b"title=Warrant",
}


@pytest.fixture
def client(sqlite_services: Services) -> Iterator[httpx.Client]:
    with LiveServer(sqlite_services) as live, httpx.Client(base_url=live.url, timeout=10) as http:
        yield http


@pytest.mark.parametrize("kind", UNREADABLE)
@pytest.mark.parametrize("path", ["/auth/login", "/operations"])
def test_an_unreadable_body_is_a_422_naming_the_body(
    kind: str, path: str, client: httpx.Client, sqlite_world: World
) -> None:
    agency = sqlite_world.agency()
    officer = sqlite_world.person(agency, "officer")
    answer = client.post(
        API + path,
        content=UNREADABLE[kind],
        headers={**bearer(sqlite_world.token(officer)), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert [d["field"] for d in error["details"]] == ["body"], error
    with sqlite_world.services.store.read() as tx:
        assert list(tx.operations.page(OperationFilter(agency.id), 10, None).items) == []


def test_a_readable_body_still_goes_through(client: httpx.Client, sqlite_world: World) -> None:
    officer = sqlite_world.person(sqlite_world.agency(), "officer")
    answer = client.post(f"{API}/operations", json=operation_data(), headers=bearer(sqlite_world.token(officer)))
    assert answer.status_code == 201, answer.text

"""Security headers on every response: CSP, framing, sniffing, referrer, HSTS over HTTPS, API no-store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from commonground.bootstrap import Services
from commonground.http.app import create_app
from tests.conftest import World, bearer

PATHS = ("/login", "/static/console.css", "/healthz", "/api/v1/agencies", "/api/v1/no-such-route", "/watch")


@pytest.fixture
def client(sqlite_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services=sqlite_services), follow_redirects=False) as c:
        yield c


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and "unsafe-inline" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in response.headers  # plain HTTP: no HSTS


def test_hsts_only_over_https(sqlite_services: Services) -> None:
    with TestClient(create_app(services=sqlite_services), base_url="https://testserver") as tls:
        assert tls.get("/healthz").headers["strict-transport-security"].startswith("max-age=")


def test_api_responses_are_never_cached(client: TestClient, sqlite_world: World) -> None:
    token = sqlite_world.token(sqlite_world.admin)
    for response in (
        client.get("/api/v1/agencies", headers=bearer(token)),
        client.get("/api/v1/agencies"),  # a 401 too
        client.get("/api/v1/openapi.json"),
    ):
        assert response.headers["cache-control"] == "no-store", response.request.url


def test_a_tile_server_is_allowed_for_images_only(sqlite_url: str) -> None:
    from commonground.bootstrap import build_services
    from commonground.config import Settings

    services = build_services(
        Settings(database_url=sqlite_url, console_tile_url="https://tiles.example.gov/{z}/{x}/{y}.png")
    )
    try:
        with TestClient(create_app(services=services)) as c:
            csp = c.get("/login").headers["content-security-policy"]
        assert "img-src 'self' data: https://tiles.example.gov" in csp
        assert csp.count("tiles.example.gov") == 1
    finally:
        services.close()

"""Every route declares the permission it needs; an undeclared route fails this test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute

from commonground.edge.deps import Requires
from commonground.http.app import create_app


def api_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Walk included routers too (FastAPI keeps them nested)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from api_routes(inner.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def declared(route: APIRoute) -> list[Requires]:
    found: list[Requires] = []
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Requires):
            found.append(dep.call)
        stack.extend(dep.dependencies)
    return found


def test_every_route_declares_exactly_one_permission() -> None:
    routes = list(api_routes(create_app().routes))
    assert len(routes) >= 15
    undeclared = [path for path, route in routes if len(declared(route)) != 1]
    assert undeclared == []


def test_console_pages_declare_a_console_permission() -> None:
    """Console pages read the session cookie: their ``ConsoleRequires`` is a ``Requires`` too."""
    from commonground.web.session import ConsoleRequires

    pages = {path: route for path, route in api_routes(create_app().routes) if not path.startswith("/api/")}
    assert {"/login", "/watch", "/operations", "/lookup", "/admin", "/auditor"} <= set(pages)
    assert all(isinstance(declared(pages[p])[0], ConsoleRequires) for p in ("/login", "/watch", "/admin"))


def test_the_walk_would_see_an_undeclared_route() -> None:
    app = create_app()

    @app.get("/sneaky")
    def sneaky() -> dict[str, str]:
        return {}

    assert any(path == "/sneaky" and not declared(route) for path, route in api_routes(app.routes))

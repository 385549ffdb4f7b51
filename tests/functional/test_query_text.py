"""A query parameter with a control character is a 422 naming it, on both stores, as in a body.

Found while fuzzing on PostGIS: ``GET /users?username=a%00b`` was a 500 (PostgreSQL text cannot
hold a NUL, and the query string, unlike a body, had no net under it); SQLite took it.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from commonground.http.app import create_app
from tests.conftest import World, bearer

ROLE_FOR = {"/api/v1/users": "admin", "/api/v1/audit": "auditor", "/api/v1/lookup": "dispatcher"}
REQUIRED = {"/api/v1/lookup": {"lat": "44.97", "lon": "-93.26"}}


def text_query_parameters() -> list[tuple[str, str]]:
    """Every documented ``GET`` query parameter that takes free text (a string without an enum)."""
    with TestClient(create_app()) as client:
        doc: dict[str, Any] = client.get("/api/v1/openapi.json").json()
    found = []
    for path, item in doc["paths"].items():
        for param in item.get("get", {}).get("parameters", []):
            schema = param.get("schema", {})
            kinds = [schema, *schema.get("anyOf", [])]
            if param["in"] == "query" and any(k.get("type") == "string" and "enum" not in k for k in kinds):
                found.append((path, param["name"]))
    return found


def test_the_walk_finds_the_free_text_parameters() -> None:
    assert {("/api/v1/users", "username"), ("/api/v1/audit", "actor"), ("/api/v1/operations", "cursor")} <= set(
        text_query_parameters()
    )


def test_a_nul_or_escape_in_any_query_parameter_is_a_422_naming_it(http: httpx.Client, world: World) -> None:
    agency = world.agency()
    tokens = {
        "admin": world.token(world.admin),
        "auditor": world.token(world.person(world.admin.agency, "auditor")),
        "dispatcher": world.token(world.person(agency, "dispatcher")),
        "officer": world.token(world.person(agency, "officer")),
    }
    refused = []
    for path, name in text_query_parameters():
        token = tokens[ROLE_FOR.get(path.removesuffix("/checkpoints"), "officer")]
        for value in ("a\x00b", "a\x1b[2Jb"):
            answer = http.get(path, params={**REQUIRED.get(path, {}), name: value}, headers=bearer(token))
            if answer.status_code >= 500:
                refused.append(f"{path}?{name}={value!r}: {answer.status_code}")
            elif answer.status_code == 422:
                assert name in {d["field"] for d in answer.json()["error"]["details"]}, (path, name, answer.text)
            else:
                refused.append(f"{path}?{name}={value!r}: {answer.status_code} (accepted)")
    assert refused == []

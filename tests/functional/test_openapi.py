"""The served OpenAPI document tells integrators the truth: types, errors, security, nothing else."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from commonground.api.schemas.common import ErrorEnvelope
from commonground.http.app import create_app
from tests.functional.test_route_permissions import api_routes
from tests.functional.test_wire_format import API, RECORDED

ENVELOPE = "#/components/schemas/ErrorEnvelope"
PUBLIC = {
    ("post", f"{API}/auth/login"),
    ("post", f"{API}/auth/set-password"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", f"{API}/reports/public"),
}


# GET routes that take no parameter at all: nothing for a 422 to refuse.
NO_PARAMETERS = ("/tokens", "/transparency", "/watch/channels", "/identity", "/peers", "/api/v1/sensitive-places")


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    with TestClient(create_app()) as http:
        r = http.get(f"{API}/openapi.json")
    assert r.status_code == 200
    return dict(r.json())


def operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield method, path, op


def test_every_operation_has_a_typed_2xx_response(doc: dict[str, Any]) -> None:
    untyped = []
    for method, path, op in operations(doc):
        ok = {status: r for status, r in op["responses"].items() if status.startswith("2")}
        assert len(ok) == 1, (method, path, list(op["responses"]))
        [(status, response)] = ok.items()
        if status == "204":
            assert "content" not in response
            continue
        schemas = [c.get("schema", {}) for c in response.get("content", {}).values()]
        if not schemas or not all("$ref" in s or "type" in s for s in schemas):
            untyped.append(f"{method.upper()} {path}")
    assert untyped == []


def test_errors_are_documented_as_the_envelope_the_server_sends(doc: dict[str, Any]) -> None:
    for method, path, op in operations(doc):
        errors = {status: r for status, r in op["responses"].items() if status[0] in "45"}
        if path == "/healthz":
            assert errors == {}
            continue
        if path == "/readyz":  # a probe: its 503 names the failing check, not an error envelope
            assert list(errors) == ["503"]
            assert errors["503"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReadinessPublic")
            continue
        for status, response in errors.items():
            assert status in {"401", "403", "404", "409", "422", "429", "503"}, (method, path, status)
            assert response["content"]["application/json"]["schema"] == {"$ref": ENVELOPE}, (method, path, status)
            assert response["description"]
        expected = {"422", "503"} | (set() if (method, path) in PUBLIC else {"401", "403"})
        if "{" in path:
            expected.add("404")
        if path.endswith(NO_PARAMETERS) and method == "get":
            expected.discard("422")  # no parameter to refuse
        assert expected <= set(errors), (method, path, expected - set(errors))
    body = doc["components"]["schemas"]["ErrorBody"]
    assert set(body["properties"]) == {"code", "message", "details"}


def test_the_documented_envelope_is_the_one_errors_py_sends(doc: dict[str, Any]) -> None:
    recorded = [e for e in json.loads(RECORDED.read_text()) if e["status"] >= 400]
    assert {e["status"] for e in recorded} >= {401, 403, 404, 409, 422}
    for exchange in recorded:
        parsed = ErrorEnvelope.model_validate(exchange["body"])
        assert parsed.model_dump(mode="json") == exchange["body"]


def test_bearer_is_the_security_scheme_of_every_authenticated_route(doc: dict[str, Any]) -> None:
    assert doc["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": doc["components"]["securitySchemes"]["bearer"]["description"],
    }
    for method, path, op in operations(doc):
        if (method, path) in PUBLIC:
            assert "security" not in op, path
        else:
            assert op["security"] == [{"bearer": []}], (method, path)


def test_only_the_api_is_documented_and_not_fastapis_default_422(doc: dict[str, Any]) -> None:
    assert {p for p in doc["paths"] if not p.startswith(f"{API}/")} == {"/healthz", "/readyz"}
    for console in ("/", "/login", "/enrol", "/logout", "/watch", "/admin", "/auditor"):
        assert console not in doc["paths"]
    rendered = json.dumps(doc)
    assert "HTTPValidationError" not in rendered and '"ValidationError"' not in rendered


def test_every_field_integrators_send_or_read_is_described_with_an_example(doc: dict[str, Any]) -> None:
    bare = []
    for name, schema in doc["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            if not prop.get("description") or not prop.get("examples"):
                bare.append(f"{name}.{field}")
    assert bare == []


def response_models() -> dict[str, type[BaseModel]]:
    found = {}
    for path, route in api_routes(create_app().routes):
        if path.startswith(API) and isinstance(route.response_model, type):
            for method in route.methods or ():
                found[f"{method} {path}"] = route.response_model
    return found


def test_recorded_responses_validate_against_their_declared_models() -> None:
    """Each recorded 2xx body is an instance of its route's model, and that model renders it unchanged."""
    models = response_models()
    checked = set()
    for exchange in json.loads(RECORDED.read_text()):
        if not 200 <= exchange["status"] < 300 or exchange["body"] is None:
            continue
        method, route = exchange["call"].split(" ", 1)
        model = models[f"{method} {API}{route}"]
        parsed = model.model_validate(exchange["body"])
        assert parsed.model_dump(mode="json", exclude_unset=True) == exchange["body"], exchange["call"]
        checked.add(model.__name__)
    assert {"OperationCheckedPublic", "OperationsPublic", "ConflictPublic", "NoticesPublic", "LookupPublic"} <= checked

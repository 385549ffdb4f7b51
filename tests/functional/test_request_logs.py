"""Logs: one JSON line per request carrying its request id, which the response echoes; ids only."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import httpx

from commonground.bootstrap import build_services
from commonground.config import Settings
from tests.conftest import World, bearer, operation_data, server_process


def lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.strip()]


def test_every_log_line_is_json_and_each_request_line_carries_the_echoed_id(sqlite_url: str, tmp_path: Path) -> None:
    services = build_services(Settings(database_url=sqlite_url))
    world = World(services)
    sergeant = world.person(world.agency("local"), "supervisor")
    token = world.token(sergeant)
    services.close()
    log = tmp_path / "serve.log"
    with server_process(sqlite_url, output=log, access_log=True) as (_, base):
        with httpx.Client(base_url=base, timeout=10) as client:
            given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c"})
            made = client.post("/api/v1/operations", json=operation_data(), headers=bearer(token))
            refused = client.get("/api/v1/operations", headers=bearer("cg_not-a-token-0000000000000000000"))
            hostile = client.get("/healthz", headers={"X-Request-ID": "x" * 300})
        assert given.headers["x-request-id"] == "lb-7f3a9c"
        assert made.status_code == 201 and re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
        assert refused.status_code == 401 and refused.headers["x-request-id"] != made.headers["x-request-id"]
        assert hostile.headers["x-request-id"] != "x" * 300  # not an id: replaced, never logged as sent
        time.sleep(0.5)  # the last line is written after the response
    parsed: list[dict[str, Any]] = []
    for line in lines(log):
        parsed.append(json.loads(line))  # every line, the server's own included, is JSON
    requests = [p for p in parsed if p.get("event") == "request"]
    by_id = {p["request_id"]: p for p in requests}
    for answer in (given, made, refused, hostile):
        entry = by_id[answer.headers["x-request-id"]]
        assert entry["status"] == answer.status_code and entry["method"] == answer.request.method
        assert entry["duration_ms"] >= 0 and entry["level"] == "info" and entry["timestamp"].endswith("Z")
    assert by_id[made.headers["x-request-id"]]["path"] == "/api/v1/operations"
    text = log.read_text()
    assert token not in text and "Warrant service" not in text and "+1 612 555 0100" not in text

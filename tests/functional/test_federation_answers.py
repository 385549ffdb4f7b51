"""Never a false clear: an answer altered on the way, or unsigned, that says "no conflict" is refused.

Real installations on loopback; the federal one is reached through a small proxy (its public URL)
that passes the answer on as it is, with its hits removed, or without its signature."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from commonground.audit.tags import Action
from tests.conftest import operation_data
from tests.functional.test_federation import install, running, submit, trust
from tests.functional.test_federation_conflicts import remote_conflicts
from tests.functional.test_federation_reprobe import own_operation

PASSED = ("content-type", "content-digest", "signature", "signature-input")
QUIET = {"COMMONGROUND_FEDERATION_REPROBE_SECONDS": "0"}  # no re-probe: the first answer is the one judged


@contextmanager
def proxy(upstream: str, mode: str) -> Iterator[str]:
    """Forward each request to ``upstream``; pass its answer back as ``mode`` says."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            sent = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
            answer = httpx.post(f"{upstream}{self.path}", content=body, headers=sent, timeout=10)
            out, headers = answer.content, {k: v for k, v in answer.headers.items() if k.lower() in PASSED}
            if mode == "altered" and answer.status_code == 200:
                out = json.dumps({**answer.json(), "hits": []}, separators=(",", ":")).encode()
            if mode == "unsigned":
                out = json.dumps({**answer.json(), "hits": []}).encode()
                headers = {"Content-Type": "application/json"}
            self.send_response(answer.status_code)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("mode", "reason"), [("honest", None), ("altered", "digest"), ("unsigned", "malformed")]
)  # fmt: skip
def test_an_answer_altered_or_unsigned_on_the_way_is_refused_and_the_peer_unchecked(
    tmp_path: Path, mode: str, reason: str | None
) -> None:
    city, feds = install(tmp_path, "city", "local"), install(tmp_path, "feds", "federal")
    with proxy(f"http://127.0.0.1:{feds.port}", mode) as front:
        feds.url = front  # the federal installation's public URL is the proxy's: requests verify there
        trust(city, feds)
        with running(city, feds, **QUIET):
            theirs = submit(feds, operation_data())
            mine = submit(city, operation_data())  # next door: the federal answer holds one hit
            shown = own_operation(city, mine["id"])
            kept = remote_conflicts(city)
    refused = [(r["reason"], r.get("direction")) for r in city.audit(Action.FEDERATION_REFUSE)]
    if reason is None:  # the control: through the same proxy, untouched, the conflict is found
        assert mine["federation"]["checked"] == ["feds"] and mine["federation"]["unchecked"] == []
        assert [h["operation"]["id"] for h in mine["federation"]["hits"]] == [theirs["id"]]
        assert [c["counterpart"]["id"] for c in kept] == [theirs["id"]] and refused == []
        return
    # Refused, audited, and said: the federal installation could not be checked — not "no conflict".
    assert mine["federation"] == {"checked": [], "unchecked": ["feds"], "hits": []}
    assert shown["federation_unchecked"] == ["feds"]
    assert kept == []
    assert refused == [(reason, "answer")]

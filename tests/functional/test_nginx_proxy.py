"""Debian's nginx on loopback, with a self-signed certificate, in front of ``serve --proxy-headers``.

The site is ``deploy/nginx/commonground.conf`` with its addresses and certificate paths replaced.
Through it: console cookies are Secure; live-stream events arrive at once (nothing buffered); the
audit log and the sign-in limits see the client's own address (127.0.0.2), not the proxy's."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.service.ports import AuditFilter
from tests.conftest import World, bearer, free_port, operation_data, server_process

ROOT = Path(__file__).parents[2]
SITE = ROOT / "deploy" / "nginx" / "commonground.conf"
PASSWORD = "correct horse battery staple"
CLIENT = "127.0.0.2"  # the browser's address; nginx reaches serve from 127.0.0.1


def site(upstream: int, tls: int, plain: int, cert: Path, key: Path) -> str:
    text = SITE.read_text()
    text = text.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{tls} ssl;")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{plain};")
    text = text.replace("/etc/ssl/certs/commonground.pem", str(cert)).replace(
        "/etc/ssl/private/commonground.key", str(key)
    )
    return text


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[tuple[int, Any]]:
    """Start nginx for one upstream port (given later); yield the TLS port and a start function."""
    if shutil.which("nginx") is None or shutil.which("openssl") is None:
        pytest.skip("needs Debian's nginx and openssl (.ci/run installs them)")
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    prefix.chmod(0o777)
    cert, key = prefix / "cert.pem", prefix / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    tls, plain = free_port(), free_port()
    conf = prefix / "nginx.conf"
    started: list[bool] = []

    def start(upstream: int) -> None:
        conf.write_text(
            f"daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\n"
            "events { worker_connections 64; }\n"
            f"http {{\n access_log off;\n client_body_temp_path {prefix}/body;\n proxy_temp_path {prefix}/proxy;\n"
            f" fastcgi_temp_path {prefix}/fcgi;\n uwsgi_temp_path {prefix}/uwsgi;\n scgi_temp_path {prefix}/scgi;\n"
            f"{site(upstream, tls, plain, cert, key)}\n}}\n"
        )
        proc = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(conf)], stderr=subprocess.PIPE)
        started.append(True)
        procs.append(proc)
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"https://127.0.0.1:{tls}/healthz", verify=False, timeout=1)
                return
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.1)

    procs: list[subprocess.Popen[bytes]] = []
    try:
        yield tls, start
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def through(tls: int) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=CLIENT, verify=False)
    return httpx.Client(base_url=f"https://127.0.0.1:{tls}", transport=transport, timeout=10)


def test_behind_nginx_cookies_are_secure_streams_flow_and_the_audit_sees_the_client(
    store_url: str, nginx: tuple[int, Any]
) -> None:
    tls, start_nginx = nginx
    services = build_services(Settings(database_url=store_url))
    world = World(services)
    city, county = world.agency("local"), world.agency("local")
    sergeant = world.person(city, "supervisor", password=PASSWORD)
    deputy = world.person(county, "supervisor")
    tokens = world.token(sergeant), world.token(deputy)
    services.close()
    port = free_port()
    env = {"COMMONGROUND_SIGNIN_HOLD_BACK_AFTER": "1"}
    args = ["--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"]
    with server_process(store_url, port=port, env=env, extra_args=args), through(tls) as client:
        start_nginx(port)
        # 1. The console's cookies carry Secure (the app sees https from X-Forwarded-Proto).
        page = client.get("/login")
        assert page.status_code == 200 and page.headers["strict-transport-security"].startswith("max-age=")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        accepted = client.post("/login/accept", data={"csrf": csrf.group(1)}, follow_redirects=False)
        cookies = [c for c in accepted.headers.get_list("set-cookie") if "Max-Age=0" not in c]  # set, not cleared
        assert cookies and all("Secure" in c and "HttpOnly" in c for c in cookies)
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert token
        signed = client.post(
            "/login",
            data={"csrf": token.group(1), "username": sergeant.user.username, "password": PASSWORD},
            follow_redirects=False,
        )
        assert signed.status_code in (200, 303), signed.text[:300]
        session = [c for c in signed.headers.get_list("set-cookie") if "Max-Age=0" not in c]
        assert session and all("; Secure" in c for c in session)

        # 2. A live event arrives through the proxy at once.
        got: list[tuple[float, dict[str, Any]]] = []
        connected = threading.Event()

        def listen() -> None:
            with through(tls) as sse, sse.stream(
                "GET", "/api/v1/stream", headers={**bearer(tokens[0]), "Accept": "text/event-stream"},
                timeout=httpx.Timeout(10, read=20),
            ) as stream:  # fmt: skip
                connected.set()
                for line in stream.iter_lines():
                    if line.startswith("data:"):
                        got.append((time.monotonic(), json.loads(line[5:])))
                        return

        reader = threading.Thread(target=listen, daemon=True)
        reader.start()
        assert connected.wait(10)
        time.sleep(0.3)
        assert client.post("/api/v1/operations", json=operation_data(), headers=bearer(tokens[0])).status_code == 201
        sent = time.monotonic()
        second = client.post("/api/v1/operations", json=operation_data(lon=-93.2640), headers=bearer(tokens[1]))
        assert second.status_code == 201 and second.json()["conflicts"]
        reader.join(timeout=10)
        assert got, "no event through the proxy"
        assert got[0][0] - sent < 3.0  # unbuffered: a buffered proxy holds it until its buffer fills

        # 3. The client's address, not the proxy's, is what the sign-in limits and the audit log see:
        #    a second wrong password from it is held back, and that refusal is audited with its source.
        with through(tls) as fresh:
            first = re.search(r'name="csrf" value="([^"]+)"', fresh.get("/login").text)
            assert first
            fresh.post("/login/accept", data={"csrf": first.group(1)})
            again = re.search(r'name="csrf" value="([^"]+)"', fresh.get("/login").text)
            assert again
            wrong = {"csrf": again.group(1), "username": sergeant.user.username, "password": "not it"}
            for _ in range(2):
                fresh.post("/login", data=wrong)
    services = build_services(Settings(database_url=store_url))
    try:
        with services.store.read() as tx:
            records = tx.audit.records(AuditFilter(action="auth:session:login"), 100, None).items
        sources = {str((r.entry.details or {}).get("source")) for r in records if (r.entry.details or {}).get("source")}
        assert sources == {CLIENT}, sources
    finally:
        services.close()

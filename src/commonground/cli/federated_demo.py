"""``commonground demo --federated``: two installations on loopback that deconflict with each other.

Each is a separate ``commonground serve`` process with its own database, name, key, agencies
and tokens, registered with the other as a peer (both sides, as the trust model requires).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType

import httpx
import typer

from commonground.bootstrap import build_services
from commonground.cli.common import settings_for
from commonground.config import Settings
from commonground.demo import DEMO_PASSWORD, Region, SeedReport, seed
from commonground.demo import TWIN_CITIES as TWIN_CITIES_REGION
from commonground.demo.federal import FEDERAL
from commonground.service.principal import Principal

TWIN_CITIES_NAME = "twin-cities"
FEDERAL_NAME = "federal-region"
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Installation:
    """One side of the demonstration: where it lives, what it is called, whose data it holds."""

    name: str
    settings: Settings
    port: int
    region: Region

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def installations(database_url: str | None, peer_database_url: str, port: int, peer_port: int) -> list[Installation]:
    """Return the Twin Cities installation (the settings in force) and the federal region's."""
    here = settings_for(database_url).model_copy(
        update={"federation_name": TWIN_CITIES_NAME, "public_url": f"http://127.0.0.1:{port}"}
    )
    # The federal side never shares the first side's key file: each installation has its own key.
    there = Settings(
        database_url=peer_database_url,
        federation_name=FEDERAL_NAME,
        public_url=f"http://127.0.0.1:{peer_port}",
        federation_key_file="",
    )
    return [
        Installation(TWIN_CITIES_NAME, here, port, TWIN_CITIES_REGION),
        Installation(FEDERAL_NAME, there, peer_port, FEDERAL),
    ]


def prepare(sides: Sequence[Installation]) -> list[tuple[SeedReport, str]]:
    """Seed each side (once, before this demo registers peers) and return its report and public key."""
    prepared = []
    for side in sides:
        services = build_services(side.settings)
        try:
            prepared.append((seed(services, region=side.region), services.federation.public_key()))
        finally:
            services.close()
    return prepared


def register(side: Installation, other: Installation, other_key: str) -> None:
    """Trust ``other`` on ``side`` as its admin would, replacing a registration left with another port or key."""
    services = build_services(side.settings)
    try:
        with services.store.read() as tx:
            found = tx.people.by_username("admin")
            assert found is not None
            agency = tx.agencies.get(found[0].agency_id)
            assert agency is not None
        admin = Principal(found[0], agency)
        for peer in services.federation.peers(admin):
            if peer["name"] == other.name or peer["public_key"] == other_key:
                if peer["url"] == other.url and peer["public_key"] == other_key:
                    return
                services.federation.remove_peer(admin, peer["id"])
        services.federation.add_peer(admin, {"name": other.name, "url": other.url, "public_key": other_key})
    finally:
        services.close()


def start(side: Installation, host: str) -> subprocess.Popen[bytes]:
    """Start ``commonground serve`` for one side; it inherits this terminal's output."""
    command = [sys.executable, "-m", "commonground.cli", "serve", "--database-url", side.settings.database_url]
    command += ["--host", host, "--port", str(side.port), "--no-access-log"]
    env = {
        "COMMONGROUND_FEDERATION_NAME": side.name,
        "COMMONGROUND_PUBLIC_URL": side.url,
        "COMMONGROUND_FEDERATION_KEY_FILE": side.settings.federation_key_file,
    }
    return subprocess.Popen(command, env={**os.environ, **env})  # noqa: S603 - our own interpreter and module


def healthy(side: Installation, proc: subprocess.Popen[bytes]) -> bool:
    """Wait until the side answers ``/healthz``; False when it exits first or is too slow."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            if httpx.get(f"{side.url}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def stop(procs: Sequence[subprocess.Popen[bytes]]) -> None:
    """Ask every server to finish (SIGTERM, a graceful stop), then kill one that does not within the timeout."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def tour(sides: Sequence[Installation]) -> str:
    """Return the commands to try: the README's "Two installations" script with these ports."""
    here, there = sides
    return TRY.format(
        a=here.url, b=there.url, a_tokens=here.region.token_file, b_tokens=there.region.token_file
    ).strip()


TRY = """
A={a}/api/v1; B={b}/api/v1
token() {{ python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }}
at() {{ TZ=America/Chicago date -d "tomorrow $1" -Iseconds; }}
# Minneapolis (on twin-cities) plans a warrant at Lake St & Chicago Ave tomorrow morning:
# federation.hits names the FBI team the federal region has there, and whom to call.
curl -s -X POST $A/operations -H "Authorization: Bearer $(token {a_tokens} mpd.sgt)" \\
  -H 'Content-Type: application/json' -d '{{"type": "search_warrant", "purpose": "criminal",
  "title": "Warrant at Lake and Chicago", "starts_at": "'$(at 06:30)'", "ends_at": "'$(at 08:30)'",
  "location": {{"lat": 44.9483, "lon": -93.2636, "radius_m": 100}},
  "contact": {{"name": "Sgt. Moore", "phone": "+1 612 555 0500"}}}}' \\
  | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["federation"], indent=2))'
# The Marshals (on federal-region) plan a pickup at E 38th St & Hiawatha Ave after midnight:
# federation.hits names the Minneapolis and ICE teams the Twin Cities installation has there.
curl -s -X POST $B/operations -H "Authorization: Bearer $(token {b_tokens} usms.dusm)" \\
  -H 'Content-Type: application/json' -d '{{"type": "fugitive_apprehension", "purpose": "criminal",
  "title": "Fugitive pickup", "starts_at": "'$(at 00:30)'", "ends_at": "'$(at 02:30)'",
  "location": {{"lat": 44.9212, "lon": -93.2300, "radius_m": 150}},
  "contact": {{"name": "DUSM Sandberg", "phone": "+1 612 555 0330"}}}}' \\
  | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["federation"], indent=2))'
"""


def _print(sides: Sequence[Installation], prepared: Sequence[tuple[SeedReport, str]]) -> None:
    for side, (report, _key) in zip(sides, prepared, strict=True):
        typer.echo(
            f"{side.name} ({side.url}): {report.agencies} agencies, {report.operations} operations, "
            f"{report.conflicts} conflicts; tokens in {report.token_file}:"
        )
        for username, role, agency, token in report.tokens:
            typer.echo(f"  {username:<16} {role:<13} {agency:<44} {token}")
    typer.echo(f"Every demo user's password is {DEMO_PASSWORD!r}.")


def run(database_url: str | None, peer_database_url: str, host: str, port: int, peer_port: int) -> None:
    """Seed and register both sides, serve both until Ctrl-C (or SIGTERM), then stop both."""
    if peer_port == port:
        raise typer.BadParameter("must differ from --port: each installation has its own", param_hint="--peer-port")
    sides = installations(database_url, peer_database_url, port, peer_port)
    prepared = prepare(sides)
    register(sides[0], sides[1], prepared[1][1])
    register(sides[1], sides[0], prepared[0][1])
    _print(sides, prepared)

    def _terminate(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for side in sides:
            procs.append(start(side, host))
        for side, proc in zip(sides, procs, strict=True):
            if not healthy(side, proc):
                typer.echo(f"{side.name} did not start on {side.url}; stopping both.", err=True)
                raise typer.Exit(1)
        typer.echo("\nTwo installations are running, registered with each other as peers:")
        for side in sides:
            typer.echo(f"  {side.name:<15} console {side.url}/  API {side.url}/api/v1")
        typer.echo(f"Try (from this folder):\n\n{tour(sides)}\n\nCtrl-C stops both.", nl=True)
        sys.stdout.flush()
        while all(proc.poll() is None for proc in procs):
            time.sleep(0.5)
        raise typer.Exit(1)  # one side ended on its own: stop the other too
    except KeyboardInterrupt:
        pass
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)  # stopping already: a second Ctrl-C must not cut it short
        stop(procs)
    typer.echo("Both installations stopped.")

"""What federation costs a submission: nothing without peers; with peers, kept threads and connections, one unit.

Real parts: SQLite files, peer installations as ``commonground serve`` processes on loopback,
and a counting TCP relay in front of one of them to see how many connections the probes open.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path

from commonground.bootstrap import Services, build_services
from commonground.config import Settings
from commonground.domain.views import OperationView
from commonground.federation.link import Ed25519Link
from commonground.service.federation import Checked
from commonground.service.ports import Store, Transaction, WireReply
from commonground.service.principal import Principal
from tests.conftest import free_port, operation_data
from tests.functional.test_federation import Installation, install, running, trust


class Counted:
    """A real store whose units of work are counted."""

    def __init__(self, store: Store) -> None:
        self.store, self.inline_reads = store, store.inline_reads
        self.reads = self.writes = 0

    def read(self) -> AbstractContextManager[Transaction]:
        self.reads += 1
        return self.store.read()

    def write(self) -> AbstractContextManager[Transaction]:
        self.writes += 1
        return self.store.write()

    def close(self) -> None:
        self.store.close()


class Recorded(Ed25519Link):
    """The real link, noting which thread sent each probe."""

    def __init__(self) -> None:
        super().__init__()
        self.senders: list[threading.Thread] = []

    def post(self, url: str, headers: dict[str, str], body: bytes, timeout: float) -> WireReply:
        self.senders.append(threading.current_thread())
        return super().post(url, headers, body, timeout)


@contextmanager
def relay(to_port: int) -> Iterator[tuple[int, list[int]]]:
    """Forward a loopback port to ``to_port``; yield the port and a list holding the connections accepted."""
    listener = socket.create_server(("127.0.0.1", free_port()))
    accepted = [0]

    def pipe(src: socket.socket, dst: socket.socket) -> None:
        with src, dst:
            while data := src.recv(65536):
                dst.sendall(data)

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            accepted[0] += 1
            upstream = socket.create_connection(("127.0.0.1", to_port))
            threading.Thread(target=pipe, args=(client, upstream.dup()), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client.dup()), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        listener.close()


def measured(inst: Installation, link: Ed25519Link | None = None) -> tuple[Services, Counted]:
    """The submitting installation in this process, its federation's units counted."""
    services = build_services(Settings(database_url=inst.db, federation_name=inst.name, public_url=inst.url))
    counted = Counted(services.store)
    services.federation.store = counted
    if link is not None:
        services.federation.link.close()
        services.federation.link = link
    return services, counted


def submissions(services: Services, who: Principal, count: int) -> Iterator[OperationView]:
    """Submit ``count`` operations a little apart, yielding each stored view before its federation check."""
    for n in range(count):
        view, _ = services.operations.submit(who, operation_data(lat=44.5 + n / 10))
        yield view


def test_a_submission_without_peers_makes_no_write_no_request_and_at_most_one_read(tmp_path: Path) -> None:
    alone = install(tmp_path, "alone", "local")
    link = Recorded()
    services, counted = measured(alone, link)
    try:
        who = services.accounts.authenticate(alone.supervisor)
        for view in submissions(services, who, 5):
            assert services.federation.check(who, view) == Checked([], [], [])
        assert counted.writes == 0
        assert counted.reads <= 1  # the peer list, then kept
        assert link.senders == [] and link._connections is None  # no pool was even made
        assert services.federation._pool is None  # nor a probe thread started
    finally:
        services.close()


def test_probes_keep_their_threads_and_connections_and_write_one_unit_per_submission(tmp_path: Path) -> None:
    here = install(tmp_path, "here", "local")
    peer_a, peer_b = install(tmp_path, "peer-a", "federal"), install(tmp_path, "peer-b", "state")
    with relay(peer_a.port) as (relay_port, accepted):
        # peer-a is reached through the relay: its public address is the relay's, so signatures match.
        peer_a = replace(peer_a, url=f"http://127.0.0.1:{relay_port}")
        trust(here, peer_a)
        trust(here, peer_b)
        with running(peer_a, peer_b):
            link = Recorded()
            services, counted = measured(here, link)
            try:
                who = services.accounts.authenticate(here.supervisor)
                for view in submissions(services, who, 4):
                    before = counted.writes
                    result = services.federation.check(who, view)
                    assert (result.checked, result.unchecked) == (["peer-a", "peer-b"], [])
                    assert counted.writes - before == 1  # the statuses and the probe record, together
                assert len(link.senders) == 8
                assert len(set(link.senders)) <= 2  # two threads serve every submission's two probes
                assert accepted[0] == 1  # one connection to peer-a, kept from probe to probe
            finally:
                services.close()


def test_a_submission_with_peers_reads_nothing_after_its_own_unit_but_the_one_it_writes(tmp_path: Path) -> None:
    """Three read units followed every probed submission (the operation again before the probe, the open
    pairs and the notices told after it): ~2 ms of a 20 ms submission with one peer, measured."""
    here = install(tmp_path, "here", "local")
    peer = install(tmp_path, "peer-a", "federal")
    trust(here, peer)
    with running(peer):
        services, counted = measured(here)
        try:
            who = services.accounts.authenticate(here.supervisor)
            services.intake.submit(who, operation_data(lat=44.4))  # the peer list is read, then kept
            for n in range(3):
                reads, writes = counted.reads, counted.writes
                entered = services.intake.submit(who, operation_data(lat=44.5 + n / 10))
                assert entered.checked.checked == ["peer-a"]
                assert (counted.reads - reads, counted.writes - writes) == (0, 1)
        finally:
            services.close()

"""What the repository contract suite shares: a unit-of-work store on each backend, builders, coverage marks.

Imported explicitly by the ``test_repositories_*`` modules (pytest does not load it by name).
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from commonground.audit.chain import AuditEntry
from commonground.bootstrap import open_store
from commonground.config import normalise_url
from commonground.domain.model import Acknowledgement, Agency, Conflict, ConflictKind, ConflictStatus, Operation, Role
from commonground.domain.model import User as Person
from commonground.domain.notices import Notice, NoticeKind, NoticeStatus
from commonground.domain.notifications import Channel, ChannelKind, Delivery, DeliveryStatus
from commonground.domain.timewindow import TimeWindow
from commonground.service.ports import Event, LookupRecord, Page, Store, TokenRecord
from commonground.service.signin_ports import SessionRecord
from tests.conftest import PG_ENV, PG_SKIP
from tests.unit.factories import T0

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
# An offset other than UTC: what goes in at -06:00 must come back as the same instant, in UTC.
CHICAGO = timezone(timedelta(hours=-6))
_n = itertools.count(1)


def covers(*methods: str) -> Callable[[F], F]:
    """Mark a contract test as exercising ``repository.method`` (e.g. ``"operations.candidates"``)."""

    def mark(test: F) -> F:
        test.__dict__["covers"] = (*test.__dict__.get("covers", ()), *methods)
        return test

    return mark


# --- the store under test ----------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """Migrate one PostgreSQL database per session; each test copies it (faster than migrating)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    name = f"cg_tpl_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        open_store(make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)).close()
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _postgres_copy(template: str) -> Iterator[str]:
    base = normalise_url(os.environ[PG_ENV])
    name = f"cg_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Store]:
    """An empty, migrated store on each backend; every contract test runs on both."""
    if request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'contract.db'}")
        yield opened
        opened.close()
        return
    for url in _postgres_copy(request.getfixturevalue("postgres_template")):
        opened = open_store(url, upgrade=False)
        try:
            yield opened
        finally:
            opened.close()


def seed(store: Store, *objects: object) -> None:
    """Commit domain values in one unit, each through its own repository."""
    with store.write() as tx:
        for obj in objects:
            if isinstance(obj, Agency):
                tx.agencies.add(obj)
            elif isinstance(obj, Person):
                tx.people.add(obj, None)
            elif isinstance(obj, Operation):
                tx.operations.add(obj)
            elif isinstance(obj, Conflict):
                assert tx.conflicts.add(obj)
            elif isinstance(obj, Notice):
                tx.notices.add(obj)
            elif isinstance(obj, TokenRecord):
                tx.tokens.add(obj)
            else:
                raise TypeError(f"no repository seeds {type(obj).__name__}")


def every_page(fetch: Callable[[str | None], Page[T]]) -> list[list[T]]:
    """Follow a paging cursor to the end; return each page's items."""
    pages, after = [], None
    while True:
        page = fetch(after)
        pages.append(list(page.items))
        if page.next is None:
            return pages
        after = page.next


def is_utc(instant: datetime | None) -> bool:
    return instant is not None and instant.utcoffset() == timedelta(0)


# --- builders of domain values the factories do not make ----------------------------------
def uid(prefix: str) -> str:
    """An id that sorts in creation order, so paging order is known."""
    return f"{prefix}{next(_n):06d}"


def person(agency: Agency, *roles: Role, **kw: Any) -> Person:
    n = next(_n)
    made = Person(uid("u"), agency.id, f"person{n}", f"Person {n}", frozenset(roles or (Role.OFFICER,)))
    return replace(made, **kw)


def token(user: Person, **kw: Any) -> TokenRecord:
    made = TokenRecord(uid("t"), user.id, "cad link", uuid.uuid4().hex * 2, T0.astimezone(CHICAGO), T0 + timedelta(90))
    return replace(made, **kw)


def conflict(a: Operation, b: Operation, **kw: Any) -> Conflict:
    first, second = sorted((a, b), key=lambda op: op.id)
    made = Conflict(
        id=uid("c"),
        kind=ConflictKind.PROXIMITY,
        operation_a=first.id,
        operation_b=second.id,
        agency_a=first.agency_id,
        agency_b=second.agency_id,
        status=ConflictStatus.OPEN,
        detected_at=T0,
        distance_m=42.5,
        overlap=TimeWindow(T0, T0 + timedelta(hours=1)),
    )
    return replace(made, **kw)


def acknowledged(by: str, at: datetime = T0, on_behalf: bool = False) -> Acknowledgement:
    return Acknowledgement(at, by, on_behalf)


def notice(op: Operation, agency_id: str, **kw: Any) -> Notice:
    made = Notice(uid("n"), op.id, agency_id, NoticeKind.ENTRY, NoticeStatus.SENT, T0, T0, T0)
    return replace(made, **kw)


def event(kind: str = "conflict.created", **kw: Any) -> Event:
    made = Event(0, kind, uid("obj"), None, False, {"n": next(_n), "why": ["near"]}, T0.astimezone(CHICAGO))
    return replace(made, **kw)


def channel(agency_id: str | None, kind: ChannelKind = ChannelKind.WEBHOOK, **kw: Any) -> Channel:
    n = next(_n)
    target = f"https://hooks{n}.example.org/in" if kind is ChannelKind.WEBHOOK else f"desk{n}@example.org"
    secret = "s" * 32 if kind is ChannelKind.WEBHOOK else None
    made = Channel(uid("ch"), agency_id, kind, target, frozenset({"conflict.created"}), secret, T0)
    return replace(made, **kw)


def delivery(object_id: str, **kw: Any) -> Delivery:
    n = next(_n)
    made = Delivery(
        key=f"{n}:webhook:agency",
        event_seq=n,
        object_id=object_id,
        agency_id="ag-x",
        channel=ChannelKind.WEBHOOK,
        channel_id=uid("ch"),
        target="https://hooks.example.org/in",
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=T0,
        last_error=None,
        created_at=T0.astimezone(CHICAGO),
    )
    return replace(made, **kw)


def lookup(user: Person, at: datetime, **kw: Any) -> LookupRecord:
    return replace(LookupRecord(uid("l"), user.id, user.agency_id, at, 44.9778, -93.265, 300.0, 2), **kw)


def session(user_id: str | None, **kw: Any) -> SessionRecord:
    made = SessionRecord(uuid.uuid4().hex * 2, user_id, "banner", uuid.uuid4().hex, T0, T0.astimezone(CHICAGO))
    return replace(made, **kw)


def entry(action: str = "ops:operation:create", **kw: Any) -> AuditEntry:
    made = AuditEntry(action, "success", "u1", "ag1", "operation", uid("op"), {"conflicts": next(_n) % 3})
    return replace(made, **kw)

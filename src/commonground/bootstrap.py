"""The one place where the parts are wired together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commonground.config import Settings, normalise_url
from commonground.service.accounts import Accounts
from commonground.service.audit import AuditLog
from commonground.service.clock import SystemClock
from commonground.service.conflicts import Conflicts
from commonground.service.lookups import Lookups
from commonground.service.notices import Notices
from commonground.service.operations import Operations
from commonground.service.ports import Clock, Store
from commonground.service.signin import SignIn
from commonground.service.subjects import normalise_subject
from commonground.store import migrate


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    accounts: Accounts
    operations: Operations
    conflicts: Conflicts
    audit: AuditLog
    notices: Notices
    lookups: Lookups
    signin: SignIn

    def close(self) -> None:
        self.store.close()


def open_store(url: str, *, upgrade: bool = True, settings: Settings | None = None) -> Store:
    """Open the store a URL names, bringing an empty database up to date first."""
    url = normalise_url(url)
    settings = settings or Settings()
    store: Any
    if url.startswith("sqlite"):
        from commonground.store.sqlite import SQLiteStore

        store = SQLiteStore(url)
    elif url.startswith("postgresql"):
        from commonground.store.postgres import PostgresStore, Timeouts

        timeouts = Timeouts(settings.pg_connect_timeout, settings.pg_statement_timeout_ms, settings.pg_lock_timeout_ms)
        store = PostgresStore(url, timeouts)
    else:
        raise ValueError(f"unsupported database URL: {url.split(':', 1)[0]}")
    if upgrade:
        migrate.upgrade(store.engine)
    return store  # type: ignore[no-any-return]


def build_services(
    settings: Settings | None = None, *, store: Store | None = None, clock: Clock | None = None
) -> Services:
    settings = settings or Settings()
    store = store or open_store(settings.database_url, settings=settings)
    clock = clock or SystemClock()
    return Services(
        settings=settings,
        store=store,
        clock=clock,
        accounts=Accounts(store, clock),
        operations=Operations(store, clock, normalise_subject),
        conflicts=Conflicts(store, clock),
        audit=AuditLog(store, clock),
        notices=Notices(store, clock),
        lookups=Lookups(store, clock, settings.lookup_limit_per_hour),
        signin=SignIn(store, clock),
    )

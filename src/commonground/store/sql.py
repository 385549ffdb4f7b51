"""What both SQL stores share: handing out units of work and turning store failures into 503s."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from commonground.domain.errors import DeconflictionUnavailable
from commonground.service.ports import Transaction
from commonground.store.audit_key import AuditKeyring
from commonground.store.unit import SqlUnit


class SqlStore:
    """Hands out transactions; store failures surface as ``DeconflictionUnavailable``."""

    transaction_class: ClassVar[type[SqlUnit]]
    inline_reads = False

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.keyring = AuditKeyring()  # shared by every unit: audit values are sealed under one key

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Transaction]:
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(cg_write=write)
                with conn.begin():
                    tx = self.transaction_class(conn, keyring=self.keyring)
                    yield tx
                    tx.flush()
        except IntegrityError:
            raise
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, DBAPIError) and not isinstance(exc, OperationalError) and not exc.connection_invalidated:
                raise
            raise DeconflictionUnavailable(
                "the deconfliction store is unavailable; no check was made, try again"
            ) from exc

    def write(self) -> Any:
        return self._transaction(write=True)

    def read(self) -> Any:
        return self._transaction(write=False)

    def close(self) -> None:
        self.engine.dispose()

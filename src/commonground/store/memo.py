"""What a transaction has read and need not read again."""

from __future__ import annotations

from dataclasses import dataclass, field

from commonground.domain.model import Agency


@dataclass
class Memo:
    """Reads a transaction need not repeat; on SQLite the writers of one group-commit batch share
    one, since nothing else can write while the batch holds the lock. Agency writes forget the
    agencies; a writer that rolls back forgets everything."""

    audit_head: tuple[int, str] | None = None
    reach: tuple[int, int] | None = None
    agencies: dict[str, Agency] = field(default_factory=dict)

    def forget_agencies(self) -> None:
        self.agencies.clear()
        self.reach = None

    def forget(self) -> None:
        self.audit_head = None
        self.forget_agencies()

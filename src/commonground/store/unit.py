"""The SQL unit of work: one connection, its held writes and memo, and a repository per table family."""

from __future__ import annotations

from abc import abstractmethod

from sqlalchemy import Connection

from commonground.service.ports import (
    AgencyRepository,
    AuditRepository,
    ChannelRepository,
    ConflictRepository,
    DeliveryRepository,
    EscalationRepository,
    LookupRepository,
    NoticeRepository,
    OperationRepository,
    Outbox,
    PeerRepository,
    PersonRepository,
    SubjectRepository,
    TokenRepository,
)
from commonground.service.signin_ports import SignInRepository
from commonground.store.agencies import SqlAgencies
from commonground.store.audit import SqlAudit
from commonground.store.channels import SqlChannels
from commonground.store.conflicts import SqlConflicts
from commonground.store.deliveries import SqlDeliveries
from commonground.store.escalations import SqlEscalations
from commonground.store.held import HeldWrites
from commonground.store.lookups import SqlLookups
from commonground.store.memo import Memo
from commonground.store.notices import SqlNotices
from commonground.store.outbox import SqlOutbox
from commonground.store.peers import SqlPeers
from commonground.store.people import SqlPeople
from commonground.store.signin import SqlSignIn
from commonground.store.subjects import SqlSubjects
from commonground.store.tokens import SqlTokens


class SqlUnit(HeldWrites):
    """Implements ``Transaction``; each store supplies its operations repository (the index)."""

    def __init__(self, conn: Connection, memo: Memo | None = None) -> None:
        super().__init__(conn, memo)
        self.agencies: AgencyRepository = SqlAgencies(self)
        self.people: PersonRepository = SqlPeople(self)
        self.tokens: TokenRepository = SqlTokens(self)
        self.operations: OperationRepository = self._operations()
        self.conflicts: ConflictRepository = SqlConflicts(self)
        self.notices: NoticeRepository = SqlNotices(self)
        self.outbox: Outbox = SqlOutbox(self)
        self.channels: ChannelRepository = SqlChannels(self)
        self.deliveries: DeliveryRepository = SqlDeliveries(self)
        self.escalations: EscalationRepository = SqlEscalations(self)
        self.lookups: LookupRepository = SqlLookups(self)
        self.subjects: SubjectRepository = SqlSubjects(self)
        self.audit: AuditRepository = SqlAudit(self)
        self.signin: SignInRepository = SqlSignIn(self)
        self.peers: PeerRepository = SqlPeers(self)

    @abstractmethod
    def _operations(self) -> OperationRepository:
        """The store's operations repository, with its candidate index."""

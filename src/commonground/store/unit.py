"""The SQL unit of work: one connection, its held writes and memo, and a repository per table family."""

from __future__ import annotations

from abc import abstractmethod
from functools import cached_property

from sqlalchemy import Connection

from commonground.service.ports import (
    AgencyRepository,
    AuditRepository,
    ChannelRepository,
    CheckpointRepository,
    ConflictRepository,
    DeliveryRepository,
    EscalationRepository,
    IncidentRepository,
    LookupRepository,
    MetricsRepository,
    NearMissRepository,
    NoticeRepository,
    NoticeResponseRepository,
    OperationRepository,
    Outbox,
    ParticipationRepository,
    PeerRepository,
    PersonRepository,
    RemoteConflictRepository,
    RemoteNoticeRepository,
    ReplayRepository,
    SensitivePlaceRepository,
    SubjectRepository,
    TargetRepository,
    TokenRepository,
    UncheckedRepository,
)
from commonground.service.signin_ports import SignInRepository
from commonground.store.agencies import SqlAgencies
from commonground.store.audit import SqlAudit, SqlCheckpoints
from commonground.store.audit_key import AuditKeyring
from commonground.store.channels import SqlChannels
from commonground.store.conflicts import SqlConflicts
from commonground.store.deliveries import SqlDeliveries
from commonground.store.escalations import SqlEscalations
from commonground.store.held import HeldWrites
from commonground.store.incidents import SqlIncidents
from commonground.store.lookups import SqlLookups
from commonground.store.memo import Memo
from commonground.store.metrics import SqlMetrics
from commonground.store.near_misses import SqlNearMisses
from commonground.store.notice_responses import SqlNoticeResponses
from commonground.store.notices import SqlNotices
from commonground.store.outbox import SqlOutbox
from commonground.store.participation import SqlParticipation
from commonground.store.peers import SqlPeers
from commonground.store.people import SqlPeople
from commonground.store.remote_conflicts import SqlRemoteConflicts
from commonground.store.remote_notices import SqlRemoteNotices
from commonground.store.replays import SqlReplays
from commonground.store.sensitive import SqlSensitivePlaces
from commonground.store.signin import SqlSignIn
from commonground.store.subjects import SqlSubjects
from commonground.store.targets import SqlTargets
from commonground.store.tokens import SqlTokens
from commonground.store.unchecked import SqlUnchecked


class SqlUnit(HeldWrites):
    """Implements ``Transaction``; each store supplies its operations repository (the index).

    Repositories are made on first use: most units touch two or three of them, and a bearer
    token's look-up (one per request) only one.
    """

    def __init__(self, conn: Connection, memo: Memo | None = None, keyring: AuditKeyring | None = None) -> None:
        super().__init__(conn, memo, keyring)

    @cached_property
    def agencies(self) -> AgencyRepository:
        return SqlAgencies(self)

    @cached_property
    def people(self) -> PersonRepository:
        return SqlPeople(self)

    @cached_property
    def tokens(self) -> TokenRepository:
        return SqlTokens(self)

    @cached_property
    def operations(self) -> OperationRepository:
        return self._operations()

    @cached_property
    def conflicts(self) -> ConflictRepository:
        return SqlConflicts(self)

    @cached_property
    def notices(self) -> NoticeRepository:
        return SqlNotices(self)

    @cached_property
    def outbox(self) -> Outbox:
        return SqlOutbox(self)

    @cached_property
    def channels(self) -> ChannelRepository:
        return SqlChannels(self)

    @cached_property
    def deliveries(self) -> DeliveryRepository:
        return SqlDeliveries(self)

    @cached_property
    def escalations(self) -> EscalationRepository:
        return SqlEscalations(self)

    @cached_property
    def lookups(self) -> LookupRepository:
        return SqlLookups(self)

    @cached_property
    def subjects(self) -> SubjectRepository:
        return SqlSubjects(self)

    @cached_property
    def audit(self) -> AuditRepository:
        return SqlAudit(self)

    @cached_property
    def checkpoints(self) -> CheckpointRepository:
        return SqlCheckpoints(self)

    @cached_property
    def signin(self) -> SignInRepository:
        return SqlSignIn(self)

    @cached_property
    def peers(self) -> PeerRepository:
        return SqlPeers(self)

    @cached_property
    def remote_conflicts(self) -> RemoteConflictRepository:
        return SqlRemoteConflicts(self)

    @cached_property
    def unchecked(self) -> UncheckedRepository:
        return SqlUnchecked(self)

    @cached_property
    def metrics(self) -> MetricsRepository:
        return SqlMetrics(self)

    @cached_property
    def participation(self) -> ParticipationRepository:
        return SqlParticipation(self)

    @cached_property
    def sensitive_places(self) -> SensitivePlaceRepository:
        return SqlSensitivePlaces(self)

    @cached_property
    def remote_notices(self) -> RemoteNoticeRepository:
        return SqlRemoteNotices(self)

    @cached_property
    def notice_responses(self) -> NoticeResponseRepository:
        return SqlNoticeResponses(self)

    @cached_property
    def near_misses(self) -> NearMissRepository:
        return SqlNearMisses(self)

    @cached_property
    def targets(self) -> TargetRepository:
        return SqlTargets(self)

    @cached_property
    def incidents(self) -> IncidentRepository:
        return SqlIncidents(self)

    @cached_property
    def replays(self) -> ReplayRepository:
        return SqlReplays(self)

    @abstractmethod
    def _operations(self) -> OperationRepository:
        """The store's operations repository, with its candidate index."""

"""What the use-cases need from the outside world, as typing Protocols."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from commonground.audit.chain import AuditEntry
from commonground.audit.checkpoints import Checkpoint
from commonground.audit.verify import StoredRecord
from commonground.domain.conflicts import SearchReach
from commonground.domain.federation import Peer, PeerStatus
from commonground.domain.geometry import Area, Box
from commonground.domain.incidents import Incident, RecipientReason
from commonground.domain.model import (
    Agency,
    Conflict,
    ConflictKind,
    ConflictStatus,
    ContactAttempt,
    Operation,
    OperationStatus,
    User,
)
from commonground.domain.near_misses import NearMiss
from commonground.domain.notice_responses import NoticeResponse
from commonground.domain.notices import Notice
from commonground.domain.notifications import Channel, Delivery
from commonground.domain.participation import ConflictFact, EntryFact
from commonground.domain.policy import Policy, Purpose
from commonground.domain.remote_conflicts import RemoteConflict
from commonground.domain.remote_notices import OwedNotice, RemoteNotice
from commonground.domain.reprobe import Unchecked
from commonground.domain.retries import Replay
from commonground.domain.scopes import Scope
from commonground.domain.sensitive import SensitivePlace
from commonground.domain.targets import Target
from commonground.domain.timewindow import TimeWindow
from commonground.service.signin_ports import SignInRepository

T = TypeVar("T")
Rings = tuple[tuple[tuple[float, float], ...], ...]


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    next: str | None


@dataclass(frozen=True, slots=True)
class OperationFilter:
    """Which operations a page holds; ``agency_id`` None reaches every agency (the watch's overdue list).

    ``status`` ``planned``, ``active`` and ``overdue`` are read off the window at ``now``, which
    the use-case must then give.
    """

    agency_id: str | None
    active_at: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None
    status: OperationStatus | None = None
    created_by: str | None = None
    now: datetime | None = None
    live_between: tuple[datetime, datetime] | None = None  # neither ended nor closed, overlapping [from, to)


@dataclass(frozen=True, slots=True)
class ConflictFilter:
    agency_id: str | None = None
    operation_created_by: str | None = None
    status: ConflictStatus | None = None


@dataclass(frozen=True, slots=True)
class AuditFilter:
    since: datetime | None = None
    actor: str | None = None
    action: str | None = None
    # Newest first, the cursor then meaning "older than": what an auditor reads first on the page.
    newest_first: bool = False


@dataclass(frozen=True, slots=True)
class UserFilter:
    """Which people an administrator lists; ``agency_id`` None means every agency (installation admin)."""

    agency_id: str | None = None
    role: str | None = None
    disabled: bool | None = None
    username_prefix: str | None = None


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: str
    user_id: str
    name: str
    token_hash: str
    created_at: datetime
    expires_at: datetime | None
    scopes: frozenset[Scope] | None = None  # None: everything the user's roles allow
    lookup_limit_per_hour: int | None = None  # None: the installation's per-user look-up limit


@dataclass(frozen=True, slots=True)
class Event:
    """An outbox row: what happened, to which object, and who must hear of it."""

    seq: int
    kind: str
    object_id: str
    agency_id: str | None
    for_watch: bool
    details: dict[str, Any] | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LookupRecord:
    id: str
    user_id: str
    agency_id: str
    at: datetime
    lat: float | None  # None: a question with no place (a plate verification)
    lon: float | None
    radius_m: float
    results: int


@dataclass(frozen=True, slots=True)
class LookupPlace:
    """Where an earlier look-up asked, and whose it was: all the sweep rule reads of one."""

    user_id: str
    lon: float
    lat: float
    radius_m: float


class AgencyRepository(Protocol):
    """Agencies, their sharing policies and jurisdictions."""

    def add(self, agency: Agency) -> None: ...
    def get(self, agency_id: str) -> Agency | None: ...
    def get_many(self, agency_ids: Collection[str]) -> dict[str, Agency]:
        """The agencies of these ids that exist, read at once: a submission near fifty operations
        of twenty agencies needs them all."""

    def by_ori(self, ori: str) -> Agency | None: ...
    def page(self, limit: int, after: str | None) -> Page[Agency]: ...
    def set_policy(self, agency_id: str, policy: Policy) -> None: ...
    def set_missions(self, agency_id: str, missions: frozenset[Purpose]) -> None:
        """Replace the agency's missions (the installation admin's record of what the agency is for)."""

    def set_jurisdiction(self, agency_id: str, rings: Rings | None, holes: tuple[Rings, ...] = ()) -> None:
        """Keep the outer rings and, by ring, the holes cut out of them."""

    def set_jurisdiction_box(self, agency_id: str, box: Box | None) -> None: ...
    def with_jurisdiction_in(self, boxes: list[Box]) -> list[Agency]: ...
    def reach(self) -> tuple[int, int]:
        """Return the installation's widest proximity (m) and time buffer (min) over every policy."""


class PersonRepository(Protocol):
    """People who sign in, with their password hashes."""

    def add(self, user: User, password_hash: str | None) -> None: ...
    def get(self, user_id: str) -> User | None: ...
    def by_username(self, username: str) -> tuple[User, str | None] | None: ...
    def count_with_role(self, role: str) -> int: ...
    def page(self, where: UserFilter, limit: int, after: str | None) -> Page[User]:
        """Return people matching ``where``, by username, after the username ``after``."""

    def update(self, user: User) -> None:
        """Store the user's display name, roles, phone, e-mail and disabled flag."""

    def set_password(self, user_id: str, password_hash: str) -> None: ...
    def add_reset(self, token_hash: str, user_id: str, created_at: datetime, expires_at: datetime) -> None:
        """Keep a one-time set-password token (its hash); the user's earlier unused ones stop working."""

    def take_reset(self, token_hash: str, at: datetime) -> str | None:
        """Use up an unused, unexpired set-password token; return its user id, or None."""

    def touch(self, user_id: str, at: datetime) -> None:
        """Note that the person signed in at ``at`` (what the inactivity rule reads)."""

    def stale(self, before: datetime, now: datetime) -> list[User]:
        """Enabled people with no sign-in (or creation) since ``before`` and no live bearer token at ``now``."""

    def expired(self, now: datetime) -> list[User]:
        """Enabled temporary accounts whose ``expires_at`` has passed."""


class TokenRepository(Protocol):
    """Bearer tokens, stored as hashes."""

    def add(self, token: TokenRecord) -> None: ...
    def principal(self, token_hash: str) -> tuple[TokenRecord, User, Agency] | None:
        """Resolve an unrevoked token to its user and agency in one round trip."""

    def of_agency(self, agency_id: str | None) -> list[tuple[TokenRecord, User, datetime | None]]: ...
    def revoke(self, token_id: str, at: datetime) -> bool: ...
    def revoke_of_user(self, user_id: str, at: datetime) -> int:
        """Revoke every live token of one user; return how many."""


class OperationRepository(Protocol):
    """Operations and the spatial-temporal index the check searches."""

    def add(self, op: Operation) -> None: ...
    def update(self, op: Operation) -> None: ...
    def get(self, operation_id: str) -> Operation | None: ...
    def page(self, where: OperationFilter, limit: int, after: str | None) -> Page[Operation]: ...
    def candidates(self, area: Area, window: TimeWindow, reach: SearchReach, exclude: str | None) -> list[Operation]:
        """Return live operations (other than ``exclude``) that may be within ``reach`` of ``area`` during
        ``window``; an over-estimate the domain rule trims. On a shared store this also locks the cells."""

    def count(self) -> int: ...
    def with_team_plate(
        self, plate: str, state: str | None, live_after: datetime, starting_by: datetime
    ) -> list[Operation]:
        """Return live operations whose team declared ``plate`` (normalised; of ``state``, or of no state given
        with it, when ``state`` is given), ending after ``live_after`` and starting by ``starting_by``."""

    def restrict(self, operation_id: str, agency_id: str) -> bool:
        """Record for good that the operation is restricted towards the agency; return whether it is new.

        ``update`` never clears it: only this method writes ``restricted_by``."""

    def retention_due(
        self, ended_before: datetime, entered_before: datetime, limit: int, after: str | None
    ) -> Page[Operation]:
        """Return operations not yet purged that ended before ``ended_before`` or were entered before
        ``entered_before``, in id order: what a purge run looks at."""


class ConflictRepository(Protocol):
    def add(self, conflict: Conflict) -> bool:
        """Insert unless the pair is already recorded; return whether it was new."""

    def add_new(self, found: Sequence[Conflict]) -> None:
        """Insert the conflicts of an operation inserted in this transaction, at once (no pair can exist)."""

    def update(self, conflict: Conflict) -> None: ...
    def get(self, conflict_id: str) -> Conflict | None: ...
    def of_operation(self, operation_id: str) -> list[Conflict]: ...
    def page(self, where: ConflictFilter, limit: int, after: str | None) -> Page[Conflict]: ...
    def add_contact(self, contact: ContactAttempt) -> None:
        """Record one attempt by the watch to reach a side."""

    def contacts(self, conflict_id: str) -> list[ContactAttempt]:
        """Return the attempts to reach the sides of a conflict, oldest first."""


class ParticipationRepository(Protocol):
    """What the participation reports count over a period (``since`` inclusive, ``until`` not)."""

    def entries(self, since: datetime, until: datetime) -> list[EntryFact]:
        """Return every operation entered in the period, as the report counts it."""

    def conflicts(self, since: datetime, until: datetime) -> list[ConflictFact]:
        """Return every conflict detected in the period, with its acknowledgement times."""

    def lookups(self, since: datetime, until: datetime) -> dict[str, int]:
        """Return how many look-ups each agency's people made in the period."""

    def host_responses(self, since: datetime, until: datetime) -> list[tuple[str, str]]:
        """Return (operating agency, response) for each host agency's current answer given in the period."""

    def near_misses(self, since: datetime, until: datetime) -> dict[str, int]:
        """Return how many near-misses that happened in the period each agency was involved in."""

    def incidents(self, since: datetime, until: datetime) -> dict[str, int]:
        """Return how many critical incidents each operating agency reported as happening in the period."""


class SensitivePlaceRepository(Protocol):
    """Schools, hospitals and the like that agencies load (docs/sensitive-places.md)."""

    def replace(self, agency_id: str, places: Sequence[SensitivePlace]) -> None:
        """Replace every place of the agency (an empty list clears them)."""

    def of_agency(self, agency_id: str) -> list[SensitivePlace]: ...
    def near(self, boxes: Sequence[Box]) -> list[SensitivePlace]:
        """Return every place whose box meets one of ``boxes`` (candidates: the caller measures)."""

    def count(self) -> int: ...


class NoticeRepository(Protocol):
    """Notices to host agencies of operations in their jurisdiction."""

    def add(self, notice: Notice) -> None: ...
    def update(self, notice: Notice) -> None: ...
    def of_operation(self, operation_id: str) -> list[Notice]: ...
    def due(self, now: datetime, limit: int) -> list[Notice]: ...
    def page(self, agency_id: str, limit: int, after: str | None) -> Page[Notice]: ...
    def get(self, notice_id: str) -> Notice | None: ...
    def counts(self) -> list[tuple[str, str, int]]:
        """Return (owner agency, status, count) over every entry notice, for the transparency report."""


class NoticeResponseRepository(Protocol):
    """Host agencies' current answers to the notices of operations in their jurisdiction."""

    def put(self, answer: NoticeResponse) -> None: ...
    def get(self, operation_id: str, agency_id: str) -> NoticeResponse | None: ...
    def of_operation(self, operation_id: str) -> list[NoticeResponse]: ...
    def counts(self) -> list[tuple[str, str, int]]:
        """Return (host agency, response, count) over every current response, for the transparency report."""


class NearMissRepository(Protocol):
    """Near-misses and the operations (with their agencies) each one names."""

    def add(self, miss: NearMiss) -> None: ...
    def page(self, agency_id: str | None, limit: int, after: str | None) -> Page[NearMiss]:
        """Return near-misses newest first: those ``agency_id`` is involved in, or all for None (the watch)."""


class TargetRepository(Protocol):
    """Case targets; their subjects' blocking keys are in the subject index under the target's id."""

    def add(self, target: Target) -> None: ...
    def get(self, target_id: str) -> Target | None:
        """Return the target, deleted or expired too (None when there never was one)."""

    def page(self, agency_id: str, limit: int, after: str | None) -> Page[Target]:
        """Return the agency's targets not deleted (expired ones too), newest first."""

    def delete(self, target_id: str, at: datetime) -> None:
        """Mark the target deleted at ``at``; it matches nothing from then on."""

    def with_keys(self, keys: Iterable[str], now: datetime, exclude: str) -> list[Target]:
        """Return the targets live at ``now`` with any of the blocking ``keys``, but ``exclude``."""

    def retention_due(self, ended_before: datetime, limit: int, after: str | None) -> Page[Target]:
        """Targets not yet purged that expired or were withdrawn before ``ended_before``, by id."""

    def purge(self, target: Target) -> None:
        """Write a target's shell (``domain.retention.purged_target``): its details are gone."""


class IncidentRepository(Protocol):
    """Critical incidents of operations, and the agencies each was sent to."""

    def add(self, incident: Incident, told: Mapping[str, RecipientReason]) -> None:
        """Keep the incident and, by agency id, why each agency was told of it."""

    def get(self, incident_id: str) -> Incident | None: ...
    def told(self, incident_id: str) -> dict[str, RecipientReason]:
        """The agencies told of the incident (not its operating agency, not the watch center)."""

    def of_operation(self, operation_id: str) -> list[Incident]:
        """Oldest first."""

    def page(self, agency_id: str | None, limit: int, after: str | None) -> Page[Incident]:
        """Newest first: the incidents of the agency's operations and those it was told of (None: every one)."""

    def acknowledge(self, incident_id: str, agency_id: str, at: datetime) -> bool:
        """Record the first acknowledgement; return False when it was acknowledged before."""

    def unacknowledged(self, reported_before: datetime, limit: int) -> list[Incident]:
        """Incidents reported before ``reported_before`` that nobody acknowledged and that were not escalated."""

    def escalate(self, incident_id: str, at: datetime) -> bool:
        """Mark the incident escalated; return False when another process did first."""

    def purge_summaries(self, operation_id: str) -> int:
        """Clear the summaries of an operation's incidents (retention); return how many were cleared."""


class Outbox(Protocol):
    """Events written with the change that caused them, read by streams and the fan-out."""

    def add(self, event: Event) -> None: ...
    def after(self, seq: int, agency_id: str | None, watch: bool, limit: int) -> list[Event]: ...
    def last_seq(self) -> int: ...
    def all_after(self, seq: int, limit: int) -> list[Event]: ...
    def by_seq(self, seqs: Iterable[int]) -> dict[int, Event]: ...
    def claim_cursor(self, name: str) -> int:
        """Return a named cursor's position, holding it against other fan-outs until commit."""

    def move_cursor(self, name: str, seq: int) -> None: ...


class ChannelRepository(Protocol):
    """Where an agency (or, with ``None``, the watch center) hears of events."""

    def of_agency(self, agency_id: str | None) -> list[Channel]: ...
    def set(self, agency_id: str | None, wanted: list[Channel]) -> None: ...
    def all(self) -> list[Channel]: ...
    def get(self, channel_id: str) -> Channel | None: ...


class DeliveryRepository(Protocol):
    """One row per event, channel and recipient: what was sent, what is due again."""

    def add(self, rows: list[Delivery]) -> None: ...
    def due(self, now: datetime, limit: int) -> list[Delivery]: ...
    def update(self, delivery: Delivery) -> None: ...
    def of_object(self, object_id: str) -> list[Delivery]: ...
    def get(self, seq: int) -> Delivery | None: ...
    def unraised(self, tried_before: datetime, limit: int) -> list[Delivery]:
        """Return deliveries not yet raised as failing that may be (the rule: ``failing_now``)."""

    def of_agency(self, agency_id: str | None, status: str, limit: int, after: int | None) -> Page[Delivery]:
        """Page an agency's deliveries by status, newest first; ``failed`` holds those raised as failing."""


class EscalationRepository(Protocol):
    """Alerts raised when a conflict stays unacknowledged."""

    def candidates(
        self, detected_before: datetime, starting_before: datetime, now: datetime, limit: int
    ) -> list[Conflict]:
        """Return open conflicts that may owe an alert; the escalator decides exactly."""

    def of_conflicts(self, conflict_ids: Iterable[str]) -> dict[str, set[tuple[str, str]]]: ...
    def add(self, conflict_id: str, side: str, kind: str, at: datetime) -> bool: ...


class LookupRepository(Protocol):
    """Dispatcher look-ups, kept for the audit and the hourly limit."""

    def add(self, record: LookupRecord) -> None: ...
    def since(self, user_id: str, since: datetime) -> tuple[int, datetime | None]:
        """Return how many look-ups the user made since ``since`` and when the oldest was."""

    def since_for_agency(self, agency_id: str, since: datetime) -> tuple[int, datetime | None]:
        """Return how many look-ups the agency's people made since ``since`` and when the oldest was."""

    def since_overall(self, since: datetime) -> tuple[int, datetime | None]:
        """Return how many look-ups anyone made since ``since`` and when the oldest was."""

    def hourly(
        self, user_id: str, agency_id: str, since: datetime
    ) -> tuple[tuple[int, datetime | None], tuple[int, datetime | None], tuple[int, datetime | None]]:
        """The user's, the agency's and everyone's look-ups from ``since`` on, each as ``since`` returns it, at once."""

    def recent_places(self, agency_id: str, since: datetime) -> list[LookupPlace]:
        """Return where the agency's people looked up since ``since``, oldest first (what a sweep alert reads)."""

    def cells_since(self, scopes: Mapping[str, int], since: datetime, cell: str) -> dict[str, tuple[int, bool]]:
        """For each scope: how many distinct cells it asked about from ``since`` on, counted no further
        than the scope's ``most`` (what the sweep rule needs to tell), and whether ``cell`` is one."""

    def mark_cells(self, scopes: Sequence[str], cell: str, at: datetime) -> None:
        """Note that each of ``scopes`` asked about ``cell`` at ``at`` (kept as its latest time)."""

    def prune(self, before: datetime) -> int:
        """Delete look-ups made before ``before`` (their places); return how many."""


class SubjectRepository(Protocol):
    """The blocking-key index that finds operations whose subjects may match, and name counts."""

    def set_keys(self, operation_id: str, keys: Iterable[str]) -> None: ...
    def operations_with_keys(self, keys: Iterable[str], exclude: str) -> list[Operation]: ...
    def set_terms(self, operation_id: str, terms: Mapping[str, int]) -> None: ...
    def count_terms(self, terms: Iterable[str]) -> dict[str, int]: ...
    def forget_unused_terms(self) -> int:
        """Delete count rows that have fallen to zero (a term is a name); return how many."""


class AuditRepository(Protocol):
    """The hash-chained log; appends are sealed in order at commit."""

    def append(self, entry: AuditEntry, at: datetime) -> None: ...
    def records(self, where: AuditFilter, limit: int, after: int | None) -> Page[StoredRecord]: ...
    def all(self) -> Iterator[StoredRecord]: ...
    def since(self, after: int) -> Iterator[StoredRecord]:
        """Every record after ``seq`` ``after``, in order."""

    def get(self, seq: int) -> StoredRecord | None: ...
    def bounds(self) -> tuple[int, int] | None:
        """The oldest and newest ``seq`` kept; None for an empty log."""

    def hashes(self, after: int, through: int) -> list[str]:
        """The chain hashes of records ``after < seq <= through``, in order (the tree's leaves)."""

    def prune(self, through: int) -> int:
        """Delete records up to ``seq`` ``through``; return how many went."""


class CheckpointRepository(Protocol):
    """Signed tree heads of the audit log, one per tree size."""

    def add(self, checkpoint: Checkpoint) -> bool:
        """Insert unless one of that size exists; return whether it was new."""

    def latest(self) -> Checkpoint | None: ...
    def get(self, tree_size: int) -> Checkpoint | None: ...
    def page(self, limit: int, after: int | None) -> Page[Checkpoint]:
        """Newest first; ``after`` is the ``tree_size`` the last page ended on."""

    def all(self) -> list[Checkpoint]:
        """Oldest first."""

    def signed_before(self, at: datetime, through: int) -> Checkpoint | None:
        """The largest checkpoint signed before ``at`` covering no record past ``through``."""


class PeerRepository(Protocol):
    """Federation: the installation's own key, the peers it trusts, the nonces it accepted."""

    def own_key(self) -> str | None: ...
    def set_own_key(self, private_key: str, at: datetime) -> str:
        """Keep ``private_key`` unless another process made one first; return the one kept."""

    def add(self, peer: Peer) -> bool:
        """Insert unless a peer of that name or key exists; return whether it was new."""

    def get(self, peer_id: str) -> Peer | None: ...
    def by_name(self, name: str) -> Peer | None: ...
    def by_key(self, public_key: str) -> Peer | None: ...
    def all(self) -> list[Peer]: ...
    def remove(self, peer_id: str) -> bool: ...
    def set_status(self, peer_id: str, status: PeerStatus, at: datetime | None) -> None: ...
    def use_nonce(self, nonce: str, at: datetime) -> bool:
        """Record a nonce; return False when it was seen before (a replay)."""

    def prune_nonces(self, before: datetime) -> int: ...


class PeerSender(Protocol):
    """Send a conflict-status message to a peer installation; raise ``DeliveryError`` when it does not have it."""

    def send_status(self, peer_id: str, body: dict[str, Any], key: str) -> None: ...


class RemoteConflictRepository(Protocol):
    """Conflicts with peer installations' operations, one row per pair per side."""

    def add(self, conflict: RemoteConflict) -> bool:
        """Insert unless the pair is already kept here; return whether it was new."""

    def update(self, conflict: RemoteConflict) -> None:
        """Write this side's workflow (status, acknowledgement, close)."""

    def get(self, conflict_id: str) -> RemoteConflict | None: ...
    def pair(
        self, peer_id: str, operation_id: str, remote_operation_id: str, kind: ConflictKind = ConflictKind.PROXIMITY
    ) -> RemoteConflict | None:
        """This side's copy of one pair of one kind, as a peer names it by both operation ids."""

    def open_for(self, operation_id: str) -> list[RemoteConflict]:
        """The pairs of this side's operation not yet resolved or dismissed."""

    def of_operation(self, operation_id: str) -> list[RemoteConflict]:
        """Every pair of this side's operation, whatever its state (what a purge reduces)."""

    def purge(self, conflict_id: str, counterpart: dict[str, Any]) -> None:
        """Keep the pair with the peer's operation reduced to ``counterpart`` and no note (retention)."""

    def listing(self, agency_id: str | None, status: ConflictStatus | None, limit: int) -> list[RemoteConflict]:
        """Newest first; one agency's, or every agency's when ``agency_id`` is None."""


class UncheckedRepository(Protocol):
    """Operations a peer has not yet answered a probe about, one row per (operation, peer)."""

    def mark(self, row: Unchecked) -> bool:
        """Keep the row unless that pair is already kept; return whether it was new."""

    def clear(self, operation_id: str, peer_id: str) -> bool:
        """Forget the pair (the peer answered, or the operation ended); return whether it was kept."""

    def retry(self, operation_id: str, peer_id: str, attempts: int, next_at: datetime) -> None: ...
    def due(self, at: datetime, limit: int) -> list[Unchecked]:
        """The pairs whose next re-probe is due at ``at``, soonest first."""

    def peers_of(self, operation_id: str) -> list[str]:
        """The ids of the peers not yet checked about one operation."""


class RemoteNoticeRepository(Protocol):
    """Peers' operations as this installation's agencies hear of them, and the peers told of ours."""

    def add(self, notice: RemoteNotice) -> None: ...
    def update(self, notice: RemoteNotice) -> None: ...
    def get(self, notice_id: str) -> RemoteNotice | None: ...
    def of_operation(self, peer_id: str, remote_operation_id: str) -> list[RemoteNotice]: ...
    def due(self, now: datetime, limit: int) -> list[RemoteNotice]: ...
    def page(self, agency_id: str, limit: int, after: str | None) -> Page[RemoteNotice]: ...
    def retention_due(self, ended_before: datetime, limit: int, after: str | None) -> Page[RemoteNotice]:
        """Notices whose peer's operation ended before ``ended_before`` and still holds its details, by id."""

    def purge(self, notice_id: str, operation: dict[str, Any], at: datetime) -> None:
        """Keep the notice with the peer's operation reduced to ``operation``, purged ``at`` (retention)."""

    def told(self, operation_id: str) -> set[str]:
        """The ids of the peers told of this installation's operation (they hear of its exit)."""

    def tell(self, operation_id: str, peer_id: str, at: datetime) -> None: ...
    def forget(self, operation_id: str, peer_id: str) -> None: ...
    def owe(self, owed: OwedNotice) -> None:
        """Keep (or replace) a notice a peer did not take; it is sent again until it lands."""

    def owed_due(self, now: datetime, limit: int) -> list[OwedNotice]: ...
    def settle(self, operation_id: str, peer_id: str) -> None: ...


class MetricsRepository(Protocol):
    """What ``/metrics`` reads of the store at each scrape: counts over indexes, never a subject's value."""

    def audit_counts(self, actions: Iterable[str]) -> dict[tuple[str, str], int]:
        """Return how many audit records each of ``actions`` has, by (action, outcome)."""

    def notices(self) -> int: ...
    def deliveries(self) -> dict[tuple[str, str], int]:
        """Return how many deliveries there are by (channel kind, status)."""

    def oldest_undelivered(self, cursor: str) -> datetime | None:
        """Return when the oldest event not yet fanned out past ``cursor``, or delivery still pending, was made."""

    def audit_length(self) -> int: ...
    def last_checkpoint(self) -> datetime | None: ...


class ReplayRepository(Protocol):
    """The first answers to requests made with an ``Idempotency-Key``, kept for retries."""

    def get(self, owner: str, key: str) -> Replay | None: ...
    def add(self, replay: Replay) -> bool:
        """Claim the key; False when another request holds it already."""

    def complete(self, owner: str, key: str, status: int, body: bytes, content_type: str) -> None: ...
    def remove(self, owner: str, key: str) -> None: ...
    def prune(self, before: datetime) -> int:
        """Remove every kept answer made before ``before``; return how many."""


class Transaction(Protocol):
    """One unit of work: everything or nothing, committed when the block ends cleanly; a repository
    per table family, all on the unit's one connection."""

    @property
    def agencies(self) -> AgencyRepository: ...
    @property
    def people(self) -> PersonRepository: ...
    @property
    def tokens(self) -> TokenRepository: ...
    @property
    def operations(self) -> OperationRepository: ...
    @property
    def conflicts(self) -> ConflictRepository: ...
    @property
    def notices(self) -> NoticeRepository: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def channels(self) -> ChannelRepository: ...
    @property
    def deliveries(self) -> DeliveryRepository: ...
    @property
    def escalations(self) -> EscalationRepository: ...
    @property
    def lookups(self) -> LookupRepository: ...
    @property
    def subjects(self) -> SubjectRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def checkpoints(self) -> CheckpointRepository: ...
    @property
    def signin(self) -> SignInRepository: ...
    @property
    def peers(self) -> PeerRepository: ...
    @property
    def remote_conflicts(self) -> RemoteConflictRepository: ...
    @property
    def unchecked(self) -> UncheckedRepository: ...
    @property
    def remote_notices(self) -> RemoteNoticeRepository: ...
    @property
    def notice_responses(self) -> NoticeResponseRepository: ...
    @property
    def incidents(self) -> IncidentRepository: ...
    @property
    def metrics(self) -> MetricsRepository: ...
    @property
    def replays(self) -> ReplayRepository: ...
    @property
    def participation(self) -> ParticipationRepository: ...
    @property
    def near_misses(self) -> NearMissRepository: ...
    @property
    def targets(self) -> TargetRepository: ...
    @property
    def sensitive_places(self) -> SensitivePlaceRepository: ...

    def flush(self) -> None:
        """Write what the transaction holds back; the store calls it before committing."""


class Store(Protocol):
    # True when a read is a local call of well under a millisecond (embedded SQLite): code on
    # the event loop may make it there rather than hop to a worker thread.
    inline_reads: bool

    def write(self) -> AbstractContextManager[Transaction]: ...
    def read(self) -> AbstractContextManager[Transaction]: ...
    def close(self) -> None: ...


class SchemaProbe(Protocol):
    """Ask the database which migration it is at (raise when it does not answer)."""

    head: str

    def revision(self) -> str | None: ...


class AuditPruner(Protocol):
    """Removes audit records older than the audit retention, only up to a signed checkpoint."""

    def prune(self, before: datetime) -> int:
        """Remove what may go of the records before ``before``; return how many went."""


class WebhookSender(Protocol):
    """POST one signed JSON body; raise ``DeliveryError`` (``retry`` or not) when it did not arrive."""

    def send(self, url: str, secret: str, body: bytes, key: str, also: Sequence[str] = ()) -> None:
        """``also``: the secrets of a rollover under way, each adding a Standard Webhooks signature."""

    def close(self) -> None: ...


class TakSender(Protocol):
    """Stream CoT events to a TAK server (``tcp://`` or ``tls://host:port``); ``DeliveryError`` if they did not go."""

    def send(self, target: str, events: Sequence[bytes], key: str) -> None: ...
    def close(self) -> None: ...


class EmailSender(Protocol):
    """Send one rendered envelope to an address; raise ``DeliveryError`` when it was not accepted.

    ``zone`` is the recipient agency's time zone: the times people read are shown in it."""

    def send(self, to: str, body: dict[str, Any], key: str, zone: str | None = None) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SignedBy:
    """What a verified signature says: the signer's key (base64), its nonce and creation time."""

    key: str
    nonce: str
    created: datetime


@dataclass(frozen=True, slots=True)
class WireReply:
    status: int
    headers: dict[str, str]
    body: bytes


class Notary(Protocol):
    """Signs the audit log's checkpoints with the installation's Ed25519 key, and checks any key's."""

    def public_key(self) -> str: ...
    def sign(self, message: bytes) -> str: ...
    def check(self, public_key: str, message: bytes, signature: str) -> bool: ...


class FederationLink(Protocol):
    """Ed25519 keys, RFC 9421 signatures and the signed POST to a peer; raise ``SignatureRefused``."""

    def new_private_key(self) -> str: ...
    def public_key(self, private_key: str) -> str: ...
    def signer_key(self, headers: Mapping[str, str]) -> str:
        """Return the key id a signature names, unverified (to find the peer whose key checks it)."""

    def sign(
        self, private_key: str, method: str, url: str, headers: dict[str, str], body: bytes, status: int | None = None
    ) -> dict[str, str]:
        """Return ``headers`` with Content-Digest, Signature-Input and Signature added."""

    def verify(
        self,
        public_key: str,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        max_age_seconds: float,
        status: int | None = None,
    ) -> SignedBy: ...
    def post(self, url: str, headers: dict[str, str], body: bytes, timeout: float) -> WireReply:
        """POST; raise ``DeliveryError`` when no answer came."""

    def close(self) -> None: ...

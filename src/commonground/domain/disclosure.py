"""The one place that decides what of an operation may cross agency lines.

Every path that lets operation data leave (API, stream, webhook, e-mail, look-up,
export, federation) builds its payload here, as a view of ``domain.views``. A field
above the disclosed level is absent, never null-filled, and ``level_disclosed`` names
the level that applied.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from commonground.domain.incidents import Incident
from commonground.domain.model import (
    Acknowledgement,
    Agency,
    Conflict,
    ContactAttempt,
    Operation,
    Role,
    Team,
    status_at,
)
from commonground.domain.near_misses import NearMiss, NearMissView
from commonground.domain.notice_responses import NoticeResponse
from commonground.domain.notices import Notice
from commonground.domain.policy import AgencyLevel, Level, Purpose
from commonground.domain.targets import Side, Target
from commonground.domain.views import (
    AckView,
    AgencyRef,
    CaseView,
    ConflictView,
    EntryRecord,
    FullDetail,
    HostResponseView,
    IncidentView,
    LookupHit,
    NoticeView,
    OperationalDetail,
    OperationView,
    OwnRecord,
    WatchConflictView,
    WatchSide,
)

OWN = "own"


class Context(StrEnum):
    """Why the viewer is being shown the operation."""

    CONFLICT = "conflict"
    NOTICE = "notice"
    LOOKUP = "lookup"
    VERIFY = "verify"  # an officer on scene asking which registered teams are here
    WATCH = "watch"
    DIRECT = "direct"
    FEDERATION = "federation"  # answering a peer installation's probe


@dataclass(frozen=True, slots=True)
class Viewer:
    agency_id: str | None
    agency_level: AgencyLevel | None
    roles: frozenset[Role] = frozenset()
    missions: frozenset[Purpose] = frozenset()  # the viewer's agency's, as the installation admin recorded them
    outside: bool = False  # a view leaving the installation (webhook, e-mail, export): never the recognition signal


def restricted_by_mission(owner: Agency, agency_id: str | None, missions: frozenset[Purpose]) -> bool:
    """Say whether ``owner``'s policy holds every operation of the agency ``agency_id``, whatever it declares.

    It does when the agency's recorded ``missions`` include a purpose ``owner`` restricts, unless
    ``owner`` lists the agency among its ``restriction_exceptions``.
    """
    if agency_id == owner.id or not missions & owner.policy.restricted_purposes:
        return False
    return agency_id is None or agency_id not in owner.policy.restriction_exceptions


def restricted_towards(owner: Agency, op: Side, missions: frozenset[Purpose]) -> bool:
    """Say whether ``owner``'s policy keeps its details from ``op``'s side (``missions``: those of ``op``'s agency).

    It does when ``op`` declares a purpose ``owner`` restricts, when ``op``'s agency has a mission
    ``owner`` restricts, and, for good, when ``op`` was ever restricted towards ``owner``: changing the
    declared purpose releases nothing.
    """
    return (
        op.purpose in owner.policy.restricted_purposes
        or owner.id in op.restricted_by
        or restricted_by_mission(owner, op.agency_id, missions)
    )


def withheld_across(
    owner: Agency, op: Operation, missions: frozenset[Purpose], peer_purpose: Purpose, peer_subjects: PeerRestrictions
) -> str | None:
    """Say which side's policy holds back a subject match of ``op`` with a peer's operation, or None.

    ``"owner"`` when ``owner`` restricts the peer operation's purpose or its agency's missions;
    ``"peer"`` when the peer's agency restricts ``op``'s purpose or ``missions`` (those of ``op``'s
    agency) — both directions, as ``restricted_towards`` within one installation.
    """
    mine = owner.policy.restricted_purposes
    if peer_purpose in mine or peer_subjects.missions & mine:
        return "owner"
    theirs = peer_subjects.restricted_purposes
    if op.purpose in theirs or missions & theirs:
        return "peer"
    return None


class PeerRestrictions(Protocol):
    """The asking agency's restricted purposes and missions, as its probe carried them."""

    @property
    def restricted_purposes(self) -> frozenset[Purpose]: ...
    @property
    def missions(self) -> frozenset[Purpose]: ...


def level_for(
    owner: Agency,
    viewer: Viewer,
    context: Context,
    viewer_purpose: Purpose | None = None,
    viewer_restricted: bool = False,
) -> Level | str:
    """Return the level ``viewer`` may see of ``owner``'s operation, or ``OWN``.

    ``viewer_restricted``: the viewer's operation was once restricted towards ``owner``
    (``restricted_towards``), so it stays at ``safety`` whatever purpose it now declares. A viewer
    whose agency has a mission ``owner`` restricts gets ``safety`` whatever its operation declares.
    """
    if viewer.agency_id == owner.id and context not in (Context.LOOKUP, Context.VERIFY):
        return OWN
    if context in (Context.NOTICE, Context.LOOKUP, Context.VERIFY):
        return Level.SAFETY
    if context is Context.WATCH:
        # The context is the caller's claim; the role is what entitles.
        return owner.policy.level_for("watch") if Role.WATCH in viewer.roles else Level.SAFETY
    if context in (Context.CONFLICT, Context.FEDERATION) and viewer.agency_level is not None:
        level = owner.policy.level_for(viewer.agency_level.value)
        if (
            viewer_restricted
            or (viewer_purpose is not None and viewer_purpose in owner.policy.restricted_purposes)
            or restricted_by_mission(owner, viewer.agency_id, viewer.missions)
        ):
            return Level.SAFETY
        return level
    return Level.SAFETY


def subject_summary(op: Operation) -> dict[str, int]:
    """Count subjects by kind: enough to prompt a call, never their values."""
    return dict(Counter(str(s.get("kind", "other")) for s in op.subjects))


def shown_level(level: Level | str) -> Level:
    """Return the level a view says it discloses: ``full`` for the owner's own (``OWN``)."""
    return Level.FULL if level == OWN else Level(level)


def disclose_operation(
    op: Operation,
    owner: Agency,
    viewer: Viewer,
    context: Context,
    viewer_purpose: Purpose | None = None,
    viewer_restricted: bool = False,
    now: datetime | None = None,
) -> OperationView:
    """Return the view of ``op`` that ``viewer`` may receive in ``context``.

    ``now``: the instant the view is for, so ``status`` reads ``active`` or ``overdue`` off the
    window; without it the stored status is shown.
    """
    level = level_for(owner, viewer, context, viewer_purpose, viewer_restricted)
    shown = shown_level(level)
    rank = shown.rank
    status = op.status if now is None else status_at(op.status, op.window, now)
    return OperationView(
        id=op.id,
        level_disclosed=shown,
        agency=AgencyRef(owner.name, owner.ori, owner.level),
        contact=op.contact,
        area=op.area,
        window=op.window,
        team=team_for(op.team, viewer, context),
        operational=OperationalDetail(op.type, op.purpose, op.risk, op.address, status)
        if rank >= Level.OPERATIONAL.rank
        else None,
        full=FullDetail(op.title, op.case_number, op.notes, subject_summary(op)) if rank >= Level.FULL.rank else None,
        own=OwnRecord(op.agency_id, op.subjects, op.notice, op.version, op.created_by, op.created_at, op.updated_at)
        if level == OWN
        else None,
        purged_at=op.purged_at,
        exigent=op.exigent_reason is not None,
        entry=_entry(op) if level == OWN or (context is Context.WATCH and Role.WATCH in viewer.roles) else None,
        after_action=op.after_action if rank >= Level.FULL.rank else None,
    )


# Where the recognition signal may go: the party in conflict with the team, the officer verifying it.
RECOGNISING = frozenset({Context.CONFLICT, Context.VERIFY})


def team_for(team: Team, viewer: Viewer, context: Context) -> Team:
    """Return ``team`` as ``viewer`` may see it: without ``recognition`` unless ``context`` is one that needs it.

    A challenge signal is only worth anything while few know it: lists, notices, look-ups, exports,
    the owner's own reads and anything leaving the installation never carry it."""
    if context in RECOGNISING and not viewer.outside:
        return team
    return replace(team, recognition=None)


def _entry(op: Operation) -> EntryRecord | None:
    """Return how ``op`` was entered, or None when it was entered on time by its own agency."""
    if op.exigent_reason is None and op.phone_in is None:
        return None
    return EntryRecord(op.exigent_reason, op.phone_in)


SAFETY_KEYS = frozenset({"id", "level_disclosed", "agency", "contact", "area", "window", "team"})
OPERATIONAL_KEYS = SAFETY_KEYS | {"type", "purpose", "risk", "address", "status"}
FULL_KEYS = OPERATIONAL_KEYS | {"title", "case_number", "notes", "subject_summary", "after_action"}
KEYS_BY_LEVEL = {Level.SAFETY: SAFETY_KEYS, Level.OPERATIONAL: OPERATIONAL_KEYS, Level.FULL: FULL_KEYS}


def disclose_case(
    target: Target,
    owner: Agency,
    viewer: Viewer,
    context: Context,
    viewer_purpose: Purpose | None = None,
    viewer_restricted: bool = False,
) -> CaseView:
    """Return the view of a case target that ``viewer`` may receive in ``context`` (levels as for an operation).

    Its agency and contact always (what ``safety`` gives of an operation); the case number and
    purpose from ``operational``; its subjects to its own agency only: a match never says what matched.
    """
    level = level_for(owner, viewer, context, viewer_purpose, viewer_restricted)
    shown = shown_level(level)
    operational = shown.rank >= Level.OPERATIONAL.rank
    return CaseView(
        id=target.id,
        level_disclosed=shown,
        agency=AgencyRef(owner.name, owner.ori, owner.level),
        contact=target.contact,
        expires_at=target.expires_at,
        case_number=target.case_number if operational else None,
        purpose=target.purpose if operational else None,
        subjects=target.subjects if level == OWN else None,
        created_at=target.created_at if level == OWN else None,
        created_by=target.created_by if level == OWN else None,
        purged_at=target.purged_at,
    )


def disclose_side(
    side: Side,
    owner: Agency,
    viewer: Viewer,
    context: Context,
    viewer_purpose: Purpose | None = None,
    viewer_restricted: bool = False,
    now: datetime | None = None,
) -> OperationView | CaseView:
    """Return one side of a conflict, an operation or a case target, as ``viewer`` may see it."""
    if isinstance(side, Target):
        return disclose_case(side, owner, viewer, context, viewer_purpose, viewer_restricted)
    return disclose_operation(side, owner, viewer, context, viewer_purpose, viewer_restricted, now)


def _facts(conflict: Conflict) -> dict[str, Any]:
    return {
        "id": conflict.id,
        "kind": conflict.kind,
        "status": conflict.status,
        "detected_at": conflict.detected_at,
        "distance_m": conflict.distance_m,
        "overlap": conflict.overlap,
        "matched": conflict.match_kind,
        "note": conflict.note,
        "owner": conflict.owner,
        "outcome": conflict.outcome,
    }


def _ack(ack: Acknowledgement | None) -> AckView | None:
    return None if ack is None else AckView(ack.at, ack.on_behalf)


def disclose_conflict(
    conflict: Conflict,
    yours: Side,
    counterpart: Side,
    counterpart_owner: Agency,
    viewer: Viewer,
    now: datetime | None = None,
) -> ConflictView:
    """Return a conflict as one side sees it: its own operation's (or case target's) id and the other side disclosed.

    ``viewer`` belongs to ``yours``'s agency, so its missions are that side's agency's.
    """
    side = conflict.side_of(yours.id)
    return ConflictView(
        **_facts(conflict),
        your_operation_id=None if isinstance(yours, Target) else yours.id,
        your_target_id=yours.id if isinstance(yours, Target) else None,
        yours=_ack(conflict.ack_a if side == "a" else conflict.ack_b),
        theirs=_ack(conflict.ack_b if side == "a" else conflict.ack_a),
        counterpart=disclose_side(
            counterpart,
            counterpart_owner,
            viewer,
            Context.CONFLICT,
            viewer_purpose=yours.purpose,
            viewer_restricted=restricted_towards(counterpart_owner, yours, viewer.missions),
            now=now,
        ),
    )


def disclose_conflict_to_watch(
    conflict: Conflict,
    sides: tuple[tuple[Side, Agency], tuple[Side, Agency]],
    viewer: Viewer,
    now: datetime | None = None,
    contacts: tuple[ContactAttempt, ...] = (),
) -> WatchConflictView:
    """Return a conflict as the watch center sees it: both sides at each owner's watch level, and its contacts."""
    (op_a, owner_a), (op_b, owner_b) = sides
    return WatchConflictView(
        **_facts(conflict),
        contacts=contacts,
        sides=(
            WatchSide(_ack(conflict.ack_a), disclose_side(op_a, owner_a, viewer, Context.WATCH, now=now)),
            WatchSide(_ack(conflict.ack_b), disclose_side(op_b, owner_b, viewer, Context.WATCH, now=now)),
        ),
    )


def disclose_notice(notice: Notice, op: Operation, owner: Agency, viewer: Viewer) -> NoticeView:
    """Return a jurisdiction notice with its operation at the ``safety`` level."""
    return NoticeView(notice.id, notice.kind, notice.sent_at, disclose_operation(op, owner, viewer, Context.NOTICE))


def disclose_host_response(
    answer: NoticeResponse, op: Operation, host: Agency, viewer: Viewer
) -> HostResponseView | None:
    """Return a host agency's answer about ``op`` to its operating agency or to the host itself; nobody else.

    The host's name and response are officer-safety facts the operator must have; the note is
    the host's own words to the operator, so it goes no further than the two of them.
    """
    if viewer.agency_id not in (op.agency_id, answer.agency_id):
        return None
    return HostResponseView(AgencyRef(host.name, host.ori, host.level), answer.response, answer.note, answer.at)


def disclose_near_miss(miss: NearMiss, names: Mapping[str, str], viewer: Viewer) -> NearMissView | None:
    """Return a near-miss to an agency it involves or to the watch center; nobody else.

    It names the operations and their agencies and carries the reporter's words, never an
    operation's details: each side already holds its own, and the other's cross only by policy.
    """
    if Role.WATCH not in viewer.roles and viewer.agency_id not in miss.agency_ids:
        return None
    return NearMissView(
        miss.id,
        miss.at,
        miss.description,
        tuple((i.operation_id, i.agency_id, names.get(i.agency_id, "")) for i in miss.involved),
        (miss.reported_by_agency, names.get(miss.reported_by_agency, "")),
        miss.recorded_at,
    )


def sees_incident(incident: Incident, told: Iterable[str], viewer: Viewer) -> bool:
    """Say whether ``viewer`` may see the incident: its operating agency, an agency told of it, the watch."""
    return Role.WATCH in viewer.roles or viewer.agency_id == incident.agency_id or viewer.agency_id in set(told)


def disclose_incident(incident: Incident, op: Operation, owner: Agency, viewer: Viewer) -> IncidentView:
    """Return an incident with its operation at the ``safety`` level (in full to its own agency).

    Kind, time, place and the call for help are what a host watch commander needs; the
    summary is the operator's own words and goes only to it and the watch center."""
    words = viewer.agency_id == op.agency_id or Role.WATCH in viewer.roles
    return IncidentView(
        incident.id,
        incident.kind,
        incident.at,
        incident.location,
        incident.assistance_requested,
        incident.reported_at,
        disclose_operation(op, owner, viewer, Context.NOTICE),
        incident.acknowledged_at,
        incident.escalated_at,
        incident.summary if words and incident.summary else None,  # "" once purged with the operation
    )


def disclose_lookup_hit(
    op: Operation, owner: Agency, viewer: Viewer, distance_m: float, context: Context = Context.LOOKUP
) -> LookupHit:
    """Return an operation a dispatcher's look-up (or an officer's verification) found, at the ``safety`` level."""
    return LookupHit(disclose_operation(op, owner, viewer, context), round(distance_m, 1))


def disclose_notice_to_peer(op: Operation, owner: Agency) -> OperationView:
    """Return an operation as its jurisdiction notice carries it to a peer installation's agencies."""
    return disclose_operation(op, owner, Viewer(None, None), Context.NOTICE)


def disclose_for_push(op: Operation, owner: Agency) -> OperationView:
    """Return an operation as a TAK map or a CAD system is sent it: ``safety``, even for its own agency's.

    Those systems are read by people the agency never listed (dispatchers, officers of a task force)."""
    return disclose_operation(op, owner, Viewer(None, None), Context.NOTICE)


def disclose_to_peer(op: Operation, owner: Agency) -> OperationView:
    """Return the asking operation as a probe carries it to a peer installation: ``safety``, whatever the policy."""
    return disclose_operation(op, owner, Viewer(None, None), Context.FEDERATION)


def disclose_status_to_peer(op: Operation, owner: Agency, note: str | None) -> dict[str, Any]:
    """Return what a conflict-status message carries of this side: its agency at ``safety``, a note only at ``full``."""
    view = disclose_to_peer(op, owner)
    shown = view.to_dict()
    carried: dict[str, Any] = {"agency": shown["agency"], "level_disclosed": shown["level_disclosed"]}
    if note and view.full is not None:  # a peer's view is safety: a note never crosses today
        carried["note"] = note
    return carried

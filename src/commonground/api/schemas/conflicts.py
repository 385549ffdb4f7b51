"""Conflicts as one side (or the watch center) sees them, and what their workflow takes."""

from __future__ import annotations

from typing import Literal

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, Strict, described, next_cursor
from commonground.api.schemas.operations import InstallationRef, OperationPublic, WindowPublic
from commonground.api.schemas.targets import CasePublic
from commonground.domain.model import ConflictKind, ConflictOutcome, ConflictStatus, ContactMethod

OPERATION_EXAMPLE = {"id": ID_EXAMPLE, "level_disclosed": "safety"}


class NoteBody(Strict):
    note: str = described(
        "Why the conflict is closed.", "spoke with their contact on TAC 2", min_length=1, max_length=2000
    )


class ResolveBody(NoteBody):
    outcome: ConflictOutcome | None = described(
        "How it ended, for the reports; recorded as `other` when absent.", "joint_operation", default=None
    )


class AssignBody(Strict):
    user_id: str | None = described(
        "The watch user who takes the conflict; the caller when absent.", None, default=None
    )


class ContactBody(Strict):
    side: Literal["a", "b"] = described("The side tried: `a` or `b`, as in `sides`.", "a")
    method: ContactMethod = described("How: `phone`, `radio`, `email` or `in_person`.", "phone")
    reached: bool = described("Whether someone on that side was reached.", True)
    note: str | None = described("What was said or tried.", "left a message with the duty desk", default=None)


class OwnerPublic(Public):
    user_id: str = described("The watch user handling the conflict.", ID_EXAMPLE)
    name: str = described('Their name: "being handled by ...".', "Analyst R. Cho")
    at: Instant = described("Since when.", TIME_EXAMPLE)


class ContactPublic(Public):
    id: str = described("Contact attempt id.", ID_EXAMPLE)
    side: str = described("The side tried, `a` or `b`.", "a")
    method: ContactMethod = described("How.", "phone")
    reached: bool = described("Whether someone was reached.", True)
    note: str | None = described("What was said or tried.", None)
    by_user_id: str = described("The watch user who tried.", ID_EXAMPLE)
    at: Instant = described("When.", TIME_EXAMPLE)


class AckBody(Strict):
    operation_id: str | None = described(
        "The side acknowledged for; needed when the caller is on both sides or is the watch center.",
        ID_EXAMPLE,
        default=None,
    )


class AckPublic(Public):
    at: Instant = described("When the side acknowledged.", TIME_EXAMPLE)
    on_behalf: bool = described("The watch center acknowledged for the side.", False)


class AcknowledgedPublic(Public):
    yours: AckPublic | None = described("Your side's acknowledgement, or null.", None)
    theirs: AckPublic | None = described("The other side's acknowledgement, or null.", None)


class WatchSidePublic(Public):
    acknowledged: AckPublic | None = described("This side's acknowledgement, or null.", None)
    operation: OperationPublic | None = described(
        "This side's operation at its owner's watch level (absent when the side is a case target).",
        OPERATION_EXAMPLE,
        default=None,
    )
    case: CasePublic | None = described(
        "This side's case target at its owner's watch level (absent when the side is an operation).",
        None,
        default=None,
    )


class DeliveryPublic(Public):
    side: str = described("`yours`, `theirs`, `watch`, or (to the watch center) the agency id.", "yours")
    channel: str = described("How it was delivered.", "webhook")
    event_seq: int = described("The outbox event delivered.", 42)
    status: str = described("Delivery state.", "sent")
    attempts: int = described("Attempts so far.", 1)
    sent_at: Instant | None = described("When it was delivered, or null.", TIME_EXAMPLE)
    acknowledged_at: Instant | None = described("When that side acknowledged, or null.", None)
    to: str | None = described(
        "Where it went (own side and watch center only).", "https://cad.example.org/hook", default=None
    )
    last_error: str | None = described("The last failure (own side only, when there was one).", "timeout", default=None)
    side_name: str | None = described(
        "The name of the agency of that side (null for the watch center).", "ICE ERO St. Paul", default=None
    )
    to_name: str | None = described(
        "For a console stream, the name of the person it reached (own side and watch center only).", None, default=None
    )


class ConflictPublic(Public):
    """A conflict from the caller's side (`your_operation_id`, `counterpart`), or the watch center's (`sides`)."""

    id: str = described("Conflict id.", ID_EXAMPLE)
    kind: ConflictKind = described("`proximity` or `subject`.", "proximity")
    status: ConflictStatus = described("Workflow state.", "open")
    detected_at: Instant = described("When the check found it.", TIME_EXAMPLE)
    distance_m: float | None = described("Geodesic distance between the areas' edges; 0 when they overlap.", 212.4)
    overlap: WindowPublic | None = described("When the widened windows overlap.", None)
    matched: str | None = described("Subject conflicts: which kind of identifier matched.", "vehicle", default=None)
    note: str | None = described("The closing note, once resolved or dismissed.", "same team", default=None)
    owner: OwnerPublic | None = described(
        "The watch user handling it, shown to the watch and both sides; absent until assigned.", None, default=None
    )
    outcome: ConflictOutcome | None = described("How a resolved conflict ended; absent otherwise.", None, default=None)
    contacts: list[ContactPublic] | None = described(
        "The watch's attempts to reach the sides, oldest first (watch center only; absent when none).",
        None,
        default=None,
    )
    your_operation_id: str | None = described("The caller's operation (sides only).", ID_EXAMPLE, default=None)
    your_target_id: str | None = described(
        "The caller's case target, when its side is one instead of an operation (sides only).", None, default=None
    )
    acknowledged: AcknowledgedPublic | None = described("Acknowledgements (sides only).", None, default=None)
    counterpart: OperationPublic | None = described(
        "The other side, as its policy discloses to the caller (sides only).", OPERATION_EXAMPLE, default=None
    )
    counterpart_case: CasePublic | None = described(
        "The other side when it is a case target: its agency and contact, the case number as policy allows.",
        None,
        default=None,
    )
    sides: list[WatchSidePublic] | None = described("Both sides (watch center only).", [], default=None)
    deliveries: list[DeliveryPublic] | None = described(
        "Who was told, when and how (reading one conflict only).", [], default=None
    )


class ConflictsPublic(Public):
    items: list[ConflictPublic] = described("Conflicts the caller may see, newest first.", [])
    next: str | None = next_cursor()
    remote: list[ConflictPublic] = described(
        "Conflicts with operations of peer installations (`counterpart.installation` names the peer), newest "
        "first, up to `limit`; on the first page only, and absent when there are none.",
        [],
        default_factory=list,
    )


class FederationHitPublic(Public):
    installation: InstallationRef = described("The peer installation whose operation this is.", {"name": "city-east"})
    operation: OperationPublic = described(
        "The peer's operation, as its owner's policy discloses it to this agency (`safety` at least).",
        OPERATION_EXAMPLE,
    )
    distance_m: float = described("Edge-to-edge distance of the two areas, metres.", 120.5)
    overlap: WindowPublic = described(
        "The shared time (or the buffered span).", {"starts_at": TIME_EXAMPLE, "ends_at": TIME_EXAMPLE}
    )


class FederationCheckPublic(Public):
    checked: list[str] = described("Peer installations that answered the probe.", ["city-east"])
    unchecked: list[str] = described(
        "Peer installations that could not be checked (no answer in time, or an answer refused): "
        "never read as no conflict there.",
        [],
    )
    hits: list[FederationHitPublic] = described(
        "Operations of peer installations that conflict with this one, as each peer disclosed them.", []
    )


class OperationCheckedPublic(OperationPublic):
    """The stored operation and the conflicts its check found (empty when clear)."""

    conflicts: list[ConflictPublic] = described("Open conflicts of the operation, from its side.", [])
    federation: FederationCheckPublic = described(
        "What the peer installations said (empty lists without peers).",
        {"checked": ["city-east"], "unchecked": [], "hits": []},
    )


class TargetCheckedPublic(CasePublic):
    """The stored case target and the subject conflicts its check found (empty when clear)."""

    conflicts: list[ConflictPublic] = described("Open conflicts of the target, from its side.", [])

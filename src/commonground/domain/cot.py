"""Operations as Cursor-on-Target (CoT 2.0) events for TAK maps: the area drawn, whom to call, when it ends.

What an event carries is an operation's ``safety`` view (domain/disclosure.py), nothing more: an
officer in the field must see that a team is there and how to reach it, not why. A circle (a point
widened by its radius) is ``u-d-c-c`` with ``<shape><ellipse>``; a polygon or route is ``u-d-f``
with its vertices as ``<link point="lat,lon">`` (ATAK's drawing convention) and as a
``<shape><polyline>``. An area ends on the map with the CoT delete convention: a ``t-x-d-d`` event
whose ``<link uid>`` names it, with ``<__forcedelete/>``; its own ``stale`` also runs out when the
operation's window does, so a map that missed the delete drops it then.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree as ET

from commonground.domain.cad_alerts import safety_note
from commonground.domain.geometry import LonLat
from commonground.domain.views import OperationView

UID_PREFIX = "commonground-"
CIRCLE, FREEHAND, DELETE = "u-d-c-c", "u-d-f", "t-x-d-d"
UNKNOWN_ERROR = "9999999.0"  # CoT's "not known" for ce and le
STROKE = str(-65536)  # opaque red, ARGB as a signed 32-bit integer (ATAK's convention)
FILL = str(0x40FF0000)  # the same red at a quarter opacity
MIN_STALE = timedelta(minutes=1)


def cot_uid(operation_id: str) -> str:
    """The one uid an operation has on every TAK map: a later event replaces it, a delete removes it."""
    return f"{UID_PREFIX}{operation_id}"


def cot_time(at: datetime) -> str:
    """A CoT time: UTC, milliseconds, ``Z``."""
    utc = at.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def _event(uid: str, kind: str, how: str, now: datetime, stale: datetime, centre: LonLat) -> ET.Element:
    event = ET.Element(
        "event",
        version="2.0",
        uid=uid,
        type=kind,
        how=how,
        time=cot_time(now),
        start=cot_time(now),
        stale=cot_time(stale),
    )
    lon, lat = centre
    ET.SubElement(event, "point", lat=f"{lat:.7f}", lon=f"{lon:.7f}", hae="0.0", ce=UNKNOWN_ERROR, le=UNKNOWN_ERROR)
    return event


def _centre(points: tuple[LonLat, ...]) -> LonLat:
    """Where a map pins the area's label: the mean of its vertices (a closed ring's last one counted once)."""
    ring = points[:-1] if len(points) > 1 and points[0] == points[-1] else points
    return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))


def _shape(detail: ET.Element, view: OperationView) -> None:
    area = view.area
    shape = ET.SubElement(detail, "shape")
    if area.is_point:
        radius = f"{max(area.radius_m, 1.0):.1f}"
        ET.SubElement(shape, "ellipse", major=radius, minor=radius, angle="360")
        return
    for lon, lat in area.coordinates:
        ET.SubElement(detail, "link", point=f"{lat:.7f},{lon:.7f}")
    line = ET.SubElement(shape, "polyline", closed="true" if area.kind == "Polygon" else "false")
    for lon, lat in area.coordinates:
        ET.SubElement(line, "vertex", lat=f"{lat:.7f}", lon=f"{lon:.7f}", hae="0.0")


def cot_area(view: OperationView, now: datetime, zone: str | None = None) -> str:
    """The operation's area as one CoT event, from its ``safety`` view; stale when its window ends."""
    area = view.area
    kind = CIRCLE if area.is_point else FREEHAND
    stale = max(view.window.ends_at, now + MIN_STALE)
    event = _event(cot_uid(view.id), kind, "h-e", now, stale, _centre(area.coordinates))
    detail = ET.SubElement(event, "detail")
    ET.SubElement(detail, "contact", callsign=f"{view.agency.ori} operation ({view.contact.name})")
    ET.SubElement(detail, "remarks").text = safety_note(view, zone)
    _shape(detail, view)
    ET.SubElement(detail, "strokeColor", value=STROKE)
    ET.SubElement(detail, "strokeWeight", value="3.0")
    ET.SubElement(detail, "fillColor", value=FILL)
    ET.SubElement(detail, "labels_on", value="true")
    return ET.tostring(event, encoding="unicode")


def cot_removal(operation_id: str, now: datetime, centre: LonLat = (0.0, 0.0)) -> str:
    """The CoT delete of an operation's area (``t-x-d-d``, its uid linked, forced): it ended or left."""
    event = _event(f"{cot_uid(operation_id)}-delete", DELETE, "m-g", now, now + MIN_STALE, centre)
    detail = ET.SubElement(event, "detail")
    ET.SubElement(detail, "link", uid=cot_uid(operation_id), relation="none", type="none")
    ET.SubElement(detail, "__forcedelete")
    return ET.tostring(event, encoding="unicode")

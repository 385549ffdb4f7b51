"""Operations as Cursor-on-Target events: the shapes a TAK map draws, the delete, and only the safety view."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from xml.etree import ElementTree as ET

from commonground.domain.cot import cot_area, cot_removal, cot_time
from commonground.domain.disclosure import disclose_for_push
from commonground.domain.geometry import Area
from commonground.domain.notifications import Channel, ChannelKind, parse_tak_target, tak_target
from tests.unit import factories
from tests.unit.factories import T0

OWNER = replace(factories.agency("federal"), name="ICE ERO St. Paul")
RING = ((-93.27, 44.97), (-93.26, 44.97), (-93.26, 44.98), (-93.27, 44.98), (-93.27, 44.97))


def test_a_point_is_a_circle_that_goes_stale_when_the_operation_ends() -> None:
    op = factories.operation(OWNER, radius=250)
    event = ET.fromstring(cot_area(disclose_for_push(op, OWNER), T0 - timedelta(hours=1), "America/Chicago"))
    assert (event.get("uid"), event.get("type"), event.get("how")) == (f"commonground-{op.id}", "u-d-c-c", "h-e")
    assert event.get("time") == cot_time(T0 - timedelta(hours=1)) and event.get("stale") == cot_time(op.window.ends_at)
    assert event.get("stale", "").endswith("Z") and event.get("version") == "2.0"
    ellipse = event.find("detail/shape/ellipse")
    assert ellipse is not None and ellipse.get("major") == ellipse.get("minor") == "250.0"
    assert "CST" in (event.findtext("detail/remarks") or "")  # times as the recipient lives them


def test_a_polygon_is_drawn_freehand_from_its_vertices() -> None:
    op = factories.operation(OWNER, area=Area("Polygon", RING, 0.0))
    event = ET.fromstring(cot_area(disclose_for_push(op, OWNER), T0))
    assert event.get("type") == "u-d-f"
    points = [link.get("point") for link in event.findall("detail/link")]
    assert points == [f"{lat:.7f},{lon:.7f}" for lon, lat in RING]
    line = event.find("detail/shape/polyline")
    assert line is not None and line.get("closed") == "true" and len(line.findall("vertex")) == len(RING)
    point = event.find("point")
    assert point is not None and abs(float(point.get("lat", "0")) - 44.975) < 1e-6  # the label sits in the middle


def test_nothing_above_safety_is_in_an_event_even_for_its_own_agency() -> None:
    op = factories.operation(OWNER)
    text = cot_area(disclose_for_push(op, OWNER), T0)
    assert disclose_for_push(op, OWNER).level_disclosed.value == "safety"
    for secret in (op.title, op.case_number, op.notes, op.address, "Secretname", "search_warrant"):
        assert str(secret) not in text


def test_a_removal_is_the_cot_delete_of_the_operation_uid() -> None:
    event = ET.fromstring(cot_removal("op1", T0))
    assert event.get("type") == "t-x-d-d" and event.get("uid") == "commonground-op1-delete"
    link = event.find("detail/link")
    assert link is not None and link.attrib == {"uid": "commonground-op1", "relation": "none", "type": "none"}
    assert event.find("detail/__forcedelete") is not None


def test_tak_and_cad_channels_carry_only_their_own_events() -> None:
    tak = Channel("c1", "ag1", ChannelKind.TAK, tak_target("127.0.0.1", 8087, False), frozenset(), None, T0)
    cad = Channel("c2", "ag1", ChannelKind.CAD, "https://cad.example.org", frozenset({"cad.alert.expired"}), None, T0)
    hook = Channel("c3", "ag1", ChannelKind.WEBHOOK, "https://h.example.org", frozenset(), None, T0)
    assert tak.carries("conflict.created") and tak.carries("notice.created", {"kind": "entry"})
    assert not tak.carries("delivery.failing") and not tak.carries("lookup.sweep_suspected")
    assert not tak.carries("notice.created", {"kind": "entry", "installation": "peer"})  # a peer's: its own view
    assert cad.carries("notice.created", {"kind": "exit"}) and not cad.carries("notice.created", {"kind": "entry"})
    assert not cad.carries("conflict.created")
    assert hook.carries("delivery.failing") and hook.carries("notice.created", {"kind": "entry"})
    assert parse_tak_target(tak_target("::1", 8089, True)) == ("::1", 8089, True)

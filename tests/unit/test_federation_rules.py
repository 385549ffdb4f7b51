"""Federation's pure rules: peer names, keys and URLs, and what a probe may carry."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from commonground.domain.disclosure import Context, Viewer, disclose_operation
from commonground.domain.errors import InvalidInput
from commonground.domain.federation import (
    CONTACT_GRAIN,
    Peer,
    PeerStatus,
    check_name,
    check_peer_url,
    contact_news,
    decode_key,
    parse_probe,
    probe_of,
    remote_finding,
)
from commonground.domain.policy import AgencyLevel, Level, Policy, Purpose
from tests.unit import factories

KEY = base64.b64encode(bytes(32)).decode()


def test_a_contact_is_news_when_the_status_changes_or_the_kept_one_is_a_grain_old() -> None:
    at = factories.T0
    peer = Peer("p", "feds", "https://feds.example.gov", KEY, PeerStatus.REACHABLE, at, at)
    assert not contact_news(peer, True, at + CONTACT_GRAIN - timedelta(microseconds=1))
    assert contact_news(peer, True, at + CONTACT_GRAIN)
    assert contact_news(peer, False, at)  # it stopped answering: at once
    silent = Peer("p", "feds", "https://feds.example.gov", KEY, PeerStatus.UNREACHABLE, at, at)
    assert not contact_news(silent, False, at + timedelta(hours=1))  # still silent: its last answer stays
    assert contact_news(silent, True, at)
    new = Peer("p", "feds", "https://feds.example.gov", KEY, PeerStatus.UNKNOWN, None, at)
    assert contact_news(new, True, at) and contact_news(new, False, at)


def test_a_key_is_base64_of_32_bytes() -> None:
    assert decode_key(KEY) == bytes(32)
    for bad in ("c2hvcnQ=", "not base64!!", base64.b64encode(bytes(33)).decode(), "é"):
        with pytest.raises(ValueError):
            decode_key(bad)


@pytest.mark.parametrize(
    "url",
    [
        "https://cg.example.gov",
        "https://10.0.0.5:8443/",
        "http://127.0.0.1:8000",
        "http://localhost:9",
        "http://[::1]:80",
    ],
)
def test_https_anywhere_and_http_on_loopback_only(url: str) -> None:
    assert check_peer_url(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://cg.example.gov",
        "http://10.0.0.5",
        "ftp://127.0.0.1",
        "https://",
        "https://u:p@x.gov",
        "https://x.gov/?a=1",
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        check_peer_url(url)


def test_names_are_plain() -> None:
    assert check_name("city-east.01") == "city-east.01"
    for bad in ("", "-lead", "with space", "x" * 101):
        with pytest.raises(ValueError):
            check_name(bad)


def test_a_probe_carries_only_place_time_reach_and_purpose() -> None:
    op = factories.operation(factories.agency(), title="SECRET", case_number="CASE-1", notes="NOTES")
    probe = probe_of(op, Policy(proximity_m=400, time_buffer_min=45), AgencyLevel.FEDERAL)
    wire = probe.to_dict()
    assert set(wire) == {
        "ref",
        "area",
        "radius_m",
        "window",
        "proximity_m",
        "time_buffer_min",
        "purpose",
        "agency_level",
    }
    assert "SECRET" not in str(wire) and "CASE-1" not in str(wire) and "NOTES" not in str(wire)
    back = parse_probe(wire)
    assert back == probe


def test_a_probe_with_anything_more_is_refused() -> None:
    wire = probe_of(factories.operation(factories.agency()), Policy(), AgencyLevel.LOCAL).to_dict()
    with pytest.raises(InvalidInput) as refused:
        parse_probe({**wire, "title": "x"})
    assert refused.value.field == "title"
    with pytest.raises(InvalidInput):
        parse_probe({**wire, "proximity_m": -1})


def test_the_remote_rule_is_the_local_rule() -> None:
    """Near in space and time conflicts; far in time with the buffer does not."""
    mine = factories.operation(factories.agency())
    theirs = factories.operation(factories.agency())
    probe = probe_of(mine, Policy(proximity_m=500, time_buffer_min=30), AgencyLevel.FEDERAL)
    assert remote_finding(probe, theirs, Policy()) is not None
    later = factories.operation(factories.agency(), start=mine.window.ends_at + timedelta(hours=5))
    assert remote_finding(probe, later, Policy(time_buffer_min=30)) is None


def test_federation_discloses_safety_unless_the_policy_says_more_and_never_for_a_restricted_purpose() -> None:
    generous = Policy(disclose={"federal": Level.FULL}, restricted_purposes=frozenset({Purpose.CIVIL_IMMIGRATION}))
    owner = factories.agency("local", policy=generous)
    op = factories.operation(owner)
    viewer = Viewer(None, AgencyLevel.FEDERAL)
    assert disclose_operation(op, owner, viewer, Context.FEDERATION, Purpose.CRIMINAL).level_disclosed is Level.FULL
    restricted = disclose_operation(op, owner, viewer, Context.FEDERATION, Purpose.CIVIL_IMMIGRATION)
    assert restricted.level_disclosed is Level.SAFETY and restricted.full is None and restricted.operational is None
    plain = factories.agency("local")
    assert (
        disclose_operation(op, plain, Viewer(None, AgencyLevel.STATE), Context.FEDERATION).level_disclosed
        is Level.SAFETY
    )

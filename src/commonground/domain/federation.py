"""Federation's pure rules: a peer installation, its key and URL, and what a probe may carry."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from commonground.domain.conflicts import SearchReach, reach
from commonground.domain.errors import InvalidInput
from commonground.domain.federation_subjects import ProbeSubjects, parse_probe_subjects
from commonground.domain.geometry import Area, edge_distance_m, geojson_area
from commonground.domain.model import Operation
from commonground.domain.policy import AgencyLevel, Policy, Purpose
from commonground.domain.remote_conflicts import carried_operation
from commonground.domain.timewindow import TimeWindow, isoformat

KEY_BYTES = 32  # an Ed25519 public key, raw
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class PeerStatus(StrEnum):
    UNKNOWN = "unknown"
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"


# A peer's last contact is kept to this grain: a busy pair of installations talk many times a
# second, and writing each contact would put a statement in every probe's unit for a time that
# no one reads closer than seconds. A change of status is always kept at once.
CONTACT_GRAIN = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class Peer:
    """Another installation this one trusts: its name, base URL and Ed25519 public key (base64)."""

    id: str
    name: str
    url: str
    public_key: str
    status: PeerStatus
    last_contact_at: datetime | None
    created_at: datetime


def contact_news(peer: Peer, reachable: bool, at: datetime) -> bool:
    """Whether a contact's outcome changes what is kept of ``peer``: its status, or its last contact
    when the kept one is ``CONTACT_GRAIN`` old or more (``peer`` may be a second-old cached copy)."""
    status = PeerStatus.REACHABLE if reachable else PeerStatus.UNREACHABLE
    if peer.status is not status:
        return True
    return reachable and (peer.last_contact_at is None or at - peer.last_contact_at >= CONTACT_GRAIN)


def check_name(name: str) -> str:
    """Return an installation name, or raise ``ValueError`` naming what is wrong."""
    if not NAME.match(name):
        raise ValueError("must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit")
    return name


def decode_key(text: str) -> bytes:
    """Return the 32 raw bytes of a base64 Ed25519 public key, or raise ``ValueError``."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise ValueError("must be base64") from exc
    if len(raw) != KEY_BYTES:
        raise ValueError(f"must be the {KEY_BYTES} raw bytes of an Ed25519 public key, base64 (got {len(raw)})")
    return raw


def encode_key(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_peer_url(url: str) -> str:
    """Return a peer's base URL without a trailing slash; ``http://`` only on loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an absolute https:// URL")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError("plain http:// is allowed only for a loopback address")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError("must have no query, fragment or credentials")
    return url.rstrip("/")


# --- the probe: what one installation tells another about an operation ---------------------
PROBE_KEYS = frozenset({"ref", "area", "window", "proximity_m", "time_buffer_min", "purpose", "agency_level"})
OPTIONAL_PROBE_KEYS = frozenset({"radius_m", "operation", "subjects"})
MAX_REACH_M = 50_000
MAX_BUFFER_MIN = 24 * 60


@dataclass(frozen=True, slots=True)
class Probe:
    """Only what a peer needs to find conflicts: never a title, notes, case number or subject."""

    ref: str  # the asking installation's operation id, opaque to the peer
    area: Area
    window: TimeWindow
    proximity_m: int
    time_buffer_min: int
    purpose: Purpose
    agency_level: AgencyLevel
    # The asking operation at ``safety`` (disclose_to_peer): what the peer records its conflict with.
    operation: dict[str, Any] | None = None
    # Only the agency's own clk-v1 encodings (docs/federation.md, "Blinded subjects"); never a clear one.
    subjects: ProbeSubjects | None = None

    def to_dict(self) -> dict[str, object]:
        geo = self.area.to_geojson()
        carried: dict[str, object] = {} if self.operation is None else {"operation": self.operation}
        if self.subjects is not None:
            carried["subjects"] = self.subjects.to_dict()
        return {
            "ref": self.ref,
            "area": {"type": geo["type"], "coordinates": geo["coordinates"]},
            "radius_m": self.area.radius_m,
            "window": {"starts_at": isoformat(self.window.starts_at), "ends_at": isoformat(self.window.ends_at)},
            "proximity_m": self.proximity_m,
            "time_buffer_min": self.time_buffer_min,
            "purpose": self.purpose.value,
            "agency_level": self.agency_level.value,
            **carried,
        }


def probe_of(op: Operation, policy: Policy, agency_level: AgencyLevel) -> Probe:
    return Probe(op.id, op.area, op.window, policy.proximity_m, policy.time_buffer_min, op.purpose, agency_level)


def _int(body: dict[str, object], key: str, top: int) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
        raise InvalidInput(key, f"must be an integer from 0 to {top}")
    return value


def parse_probe(body: dict[str, object]) -> Probe:
    """Read a probe; refuse one carrying anything beyond the probe's fields (custody)."""
    extra = sorted(set(body) - PROBE_KEYS - OPTIONAL_PROBE_KEYS)
    if extra:
        raise InvalidInput(extra[0], "a probe carries only area, window, reach, buffer, purpose and agency level")
    ref = body.get("ref")
    if not isinstance(ref, str) or not 0 < len(ref) <= 100:
        raise InvalidInput("ref", "must be a string of 1-100 characters")
    area = geojson_area(body.get("area"), body.get("radius_m"), "area")
    window_raw = body.get("window")
    if not isinstance(window_raw, dict):
        raise InvalidInput("window", "must be an object with starts_at and ends_at")
    window = TimeWindow.parse(window_raw.get("starts_at"), window_raw.get("ends_at"), "window.")
    try:
        purpose = Purpose(str(body.get("purpose")))
        level = AgencyLevel(str(body.get("agency_level")))
    except ValueError as exc:
        raise InvalidInput("purpose", "unknown purpose or agency level") from exc
    return Probe(
        ref,
        area,
        window,
        _int(body, "proximity_m", MAX_REACH_M),
        _int(body, "time_buffer_min", MAX_BUFFER_MIN),
        purpose,
        level,
        None if body.get("operation") is None else carried_operation(body.get("operation"), ref),
        None if body.get("subjects") is None else parse_probe_subjects(body.get("subjects")),
    )


def probe_reach(probe: Probe, installation_max_m: int, installation_max_min: int) -> SearchReach:
    """How far the answering store must look: the wider of the two sides' rules, as locally."""
    theirs = Policy(proximity_m=probe.proximity_m, time_buffer_min=probe.time_buffer_min)
    return reach(theirs, installation_max_m, installation_max_min)


def remote_finding(probe: Probe, other: Operation, theirs: Policy) -> tuple[float, TimeWindow] | None:
    """Apply the conflict rule to a probed area and window and a local operation (as ``proximity_finding``)."""
    if not other.status.is_live:
        return None
    buffer = timedelta(minutes=max(probe.time_buffer_min, theirs.time_buffer_min))
    overlap = probe.window.widened(buffer).overlap(other.window.widened(buffer))
    if overlap is None:
        return None
    distance = edge_distance_m(probe.area, other.area)
    if distance > max(probe.proximity_m, theirs.proximity_m):
        return None
    return round(distance, 1), probe.window.overlap(other.window) or overlap

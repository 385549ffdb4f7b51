"""Federation: this installation's identity and the peer installations it trusts."""

from __future__ import annotations

from typing import Literal

from commonground.api.schemas.common import ID_EXAMPLE, TIME_EXAMPLE, Instant, Public, Strict, described

KEY_EXAMPLE = "7KeDQd8PMdyJ2yehU98lPfU9WgkXaUtqYLLleR+72FM="
KEY = "Ed25519 public key: base64 of its 32 raw bytes."


class IdentityPublic(Public):
    name: str = described("This installation's name, as peers register it.", "county-west")
    url: str = described("The base URL peers reach it at.", "https://cg.county-west.example.gov")
    public_key: str = described(KEY, KEY_EXAMPLE)


class PeerCreate(Strict):
    name: str = described("The peer's installation name (its `GET /federation/identity`).", "city-east", max_length=100)
    url: str = described(
        "The peer's base URL; `http://` only on loopback.", "https://cg.city-east.example.gov", max_length=500
    )
    public_key: str = described(KEY, KEY_EXAMPLE, max_length=64)


class PeerPublic(Public):
    id: str = described("Peer id.", ID_EXAMPLE)
    name: str = described("The peer's installation name.", "city-east")
    url: str = described("The peer's base URL.", "https://cg.city-east.example.gov")
    public_key: str = described(KEY, KEY_EXAMPLE)
    status: Literal["unknown", "reachable", "unreachable"] = described(
        "How the last contact went: `unknown` before any.", "reachable"
    )
    last_contact_at: Instant | None = described("When the peer last answered or asked, or null.", TIME_EXAMPLE)


class PeersPublic(Public):
    items: list[PeerPublic] = described("Every registered peer, by name.", [])

"""How the authorization matrix calls each route: the object a cell names, its body, query and headers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pyotp

from commonground.domain.model import Role
from tests.conftest import bearer
from tests.functional.authz_world import SPOT, AuthzWorld

# Routes whose success uses up their object: a 2xx cell gets a new one.
FRESH = {
    "POST /api/v1/auth/login",
    "POST /api/v1/tokens/{token_id}/revoke",
    "POST /api/v1/users/{user_id}/disable",
    "PATCH /api/v1/operations/{operation_id}",
    "POST /api/v1/operations/{operation_id}/cancel",
    "POST /api/v1/operations/{operation_id}/complete",
    "POST /api/v1/conflicts/{conflict_id}/resolve",
    "POST /api/v1/conflicts/{conflict_id}/dismiss",
    "DELETE /api/v1/federation/peers/{peer_id}",
    "DELETE /api/v1/targets/{target_id}",
}

NO_CHANNELS: dict[str, list[Any]] = {"webhooks": [], "emails": []}
Body = Callable[[AuthzWorld, str, str], Any]  # (world, column, target id) -> JSON body
BODIES: dict[str, Body] = {
    "POST /api/v1/auth/login": lambda aw, col, name: {
        "username": name,
        "password": aw.login_password,
        "otp": pyotp.TOTP(aw.otp_secrets[name]).now() if name in aw.otp_secrets else "123456",
    },
    "POST /api/v1/auth/set-password": lambda aw, col, _: {
        "token": "not-a-token",
        "password": "a long enough passphrase",
    },
    "POST /api/v1/tokens": lambda aw, col, user_id: {"user_id": user_id, "name": "matrix"},
    "POST /api/v1/agencies": lambda aw, col, _: aw.new_agency(),
    "PUT /api/v1/agencies/{agency_id}/policy": lambda aw, col, _: {},
    "PUT /api/v1/agencies/{agency_id}/missions": lambda aw, col, _: {
        "missions": ["civil_immigration"] if col == "own" else []
    },
    "PUT /api/v1/agencies/{agency_id}/jurisdiction": lambda aw, col, _: aw.jurisdictions.get(col),
    "PUT /api/v1/agencies/{agency_id}/channels": lambda aw, col, _: NO_CHANNELS,
    "PUT /api/v1/watch/channels": lambda aw, col, _: NO_CHANNELS,
    "POST /api/v1/agencies/{agency_id}/channels/test": lambda aw, col, _: None,
    "POST /api/v1/users": lambda aw, col, agency_id: {
        "agency_id": agency_id,
        "username": f"made-{uuid.uuid4().hex[:10]}",
        "display_name": "Made",
        "roles": ["officer"],
    },
    "PATCH /api/v1/users/{user_id}": lambda aw, col, _: {"display_name": "Renamed"},
    "POST /api/v1/operations": lambda aw, col, _: aw.new_operation(),
    "POST /api/v1/targets": lambda aw, col, _: aw.new_target(),
    "PATCH /api/v1/operations/{operation_id}": lambda aw, col, _: {"notes": "changed"},
    "POST /api/v1/conflicts/{conflict_id}/ack": lambda aw, col, _: {"operation_id": aw.ack_side[col]},
    "POST /api/v1/conflicts/{conflict_id}/resolve": lambda aw, col, _: {"note": "settled by phone"},
    "POST /api/v1/notices/{notice_id}/response": lambda aw, col, _: {"response": "aware_not_assisting"},
    "POST /api/v1/near-misses": lambda aw, col, _: {
        "operation_ids": [aw.ids["operation"]["own"]],
        "description": "met a unit nobody had registered",
        "at": "2026-06-01T12:00:00Z",
    },
    "POST /api/v1/operations/{operation_id}/incidents": lambda aw, col, _: {
        "kind": "other",
        "at": "2026-12-01T12:00:00Z",
        "summary": "matrix",
        "assistance_requested": False,
    },
    "POST /api/v1/conflicts/{conflict_id}/dismiss": lambda aw, col, _: {"note": "not the same place"},
    "POST /api/v1/federation/peers": lambda aw, col, _: aw.new_peer(),
    "PUT /api/v1/agencies/{agency_id}/sensitive-places": lambda aw, col, _: {
        "type": "FeatureCollection",
        "features": [],
    },
    "PUT /api/v1/sensitive-places": lambda aw, col, _: {"type": "FeatureCollection", "features": []},
    "POST /api/v1/conflicts/{conflict_id}/contacts": lambda aw, col, _: {
        "side": "a",
        "method": "phone",
        "reached": True,
    },
}
PERIOD = {"from": "2026-01-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"}
QUERIES: dict[str, dict[str, Any]] = {
    "GET /api/v1/lookup": {"lat": SPOT[0], "lon": SPOT[1]},
    "GET /api/v1/verify": {"lat": SPOT[0], "lon": SPOT[1]},
    "GET /api/v1/verify/plate": {"plate": "abc-123"},
    "GET /api/v1/reports/participation": PERIOD,
    "GET /api/v1/reports/public": PERIOD,
}
HEADERS = {"PATCH /api/v1/operations/{operation_id}": {"If-Match": "1"}}


def send(
    aw: AuthzWorld, http: httpx.Client, route: str, kind: str, caller: str, column: str, want: int
) -> httpx.Response:
    """Call ``route`` as ``caller`` on the ``column`` object of ``kind``; a new object when ``want`` would use it up."""
    method, template = route.split(" ", 1)
    target = ""
    if kind != "none":
        fresh = route in FRESH and 200 <= want < 300 and column != "missing"
        target = aw.fresh(kind)(column) if fresh else aw.ids[kind][column]
    path = template
    if "{" in template:
        name = template[template.index("{") + 1 : template.index("}")]
        path = template.replace(f"{{{name}}}", target)
    headers = {**HEADERS.get(route, {}), **({} if caller == "anonymous" else bearer(aw.tokens[Role(caller)]))}
    if route == "GET /api/v1/stream":  # answer the status, never wait on events
        with http.stream(method, path, headers=headers) as r:
            if r.status_code != 200:
                r.read()
            return r
    sent: dict[str, Any] = {}
    if route in BODIES:
        body = BODIES[route](aw, column, target)
        # JSON null (a jurisdiction cleared) is a body too; httpx sends none for ``json=None``.
        sent = {"json": body} if body is not None else {"content": b"null"}
        headers["Content-Type"] = "application/json"
    return http.request(method, path, params=QUERIES.get(route), headers=headers, **sent)

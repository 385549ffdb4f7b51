"""The world the authorization matrix asks about: one caller per role, and objects of every tenant.

Every caller belongs to one agency, ``own`` (a federal field office whose recorded mission is
civil immigration enforcement, with a jurisdiction around the shared spot). The objects:

- ``own``: the callers' agency's agency, users, tokens, operations and conflicts;
- ``other``: a sharing county sheriff (``full`` to every agency, ``operational`` to the watch);
  its operation ``linked`` is in conflict with the own agency's, its ``other`` one with nobody's;
  the ``other`` conflict is between the sheriff and the city, not the own agency;
- ``restricted``: a city whose policy restricts civil immigration (``full`` otherwise, even to the
  watch): its operation and its conflict with the own agency reach the callers at ``safety`` only;
- ``installation``: the installation's own agency, its users and tokens, and a federation peer;
- ``missing``: an id nobody has.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from commonground.domain.model import Agency, Role
from commonground.service.principal import Principal
from tests.conftest import World, free_port, operation_data, under_way

SPOT = (44.9778, -93.2650)  # where the shared operations meet, inside the own agency's jurisdiction

LETTERS = str.maketrans("0123456789", "ghijklmnop")

# The columns of each kind of object a route names (by path or body).
COLUMNS: dict[str, tuple[str, ...]] = {
    "agency": ("own", "other", "restricted", "installation", "missing"),
    "user": ("own", "other", "restricted", "installation", "missing"),
    "token": ("own", "other", "restricted", "installation", "missing"),
    "operation": ("own", "linked", "other", "restricted", "missing"),
    "conflict": ("own", "other", "restricted", "missing"),
    "peer": ("installation", "missing"),
    "notice": ("own", "missing"),  # the own agency hears of the sheriff's operation in its jurisdiction
    "incident": ("own", "missing"),  # the own agency is told of an incident of the sheriff's linked operation
    "target": ("own", "other", "missing"),  # case targets: the own agency's officer's, the sheriff's
    "delivery": ("missing",),  # none fail in this world: tests/functional/test_delivery_failing.py sends one again
    "login": ("own", "missing"),
    "none": ("any",),
}


def _square(lat: float, lon: float, half: float = 0.05) -> dict[str, Any]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _public_key() -> str:
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


@dataclass(frozen=True)
class Secrets:
    """The strings of one operation that only some levels may carry, by the lowest level that shows them."""

    tenant: str
    operational: tuple[str, ...]  # address
    full: tuple[str, ...]  # title, case number, notes
    own: tuple[str, ...]  # a subject's name


@dataclass
class AuthzWorld:
    """Builds the tenants once per module; fresh objects for cells whose success would use one up."""

    world: World
    agencies: dict[str, Agency] = field(default_factory=dict)
    callers: dict[Role, Principal] = field(default_factory=dict)
    tokens: dict[Role, str] = field(default_factory=dict)
    ids: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> column -> id
    secrets: dict[str, Secrets] = field(default_factory=dict)  # operation id -> its secrets
    ack_side: dict[str, str] = field(default_factory=dict)  # conflict column -> the side an ack names
    jurisdictions: dict[str, Any] = field(default_factory=dict)  # agency column -> its jurisdiction as set
    usernames: dict[str, str] = field(default_factory=dict)  # agency column -> its target user's username
    login_password: str = "matrix-login-passphrase"
    otp_secrets: dict[str, str] = field(default_factory=dict)  # username -> TOTP secret
    _spots: int = 0

    def __post_init__(self) -> None:
        w = self.world
        self.jurisdictions = {"own": _square(*SPOT)}
        full = dict.fromkeys(("federal", "state", "local", "tribal", "watch"), "full")
        self.agencies = {
            "own": w.agency("federal", name="Field Office", jurisdiction=self.jurisdictions["own"]),
            "other": w.agency("local", name="County Sheriff", policy={"disclose": {**full, "watch": "operational"}}),
            "restricted": w.agency(
                "local", name="City PD", policy={"disclose": full, "restricted_purposes": ["civil_immigration"]}
            ),
            "installation": w.admin.agency,
        }
        w.services.missions.set(w.admin, self.agencies["own"].id, {"missions": ["civil_immigration"]})
        own = self.agencies["own"]
        for role in Role:
            self.callers[role] = w.person(own, role.value)
            self.tokens[role] = w.token(self.callers[role])
        self.ids["agency"] = {t: a.id for t, a in self.agencies.items()}
        targets = {t: w.person(a, "officer") for t, a in self.agencies.items()}
        self.ids["user"] = {t: p.user.id for t, p in targets.items()}
        self.usernames = {t: p.user.username for t, p in targets.items()}
        self.ids["token"] = {t: self.fresh_token(t) for t in targets}
        self.ids["login"] = {"own": self.fresh_login("own")}
        self._build_operations()
        self.ids["peer"] = {"installation": self.fresh_peer()}
        self.ids["target"] = {t: self.fresh_target(t) for t in ("own", "other")}
        for kind in COLUMNS:
            self.ids.setdefault(kind, {})["missing"] = str(uuid.uuid4())
        self.ids["login"]["missing"] = "nobody-by-this-name"
        self.ids["delivery"] = {"missing": "999999999"}

    # --- operations and conflicts --------------------------------------------------------------
    def _spot(self) -> tuple[float, float]:
        """A place of its own, far from the shared spot and the other fresh ones."""
        self._spots += 1
        return 30.0 + self._spots * 0.05, -100.0

    def submit(self, tenant: str, at: tuple[float, float], *, linked: bool = False) -> tuple[str, dict[str, str]]:
        """Submit an operation with secrets of its own; return its id and its conflicts by counterpart."""
        who = self.callers[Role.OFFICER] if tenant == "own" else self.world.person(self.agencies[tenant], "officer")
        tag = uuid.uuid4().hex[:8].translate(LETTERS)  # names refuse digits
        first = uuid.uuid4().hex[:6].translate(LETTERS).title()
        dob = (date(1940, 1, 1) + timedelta(days=uuid.uuid4().int % 20_000)).isoformat()
        data = operation_data(
            *at,
            title=f"Title {tag}",
            case_number=f"CASE-{tag}",
            notes=f"Notes {tag}",
            # Names and birth dates of their own: no two operations here share a subject.
            subjects=[{"kind": "person", "first_name": first, "last_name": tag.title(), "dob": dob}],
            **under_way(),
        )
        data["location"]["address"] = f"{tag} Secret Street"
        view, conflicts = self.world.services.operations.submit(who, data)
        self.secrets[view.id] = Secrets(
            "linked" if linked else tenant,
            (f"{tag} Secret Street",),
            (f"Title {tag}", f"CASE-{tag}", f"Notes {tag}"),
            (tag.title(),),
        )
        return view.id, {c.counterpart.id: c.id for c in conflicts}

    def _build_operations(self) -> None:
        own, _ = self.submit("own", SPOT)
        linked, with_own = self.submit("other", SPOT, linked=True)
        restricted, with_both = self.submit("restricted", SPOT)
        other, _ = self.submit("other", (SPOT[0] + 1.0, SPOT[1]))
        self.ids["operation"] = {"own": own, "linked": linked, "other": other, "restricted": restricted}
        self.ids["conflict"] = {"own": with_own[own], "other": with_both[linked], "restricted": with_both[own]}
        with self.world.services.store.read() as tx:
            told = tx.notices.of_operation(linked)
        self.ids["notice"] = {"own": next(n.id for n in told if n.agency_id == self.agencies["own"].id)}
        self.ack_side = {"own": own, "restricted": own, "other": linked, "missing": own}
        sheriff = self.world.person(self.agencies["other"], "supervisor")
        body = {"kind": "crowd", "at": "2026-12-01T12:00:00Z", "summary": "Crowd forming", "assistance_requested": True}
        reported = self.world.services.incidents.report(sheriff, linked, body)
        self.ids["incident"] = {"own": reported.id}

    def tenant_of(self, operation_id: str, ori: str) -> str:
        """The tenant of an operation a body shows: by its registered secrets, else by its agency."""
        if operation_id in self.secrets:
            return self.secrets[operation_id].tenant
        by_ori = {a.ori: t for t, a in self.agencies.items()}
        return by_ori.get(ori, "unknown")

    def fresh_operation(self, tenant: str) -> str:
        return self.submit(tenant, self._spot())[0]

    def fresh_conflict(self, tenant: str) -> str:
        """A new conflict of the tenant: own with the sheriff, restricted with the city, other between those two."""
        first, second = {
            "own": ("own", "other"),
            "restricted": ("own", "restricted"),
            "other": ("other", "restricted"),
        }[tenant]
        at = self._spot()
        a, _ = self.submit(first, at)
        _, conflicts = self.submit(second, at, linked=tenant == "own")
        return conflicts[a]

    def new_target(self) -> dict[str, Any]:
        """A case target whose one subject (a plate of its own) matches nothing here."""
        plate = uuid.uuid4().hex[:7].upper()
        expires = self.world.services.clock.now() + timedelta(days=90)
        return {
            "case_number": f"CASE-{plate}",
            "subjects": [{"kind": "vehicle", "plate": plate, "state": "MN"}],
            "expires_at": expires.isoformat(),
        }

    def fresh_target(self, tenant: str) -> str:
        """A case target of the tenant, registered by its officer (the own one: the matrix's officer caller)."""
        who = self.callers[Role.OFFICER] if tenant == "own" else self.world.person(self.agencies[tenant], "officer")
        view, _ = self.world.services.targets.register(who, self.new_target())
        return view.id

    # --- people, tokens, peers -------------------------------------------------------------------
    def fresh_user(self, tenant: str) -> str:
        return self.world.person(self.agencies[tenant], "officer").user.id

    def fresh_token(self, tenant: str) -> str:
        user_id = self.ids["user"][tenant]
        _, record = self.world.services.accounts.create_token(None, user_id, "matrix")
        return record.id

    def fresh_login(self, tenant: str) -> str:
        """A person with a password and an enrolled authenticator (sign-in needs a code, and each code works once)."""
        who = self.world.person(self.agencies[tenant], "officer", password=self.login_password)
        self.otp_secrets[who.user.username] = self.world.enrol(who)
        return who.user.username

    def fresh_peer(self, tenant: str = "installation") -> str:
        return str(self.world.services.federation.add_peer(None, self.new_peer())["id"])

    def fresh(self, kind: str) -> Callable[[str], str]:
        """The factory of a new object of ``kind`` for one tenant."""
        return {
            "operation": self.fresh_operation,
            "target": self.fresh_target,
            "conflict": self.fresh_conflict,
            "user": self.fresh_user,
            "token": self.fresh_token,
            "peer": self.fresh_peer,
            "login": self.fresh_login,
        }[kind]

    def new_agency(self) -> dict[str, Any]:
        ori = f"N{uuid.uuid4().hex[:8].upper()}"
        return {"ori": ori, "name": f"New {ori}", "level": "local", "duty_phone": "+1 555 000 0001", "timezone": "UTC"}

    def new_operation(self) -> dict[str, Any]:
        return operation_data(*self._spot())

    def new_peer(self) -> dict[str, Any]:
        return {
            "name": f"peer-{uuid.uuid4().hex[:8]}",
            "url": f"http://127.0.0.1:{free_port()}",
            "public_key": _public_key(),
        }

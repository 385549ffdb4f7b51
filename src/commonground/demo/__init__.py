"""Demonstration data: the Twin Cities metro, seven agencies, a week of operations.

Entered through the same use-cases as real submissions, so every conflict, audit record
and disclosure is produced by the product itself. Seeding is idempotent.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from commonground.bootstrap import Services
from commonground.domain.policy import AgencyLevel
from commonground.domain.views import NoticeView
from commonground.service.accounts import INSTALLATION_ORI
from commonground.service.principal import Principal

DEMO_PASSWORD = "common-ground-demo"  # noqa: S105 - demonstration only, printed at start
CENTRAL = ZoneInfo("America/Chicago")


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


# Simplified boundaries: good enough for notices in a demonstration.
MINNEAPOLIS = _box(-93.329, 44.890, -93.194, 45.051)
ST_PAUL = _box(-93.207, 44.887, -93.004, 45.009)
HENNEPIN = _box(-93.768, 44.783, -93.177, 45.246)
TRIBAL = _box(-93.447, 44.700, -93.380, 44.750)
MINNESOTA_METRO = _box(-94.0, 44.5, -92.7, 45.5)

AGENCIES: list[dict[str, Any]] = [
    {
        "ori": "MNICE0100",
        "name": "ICE ERO St. Paul Field Office",
        "level": "federal",
        "duty_phone": "+1 612 555 0101",
        "jurisdiction": None,
        "policy": {
            "disclose": {
                "federal": "full",
                "state": "operational",
                "local": "safety",
                "tribal": "safety",
                "watch": "operational",
            }
        },
    },
    {
        "ori": "MNDEA0200",
        "name": "DEA Twin Cities Drug Task Force",
        "level": "federal",
        "duty_phone": "+1 612 555 0202",
        "jurisdiction": None,
        "policy": {
            "disclose": {
                "federal": "full",
                "state": "operational",
                "local": "operational",
                "tribal": "operational",
                "watch": "full",
            }
        },
    },
    {
        "ori": "MNMSP0000",
        "name": "Minnesota State Patrol",
        "level": "state",
        "duty_phone": "+1 651 555 0300",
        "jurisdiction": MINNESOTA_METRO,
        "policy": {
            "disclose": {
                "federal": "operational",
                "state": "full",
                "local": "operational",
                "tribal": "operational",
                "watch": "operational",
            }
        },
    },
    {
        "ori": "MN0270000",
        "name": "Hennepin County Sheriff's Office",
        "level": "local",
        "duty_phone": "+1 612 555 0400",
        "jurisdiction": HENNEPIN,
        "policy": {
            "disclose": {
                "federal": "operational",
                "state": "operational",
                "local": "full",
                "tribal": "operational",
                "watch": "full",
            }
        },
    },
    {
        "ori": "MN0271100",
        "name": "Minneapolis Police Department",
        "level": "local",
        "duty_phone": "+1 612 555 0500",
        "jurisdiction": MINNEAPOLIS,
        "policy": {
            "disclose": {
                "federal": "operational",
                "state": "operational",
                "local": "full",
                "tribal": "operational",
                "watch": "operational",
            },
            "restricted_purposes": ["civil_immigration"],
        },
    },
    {
        "ori": "MN0620900",
        "name": "Saint Paul Police Department",
        "level": "local",
        "duty_phone": "+1 651 555 0600",
        "jurisdiction": ST_PAUL,
        "policy": {"restricted_purposes": ["civil_immigration"]},
    },
    {
        "ori": "MN070019T",
        "name": "Mdewakanton Tribal Police Department",
        "level": "tribal",
        "duty_phone": "+1 952 555 0700",
        "jurisdiction": TRIBAL,
        "policy": {},
    },
]

# (user name, display name, roles, agency ORI)
USERS: list[tuple[str, str, list[str], str]] = [
    ("ice.sdo", "SDO Dana Whitfield", ["supervisor"], "MNICE0100"),
    ("dea.ta", "TFO Marcus Reyes", ["supervisor"], "MNDEA0200"),
    ("msp.sgt", "Sgt. Lena Olson", ["supervisor"], "MNMSP0000"),
    ("hcso.sgt", "Sgt. Tom Berg", ["supervisor"], "MN0270000"),
    ("hcso.911", "Dispatcher Amy Chen", ["dispatcher"], "MN0270000"),
    ("mpd.sgt", "Sgt. Keisha Moore", ["supervisor"], "MN0271100"),
    ("mpd.det", "Det. Sam Lindqvist", ["officer"], "MN0271100"),
    ("mpd.admin", "Lt. Ruth Dahl", ["agency_admin"], "MN0271100"),
    ("spd.sgt", "Sgt. Pao Vang", ["supervisor"], "MN0620900"),
    ("tribal.chief", "Chief Joe Redwing", ["supervisor"], "MN070019T"),
    ("watch", "Analyst Kim Novak", ["watch"], INSTALLATION_ORI),
    ("auditor", "Auditor Pat Greene", ["auditor"], INSTALLATION_ORI),
]

# Places teams work: (lat, lon, address)
PLACES: list[tuple[float, float, str]] = [
    (44.9483, -93.2636, "Lake St & Chicago Ave, Minneapolis"),
    (44.9631, -93.2561, "Cedar-Riverside, Minneapolis"),
    (45.0123, -93.2847, "Broadway Ave N & Lyndale Ave N, Minneapolis"),
    (44.9778, -93.2650, "Nicollet Mall, Minneapolis"),
    (44.9537, -93.0900, "University Ave W & Rice St, Saint Paul"),
    (44.9446, -93.0934, "Kellogg Blvd W, Saint Paul"),
    (44.9212, -93.2300, "E 38th St & Hiawatha Ave, Minneapolis"),
    (45.0608, -93.2835, "Brooklyn Blvd, Brooklyn Center"),
    (44.8547, -93.2422, "Mall of America, Bloomington"),
    (44.7253, -93.4146, "County Rd 42, Prior Lake"),
    (44.9865, -93.3781, "Hwy 55 & Winnetka Ave, Golden Valley"),
    (44.9668, -93.1727, "Snelling Ave & University Ave, Saint Paul"),
]

TYPES_BY_AGENCY: dict[str, list[tuple[str, str]]] = {
    "MNICE0100": [
        ("immigration_enforcement", "civil_immigration"),
        ("surveillance", "civil_immigration"),
        ("arrest_warrant", "criminal"),
    ],
    "MNDEA0200": [
        ("surveillance", "criminal"),
        ("buy_bust", "criminal"),
        ("search_warrant", "criminal"),
        ("controlled_delivery", "criminal"),
    ],
    "MNMSP0000": [
        ("vehicle_stop", "criminal"),
        ("protective_detail", "protective"),
        ("crowd_management", "public_order"),
    ],
    "MN0270000": [
        ("arrest_warrant", "criminal"),
        ("fugitive_apprehension", "criminal"),
        ("search_warrant", "criminal"),
    ],
    "MN0271100": [
        ("search_warrant", "criminal"),
        ("undercover_meeting", "criminal"),
        ("crowd_management", "public_order"),
        ("knock_and_talk", "criminal"),
    ],
    "MN0620900": [("search_warrant", "criminal"), ("surveillance", "criminal"), ("arrest_warrant", "criminal")],
    "MN070019T": [("arrest_warrant", "criminal"), ("training", "training")],
}
VEHICLES = [
    "2 unmarked grey SUVs",
    "black Ford Explorer, no plates visible",
    "marked squads x3",
    "white panel van",
    "silver Honda Accord (UC)",
    "BearCat + 2 marked units",
    "dark blue Dodge Charger",
]


# (agency ORI, day of the week, place index, hour): pairs a watch analyst would want to see.
SCRIPTED: list[tuple[str, int, int, int]] = [
    ("MN0271100", 0, 6, 0),
    ("MNICE0100", 0, 6, 0),  # MPD warrant vs ICE team at Lake & Chicago
    ("MNDEA0200", 1, 1, 19),
    ("MN0270000", 1, 1, 20),  # DEA surveillance vs Sheriff fugitive team
    ("MN0620900", 2, 4, 9),
    ("MNICE0100", 2, 4, 10),  # St Paul vs ICE on University Ave
    ("MNMSP0000", 3, 3, 14),
    ("MN0271100", 3, 3, 15),  # State Patrol detail vs MPD downtown
    ("MN070019T", 4, 9, 8),
    ("MN0270000", 4, 9, 9),  # Tribal warrant vs Sheriff near Prior Lake
]


@dataclass(frozen=True)
class Region:
    """One demonstration installation: its agencies, people and a week of operations."""

    agencies: list[dict[str, Any]]
    users: list[tuple[str, str, list[str], str]]
    types_by_agency: dict[str, list[tuple[str, str]]]
    scripted: list[tuple[str, int, int, int]]
    operations: int
    rng_seed: int
    token_file: str
    cad_user: str | None = None
    # Places (indexes into PLACES) where a team is out at start-up, so a dispatcher's first look-up finds one.
    out_now: tuple[int, ...] = ()

    def agency_name(self, ori: str) -> str:
        return next((a["name"] for a in self.agencies if a["ori"] == ori), "Installation")


@dataclass
class SeedReport:
    agencies: int = 0
    operations: int = 0
    conflicts: int = 0
    tokens: list[tuple[str, str, str, str]] = field(default_factory=list)
    token_file: Path = Path("demo-tokens.json")


def _principal(services: Services, username: str) -> Principal:
    with services.store.read() as tx:
        found = tx.people.by_username(username)
        assert found is not None
        agency = tx.agencies.get(found[0].agency_id)
        assert agency is not None
    return Principal(found[0], agency)


def _operation(
    rng: random.Random,
    types: list[tuple[str, str]],
    ori: str,
    day: datetime,
    place: tuple[float, float, str],
    hour: int,
    contact: str,
    idx: int,
) -> dict[str, Any]:
    op_type, purpose = rng.choice(types)
    lat, lon, address = place
    starts = day.replace(hour=hour, minute=rng.choice((0, 15, 30, 45)))
    return {
        "type": op_type,
        "purpose": purpose,
        "title": f"{op_type.replace('_', ' ').title()} #{idx}",
        "case_number": f"{ori[:5]}-26-{1000 + idx}",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=rng.choice((1, 2, 3, 4, 6)))).isoformat(),
        "location": {
            "lat": lat + rng.uniform(-0.004, 0.004),
            "lon": lon + rng.uniform(-0.005, 0.005),
            "radius_m": rng.choice((50, 100, 150, 250)),
            "address": address,
        },
        "contact": {"name": contact, "phone": f"+1 612 555 {1000 + idx:04d}", "radio": f"TAC {rng.randint(1, 9)}"},
        "team": {
            "personnel": rng.randint(2, 14),
            "attire": rng.choice(("uniform", "plain_clothes", "mixed", "tactical")),
            "vehicles": rng.choice(VEHICLES),
        },
        "risk": rng.choice(("low", "medium", "medium", "high")),
        "notes": "Demonstration operation.",
    }


# What one team out now declares (issue 13, item 3): members, a plate GET /verify/plate finds, a signal.
DECLARED_TEAM: dict[str, Any] = {
    "members": [
        {"name": "Sgt. R. Okafor", "badge_number": "4471", "role": "team leader"},
        {"name": "Det. L. Vang", "badge_number": "5120"},
    ],
    "vehicles_detail": [
        {"description": "grey Ford Explorer, unmarked", "plate": "DEM-0413", "state": "MN", "marked": False},
    ],
    "talkgroup": "MN STAT 2",
    "recognition": "blue ball cap, left hand raised",
    "visible_identification": True,
}

CAD_USER = "hcso.911"
TWIN_CITIES = Region(
    AGENCIES, USERS, TYPES_BY_AGENCY, SCRIPTED, 60, 20260128, "demo-tokens.json", CAD_USER, out_now=(0, 3, 4)
)


def seed(
    services: Services, now: datetime | None = None, token_file: Path | None = None, region: Region = TWIN_CITIES
) -> SeedReport:
    """Create the demonstration installation once; later runs only issue fresh tokens."""
    report = SeedReport(token_file=token_file or Path(region.token_file))
    accounts = services.accounts
    admin_user, _ = accounts.bootstrap_admin("admin")
    admin = _principal(services, admin_user.username)
    with services.store.read() as tx:
        fresh = tx.agencies.by_ori(region.agencies[0]["ori"]) is None
    if fresh:
        ids = {INSTALLATION_ORI: admin.agency.id}
        for spec in region.agencies:
            ids[spec["ori"]] = accounts.create_agency(admin, {**spec, "timezone": "America/Chicago"}).id
        for username, display, roles, ori in region.users:
            accounts.create_user(
                admin,
                {
                    "agency_id": ids[ori],
                    "username": username,
                    "display_name": display,
                    "roles": roles,
                    "password": DEMO_PASSWORD,
                },
            )
        out_now = _operations(services, now or services.clock.now(), region)
        _host_answers(services, region)
        _near_miss(services, now or services.clock.now(), region, [op_id for _, op_id in out_now])
    with services.store.read() as tx:
        report.agencies = len(tx.agencies.page(1000, None).items)
    for username, _display, roles, ori in region.users:
        token = accounts.token_for_username(username, "demo")
        report.tokens.append((username, roles[0], region.agency_name(ori), token))
    if region.cad_user is not None:
        # A CAD link authenticates as a machine: a bearer token limited to look-ups, no sign-in, no second factor.
        cad = accounts.token_for_username(region.cad_user, "CAD link (demo)", scopes=["lookup"])
        ori = next(o for u, _, _, o in region.users if u == region.cad_user)
        report.tokens.append((f"{region.cad_user}.cad", "cad:lookup", region.agency_name(ori), cad))
    report.token_file.write_text(json.dumps({u: t for u, _, _, t in report.tokens}, indent=2))
    watch = _principal(services, next(u for u, _, roles, _ in region.users if "watch" in roles))
    page = services.conflicts.list(watch, None, 1000, None)
    report.conflicts = len(page.items)
    report.operations = _count_operations(services)
    return report


def _count_operations(services: Services) -> int:
    with services.store.read() as tx:
        return tx.operations.count()


def _operations(services: Services, now: datetime, region: Region) -> list[tuple[Principal, str]]:
    """Enter the region's operations; return the ids of the teams out now."""
    rng = random.Random(region.rng_seed)  # noqa: S311 - repeatable demonstration data
    # The coming week starts at the next local midnight, so no demonstration is in the past.
    today = now.astimezone(CENTRAL).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    supervisors = {ori: name for name, _, roles, ori in region.users if "supervisor" in roles}
    people = {ori: _principal(services, name) for ori, name in supervisors.items()}
    idx = 0
    # Scripted encounters first: each is a real conflict a watch analyst would want to see.
    for ori, day_offset, place, hour in region.scripted:
        idx += 1
        who = people[ori]
        day = today + timedelta(days=day_offset)
        data = _operation(rng, region.types_by_agency[ori], ori, day, PLACES[place], hour, who.user.display_name, idx)
        data["location"] = {
            **data["location"],
            "lat": PLACES[place][0] + rng.uniform(-0.0008, 0.0008),
            "lon": PLACES[place][1] + rng.uniform(-0.0008, 0.0008),
        }
        services.operations.submit(who, data)
    # Teams out now: started ten minutes ago (within the 15 minutes an entry may lag its start), out for hours.
    started = now.astimezone(CENTRAL).replace(second=0, microsecond=0) - timedelta(minutes=10)
    out: list[tuple[Principal, str]] = []
    for place in region.out_now:
        idx += 1
        ori = rng.choice(list(people))
        who = people[ori]
        data = _operation(rng, region.types_by_agency[ori], ori, started, PLACES[place], 0, who.user.display_name, idx)
        data["starts_at"], data["ends_at"] = started.isoformat(), (started + timedelta(hours=5)).isoformat()
        if place == region.out_now[0]:  # the team a patrol officer's "Verify a team here" finds, identity and all
            data["team"] = {**data["team"], **DECLARED_TEAM}
        out.append((who, services.operations.submit(who, data)[0].id))
    if out:  # one critical incident on a team out now: its host agency, any team in conflict and the watch hear of it
        who, operation_id = out[0]
        incident = {
            "kind": "vehicle_collision",
            "at": (now - timedelta(minutes=3)).isoformat(),
            "summary": "Unmarked team vehicle struck at the intersection; no injuries, other driver left the scene.",
            "assistance_requested": True,
        }
        services.incidents.report(who, operation_id, incident)
    while idx < region.operations:
        idx += 1
        ori = rng.choice(list(people))
        who = people[ori]
        day = today + timedelta(days=rng.randint(0, 6))
        spot, hour = rng.choice(PLACES), rng.randint(5, 22)
        services.operations.submit(
            who, _operation(rng, region.types_by_agency[ori], ori, day, spot, hour, who.user.display_name, idx)
        )
    return out


def _host_answers(services: Services, region: Region) -> None:
    """A city whose policy restricts civil immigration work answers a federal notice `aware_not_assisting`."""
    for spec in region.agencies:
        if "civil_immigration" not in spec.get("policy", {}).get("restricted_purposes", []):
            continue
        host = next((u for u, _, roles, ori in region.users if ori == spec["ori"] and "supervisor" in roles), None)
        if host is None:
            continue
        who = _principal(services, host)
        notices = services.notices.list(who, 100, None).items
        federal = [n for n in notices if isinstance(n, NoticeView) and n.operation.agency.level is AgencyLevel.FEDERAL]
        if federal:
            note = "Aware for officer safety; by city policy we do not assist civil immigration enforcement."
            services.notice_responses.respond(who, federal[0].id, "aware_not_assisting", note)
            return


def _near_miss(services: Services, now: datetime, region: Region, out_now: list[str]) -> None:
    """Two of the teams out now met without knowing; the watch center records it as a near-miss."""
    watch_user = next((u for u, _, roles, _ in region.users if "watch" in roles), None)
    if watch_user is None:
        return
    watch = _principal(services, watch_user)
    ids = out_now[:2]
    if len(ids) == 2:
        services.near_misses.report(
            watch,
            {
                "operation_ids": ids,
                "description": "Both teams arrived at the same address within minutes; neither knew of the other.",
                "at": (now - timedelta(minutes=5)).isoformat(),
            },
        )

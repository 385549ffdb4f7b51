"""Demonstration data for a second installation: a federal region's, beside the Twin Cities one.

Its agencies work the same places in the same week as the Twin Cities demonstration, so a
submission on either installation finds the other's operations through federation.
"""

from __future__ import annotations

from typing import Any

from commonground.demo import Region
from commonground.service.accounts import INSTALLATION_ORI


def _policy(local: str) -> dict[str, Any]:
    return {"disclose": {"federal": "full", "state": "operational", "local": local, "tribal": local, "watch": "full"}}


AGENCIES: list[dict[str, Any]] = [
    {
        "ori": "MNFBI0100",
        "name": "FBI Minneapolis Field Office",
        "level": "federal",
        "duty_phone": "+1 763 555 0110",
        "jurisdiction": None,
        "policy": _policy("operational"),
    },
    {
        "ori": "MNATF0200",
        "name": "ATF St. Paul Field Division",
        "level": "federal",
        "duty_phone": "+1 651 555 0220",
        "jurisdiction": None,
        "policy": _policy("operational"),
    },
    {
        "ori": "MNUSM0300",
        "name": "U.S. Marshals Service, District of Minnesota",
        "level": "federal",
        "duty_phone": "+1 612 555 0330",
        "jurisdiction": None,
        "policy": _policy("safety"),
    },
    {
        "ori": "MNHSI0400",
        "name": "HSI St. Paul",
        "level": "federal",
        "duty_phone": "+1 651 555 0440",
        "jurisdiction": None,
        "policy": _policy("safety"),
    },
]

# (user name, display name, roles, agency ORI)
USERS: list[tuple[str, str, list[str], str]] = [
    ("fbi.ssa", "SSA Grace Holm", ["supervisor"], "MNFBI0100"),
    ("atf.rac", "RAC Luis Ortega", ["supervisor"], "MNATF0200"),
    ("usms.dusm", "DUSM Erik Sandberg", ["supervisor"], "MNUSM0300"),
    ("hsi.sa", "SA Priya Nair", ["supervisor"], "MNHSI0400"),
    ("fed.watch", "Analyst Joan Kirby", ["watch"], INSTALLATION_ORI),
    ("fed.auditor", "Auditor Max Feld", ["auditor"], INSTALLATION_ORI),
]

TYPES_BY_AGENCY: dict[str, list[tuple[str, str]]] = {
    "MNFBI0100": [("arrest_warrant", "criminal"), ("surveillance", "criminal"), ("search_warrant", "criminal")],
    "MNATF0200": [("search_warrant", "criminal"), ("buy_bust", "criminal"), ("controlled_delivery", "criminal")],
    "MNUSM0300": [("fugitive_apprehension", "criminal"), ("protective_detail", "protective")],
    "MNHSI0400": [("search_warrant", "criminal"), ("surveillance", "criminal"), ("arrest_warrant", "criminal")],
}

# (agency ORI, day of the week, place index of commonground.demo.PLACES, hour): beside Twin Cities operations.
SCRIPTED: list[tuple[str, int, int, int]] = [
    ("MNFBI0100", 0, 0, 6),  # Lake St & Chicago Ave tomorrow morning: the demonstration's curl finds it
    ("MNUSM0300", 1, 1, 19),  # Cedar-Riverside, beside the DEA and Sheriff teams
    ("MNATF0200", 2, 4, 9),  # University Ave & Rice St, beside Saint Paul and ICE
    ("MNHSI0400", 3, 3, 14),  # Nicollet Mall, beside the State Patrol and Minneapolis
]

FEDERAL = Region(AGENCIES, USERS, TYPES_BY_AGENCY, SCRIPTED, 24, 20261202, "demo-tokens-federal.json")

"""A host agency is told when how to reach a team, or what the team looks like, changes.

A dispatcher's notice (and the CAD alert it becomes) carries the team's contact and description;
a new phone number or a third car is exactly what the host's patrol needs. Such a PATCH moves
nothing, yet every agency told of the operation hears an update with the new figures.
"""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import World, bearer, operation_data
from tests.functional.test_notice_responses import SPOT, _host_city
from tests.functional.test_policy_sharing import call


def _patch(http: httpx.Client, token: str, op_id: str, change: dict[str, object], version: int) -> None:
    headers = {**bearer(token), "If-Match": str(version)}
    r = http.patch(f"/api/v1/operations/{op_id}", json=change, headers=headers)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "change",
    [
        {"contact": {"name": "Sgt. Test", "phone": "+1 612 555 0199", "radio": "TAC 2"}},
        {"team": {"personnel": 9, "attire": "plain_clothes", "vehicles": "3 grey SUVs"}},
    ],
    ids=["contact", "team"],
)
def test_a_contact_or_team_change_reaches_the_host_as_an_update(
    world: World, http: httpx.Client, change: dict[str, object]
) -> None:
    city = _host_city(world, http)
    feds = world.agency("federal", name="HSI St. Paul")
    token = world.token(world.person(feds, "supervisor"))
    op = call(http, token, "POST", "/operations", operation_data(*SPOT), status=201)
    host = world.token(world.person(city, "dispatcher"))
    told = [n for n in call(http, host, "GET", "/notices")["items"] if n["operation"]["id"] == op["id"]]
    assert [n["kind"] for n in told] == ["entry"]
    _patch(http, token, op["id"], change, op["version"])
    told = [n for n in call(http, host, "GET", "/notices")["items"] if n["operation"]["id"] == op["id"]]
    assert [n["kind"] for n in told] == ["update", "entry"]
    (field,) = change
    assert told[0]["operation"][field] == change[field]
    _patch(http, token, op["id"], {"title": "Renamed"}, op["version"] + 1)
    told = [n for n in call(http, host, "GET", "/notices")["items"] if n["operation"]["id"] == op["id"]]
    assert [n["kind"] for n in told] == ["update", "entry"]  # a title is not the host's to know: no notice

"""Sensitive places in every render of a notice that leaves (issue 14, item 5): API, stream, webhook, e-mail.

The host agency's notice names the places near the operation first, whichever way it reads it.
"""

from __future__ import annotations

import time

import httpx

from commonground.bootstrap import Services
from commonground.service.channels import Channels
from tests.conftest import LiveServer, World, operation_data
from tests.functional.sse_client import SseClient
from tests.functional.test_policy_sharing import call
from tests.functional.test_sensitive_places import SCHOOL, _collection, _feature
from tests.integration.notify_receivers import SmtpServer, WebhookReceiver, parts
from tests.integration.test_notify_delivery import configure, deliveries

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-93.40, 44.90], [-93.10, 44.90], [-93.10, 45.05], [-93.40, 45.05], [-93.40, 44.90]]],
}
TOLD = [{"name": "Central Elementary", "category": "school"}]


def _named(places: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{"name": p["name"], "category": p["category"]} for p in places]


def test_every_render_of_the_hosts_notice_names_the_sensitive_places_first(services: Services, world: World) -> None:
    county = world.agency("local", name="Hennepin County", policy={"receive_notices": True})
    admin, desk = world.person(county, "agency_admin"), world.person(county, "supervisor")
    feds = world.agency("federal", name="FBI Minneapolis")
    with WebhookReceiver() as hook, SmtpServer() as smtp:
        configure(services, smtp)
        services.settings.notify_worker = False  # the worker below, built after configure, delivers
        with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=10) as http:
            token = world.token(admin)
            call(http, token, "PUT", f"/agencies/{county.id}/jurisdiction", SQUARE)
            call(
                http,
                token,
                "PUT",
                f"/agencies/{county.id}/sensitive-places",
                _collection(_feature(SCHOOL, "school", "Central Elementary")),
            )
            hook.secret = Channels(services.store, services.clock).put(
                admin,
                county.id,
                {
                    "webhooks": [{"url": hook.url, "events": ["notice.created"]}],
                    "emails": [{"address": "desk@county.example.gov", "events": ["notice.created"]}],
                },
            )["webhooks"][0]["secret"]
            with SseClient(live.url, world.token(desk)) as stream:
                made = call(
                    http,
                    world.token(world.person(feds)),
                    "POST",
                    "/operations",
                    operation_data(notice="at_submit"),
                    201,
                )
                assert _named(made["sensitive_places"]) == TOLD  # the operating agency's own response

                (listed,) = call(http, world.token(desk), "GET", "/notices")["items"]
                assert next(iter(listed)) == "sensitive_places" and _named(listed["sensitive_places"]) == TOLD

                heard = stream.next()
                assert heard.event == "notice.created" and heard.data["operation"]["id"] == made["id"]
                assert next(iter(heard.data)) == "sensitive_places"
                assert heard.data == listed  # the stream's notice is the one the API lists

            worker, deadline = deliveries(services), time.monotonic() + 10
            while not (hook.received and smtp.inbox.messages) and time.monotonic() < deadline:
                worker.run_once()
                time.sleep(0.05)
            [posted] = hook.received
            data = posted["body"]["data"]
            # A webhook's JSON is sent with sorted keys (one signed form): the field is there, as listed.
            assert posted["valid"] and _named(data["sensitive_places"]) == TOLD and data == listed

            [mail] = smtp.inbox.messages
            text, markup = parts(mail)
            body = [line for line in text.splitlines()[1:] if line]  # after the subject line
            metres = round(made["sensitive_places"][0]["distance_m"])
            assert body[0] == f"SENSITIVE PLACES NEARBY: Central Elementary (school, {metres} m)", text
            assert markup.index("SENSITIVE PLACES NEARBY") < markup.index("FBI Minneapolis")


def test_a_notice_without_places_near_says_nothing_of_them(services: Services, world: World) -> None:
    county = world.agency("local", name="Hennepin County", policy={"receive_notices": True})
    admin, desk = world.person(county, "agency_admin"), world.person(county, "supervisor")
    with LiveServer(services) as live, httpx.Client(base_url=live.url, timeout=10) as http:
        call(http, world.token(admin), "PUT", f"/agencies/{county.id}/jurisdiction", SQUARE)
        with SseClient(live.url, world.token(desk)) as stream:
            call(http, world.token(world.person(world.agency("federal"))), "POST", "/operations", operation_data(), 201)
            heard = stream.next()
            assert heard.event == "notice.created" and "sensitive_places" not in heard.data

"""Blinded subjects across installations, with real servers on loopback: matched, kept, or withheld."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from commonground.audit.tags import Action
from commonground.bootstrap import build_services
from commonground.config import Settings
from commonground.domain.blinding import blind_record
from tests.conftest import SOON, bearer, operation_data
from tests.functional.test_federation import Installation, install, submit, trust
from tests.functional.test_federation_conflicts import remote_conflicts, serving

CONSORTIUM_SECRET = b"consortium secret shared by the agencies, never by the servers"
PERSON = {"kind": "person", "first_name": "Maria", "last_name": "Delacruz-Quintero", "dob": "1984-07-02"}
SAME_PERSON = {"kind": "person", "first_name": "María", "last_name": "Delacruz Quintero", "dob": "1984-07-02"}
CLEAR_PHONE = {"kind": "phone", "number": "+1 612 555 0177"}
CLEAR_VALUES = ("Maria", "María", "Delacruz", "Quintero", "1984-07-02", "19840702", "555 0177", "5550177")
FAR_LAT = 45.25  # about 30 km north of the default place: no proximity conflict


def blinded(person: dict[str, Any]) -> dict[str, object]:
    """What the agency's own tool sends: the encoding made with the consortium secret."""
    return blind_record(person, CONSORTIUM_SECRET)


class Recorder(BaseHTTPRequestHandler):
    """A peer that keeps every request body it is sent and answers 503 (so it is ``unchecked``)."""

    bodies: list[bytes] = []

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def recording_peer(here: Installation) -> Iterator[list[bytes]]:
    """Register a recording peer at ``here`` and yield the bodies ``here`` sends it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    Recorder.bodies = []
    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    services = build_services(Settings(database_url=here.db, federation_name=here.name, public_url=here.url))
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        services.federation.add_peer(
            None, {"name": "recorder", "url": url, "public_key": base64.b64encode(raw).decode()}
        )
    finally:
        services.close()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Recorder.bodies
    finally:
        server.shutdown()
        server.server_close()


def test_the_same_person_blinded_in_two_installations_is_a_subject_conflict_on_both_sides(tmp_path: Path) -> None:
    """Far apart, so only the subject joins them; the clear values never leave the city."""
    same_person_both_sides(tmp_path, f"sqlite:///{tmp_path / 'feds.db'}")


def test_the_same_person_blinded_is_matched_by_a_federal_installation_on_postgis(
    tmp_path: Path, postgres_url: str
) -> None:
    same_person_both_sides(tmp_path, postgres_url)


def same_person_both_sides(tmp_path: Path, feds_db: str) -> None:
    city = install(tmp_path, "city", "local")
    feds = install(tmp_path, "feds", "federal", db=feds_db)
    trust(city, feds)
    with recording_peer(city) as sent_by_city, serving(city, feds, logs=tmp_path):
        mine = submit(city, operation_data(subjects=[blinded(PERSON), CLEAR_PHONE]))
        later = SOON + timedelta(days=2)  # a subject match has no time limit either, as locally
        theirs = submit(feds, operation_data(FAR_LAT, starts=later, subjects=[blinded(SAME_PERSON)]))
        assert theirs["federation"]["hits"] == []  # no proximity conflict: 30 km apart, days later

        (fed_side,) = remote_conflicts(feds)
        assert fed_side["kind"] == "subject" and fed_side["matched"] == "blinded_person"
        assert fed_side["your_operation_id"] == theirs["id"] and fed_side["counterpart"]["id"] == mine["id"]
        assert fed_side["counterpart"]["installation"] == {"name": "city"}
        assert fed_side["distance_m"] > 25_000 and fed_side["overlap"] is None
        (city_side,) = remote_conflicts(city)
        assert city_side["kind"] == "subject" and city_side["matched"] == "blinded_person"
        assert city_side["your_operation_id"] == mine["id"] and city_side["counterpart"]["id"] == theirs["id"]
        assert city_side["counterpart"]["level_disclosed"] == "safety" and city_side["overlap"] is None
        one = httpx.get(f"{city.url}/api/v1/conflicts/{city_side['id']}", headers=bearer(city.supervisor))
        assert one.status_code == 200 and one.json() == city_side

    # What the city sent a peer: the agency's encoding, and nothing of the clear phone or name.
    (probe,) = [json.loads(b) for b in sent_by_city]
    assert probe["subjects"]["scheme"] == "clk-v1"
    assert probe["subjects"]["values"] == [blinded(PERSON)["value"]]
    logs = (tmp_path / "feds.log").read_text() + (tmp_path / "city.log").read_text()
    for clear in CLEAR_VALUES:
        assert clear not in sent_by_city[0].decode(), clear
        assert clear not in logs, clear
    answered = city.audit(Action.FEDERATION_PROBE_ANSWER)
    assert [(a["subject_hits"], a["recorded"]) for a in answered] == [(1, 1)]
    assert [(s["recorded"], s["subjects_sent"]) for s in feds.audit(Action.FEDERATION_PROBE_SEND)] == [({"city": 1}, 1)]


def test_a_restricting_city_and_a_federal_civil_immigration_operation_conflict_at_safety_with_no_subject_match(
    tmp_path: Path,
) -> None:
    """Both directions: the federal probe answered by the city, and the city's probe answered by the feds."""
    city = install(tmp_path, "city", "local", restricted_purposes=["civil_immigration"])
    feds = install(tmp_path, "feds", "federal")
    trust(city, feds)
    with serving(city, feds, logs=tmp_path):
        mine = submit(city, operation_data(subjects=[blinded(PERSON)]))
        federal = operation_data(purpose="civil_immigration", type="immigration_enforcement")
        theirs = submit(feds, {**federal, "subjects": [blinded(SAME_PERSON)]})
        assert [h["operation"]["level_disclosed"] for h in theirs["federation"]["hits"]] == ["safety"]
        again = httpx.patch(
            f"{city.url}/api/v1/operations/{mine['id']}",
            json={"notes": "re-probe the feds"},
            headers={**bearer(city.supervisor), "If-Match": str(mine["version"])},
            timeout=30,
        )
        assert again.status_code == 200, again.text
        assert [c["kind"] for c in remote_conflicts(feds)] == ["proximity"]
        assert [c["kind"] for c in remote_conflicts(city)] == ["proximity"]
        feds_texts = json.dumps(theirs["federation"]) + json.dumps(remote_conflicts(feds))
    feds_texts += (tmp_path / "feds.log").read_text()
    assert "blinded_person" not in feds_texts and '"matched"' not in feds_texts

    # Counted as suppressed on each answering side, as within one installation, without identifiers.
    (at_city,) = city.audit(Action.SUBJECT_MATCH_SUPPRESSED)
    assert at_city["count"] == 1 and at_city["installation"] == "feds"
    (at_feds,) = feds.audit(Action.SUBJECT_MATCH_SUPPRESSED)
    assert at_feds == {"restricting_agency": "installation:city", "count": 1, "installation": "city"}
    assert [a["subject_hits"] for a in city.audit(Action.FEDERATION_PROBE_ANSWER)] == [0]
    # The feds answered the city's submission (nothing there yet) and its change.
    assert [a["subject_hits"] for a in feds.audit(Action.FEDERATION_PROBE_ANSWER)] == [0, 0]

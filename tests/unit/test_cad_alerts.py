"""CAD premise alerts in the domain: when an operation is due as an alert, and what the alert carries."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from commonground.domain.cad_alerts import AlertStatus, PremiseAlert, alert_status
from commonground.domain.disclosure import Context, Viewer, disclose_operation
from commonground.domain.policy import AgencyLevel, Level
from tests.unit import factories
from tests.unit.factories import T0

OWNER = replace(factories.agency("federal"), name="ICE ERO St. Paul")
OP = factories.operation(OWNER, start=T0, hours=2)
CITY = Viewer("city", AgencyLevel.LOCAL)
VIEW = disclose_operation(OP, OWNER, CITY, Context.LOOKUP)


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (T0 - timedelta(hours=3), None),  # not due yet
        (T0 - timedelta(hours=2), AlertStatus.UPCOMING),
        (T0 - timedelta(minutes=1), AlertStatus.UPCOMING),
        (T0, AlertStatus.ACTIVE),
        (T0 + timedelta(hours=1, minutes=59), AlertStatus.ACTIVE),
        (T0 + timedelta(hours=2), AlertStatus.EXPIRED),
    ],
)
def test_an_alert_is_due_two_hours_ahead_and_expires_at_the_end(now: object, status: AlertStatus | None) -> None:
    assert alert_status(VIEW, now) is status  # type: ignore[arg-type]


def test_an_ended_operation_expires_at_once() -> None:
    assert alert_status(VIEW, T0 + timedelta(minutes=5), ended=True) is AlertStatus.EXPIRED


def test_the_alert_carries_the_safety_view_only_and_ties_its_components() -> None:
    assert VIEW.level_disclosed is Level.SAFETY
    alert = PremiseAlert(VIEW, AlertStatus.ACTIVE, "county", T0, "America/Chicago").to_dict()
    text = json.dumps(alert)
    for secret in ("Secret title", "CASE-", "secret notes", "Secretname", "12 Secret St"):
        assert secret not in text
    [incident], [location], [agency], [note] = (
        alert[k] for k in ("incidentComponent", "locationComponent", "agencyComponent", "notesComponent")
    )
    assert incident["locationReference"]["$ref"] == location["componentIdentifier"]
    assert incident["agencyReference"]["$ref"] == agency["componentIdentifier"]
    assert incident["notesReference"] == [{"$ref": note["componentIdentifier"]}]
    assert incident["incidentStatusCommonRegistryText"] == "Active" and alert["messageKind"] == "Report"
    assert location["locationByValue"]["type"] == "Point" and location["locationByValue"]["radius_m"] == 100
    assert agency["contactPhone"] == "+1 612 555 0100" and agency["agencyName"] == "ICE ERO St. Paul"
    # Times for the dispatcher read in the centre's zone, with the offset; JSON times stay UTC ISO 8601.
    assert "Tue 1 Dec 2026 06:00 CST (UTC-06:00)" in note["noteText"] and "6 officers" in note["noteText"]
    assert "+1 612 555 0100" in note["noteText"] and alert["alert"]["expires_at"] == "2026-12-01T14:00:00.000Z"
    expired = PremiseAlert(VIEW, AlertStatus.EXPIRED, "county", T0).to_dict()
    assert (
        expired["messageKind"] == "Cancel"
        and expired["incidentComponent"][0]["incidentStatusCommonRegistryText"] == "Closed"
    )

"""CSV in and out (issue 15, item 4): `commonground import operations` and `commonground export`, on a real store.

The command runs in-process (typer's runner) against the same database file the test's services
open, so what it stored is read back through the repositories, not its own report.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from commonground.bootstrap import Services
from commonground.cli.main import app
from commonground.domain.operation_csv import COLUMNS
from commonground.service.ports import OperationFilter
from tests.conftest import World, operation_data

OPEN = {"disclose": dict.fromkeys(("federal", "state", "local", "tribal", "watch"), "full")}
SAFETY_ONLY = {"disclose": dict.fromkeys(("federal", "state", "local", "tribal", "watch"), "safety")}


def _run(url: str, *args: str) -> Result:
    return CliRunner().invoke(app, [*args, "--database-url", url])


def _row(i: int, start: datetime, **cells: str) -> dict[str, str]:
    """Row ``i`` of a file: places 2 km apart on a grid, so rows do not meet one another."""
    row = {
        "type": "search_warrant",
        "purpose": "criminal",
        "title": f"Warrant {i}",
        "case_number": f"CSV-{i:05d}",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "lat": f"{40.0 + (i // 100) * 0.02:.5f}",
        "lon": f"{-100.0 + (i % 100) * 0.025:.5f}",
        "radius_m": "50",
        "address": f"{i} Main St",
        "contact_name": "Sgt. Row",
        "contact_phone": "+1 612 555 0100",
        "contact_radio": "",
        "team_personnel": "4",
        "team_attire": "plain_clothes",
        "team_vehicles": "",
        "risk": "medium",
        "notes": "",
    }
    return row | cells


def _write(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns or list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _operations(services: Services, agency_id: str) -> list[Any]:
    with services.store.read() as tx:
        found: list[Any] = []
        after: str | None = None
        while True:
            page = tx.operations.page(OperationFilter(agency_id=agency_id), 1000, after)
            found.extend(page.items)
            if page.next is None:
                return found
            after = page.next


def test_ten_thousand_rows_with_three_bad_import_9997_and_name_the_lines(
    sqlite_url: str, sqlite_world: World, tmp_path: Path
) -> None:
    world, services = sqlite_world, sqlite_world.services
    county = world.agency("local", name="Hennepin County SO", policy=OPEN)
    officer = world.person(county, "officer")
    feds = world.agency("federal", name="FBI Minneapolis", policy=OPEN)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    # Another agency's operation where row 7 will be: that row must find it, as an API submission would.
    at_seven = _row(7, start)
    services.operations.submit(
        world.person(feds), operation_data(float(at_seven["lat"]), float(at_seven["lon"]), starts=start)
    )
    rows = [_row(i, start) for i in range(10_000)]
    rows[41] = _row(41, start, lat="91.5")  # off the globe
    rows[5_000] = _row(5_000, start, starts_at="2026-12-10T06:00:00")  # no offset
    rows[9_998] = _row(9_998, start, contact_phone="")  # a required cell left blank
    source = _write(tmp_path / "operations.csv", rows)

    who = ["--agency", county.ori, "--user", officer.user.username]
    result = _run(sqlite_url, "import", "operations", str(source), *who)

    assert result.exit_code == 1, result.output  # some rows refused: a script can tell
    assert "9997 accepted, 3 refused, 1 conflicts found" in result.stdout
    # The header is line 1, so row i is on line i + 2.
    assert "line 43: refused: location.lat" in result.stderr
    assert "line 5002: refused: starts_at" in result.stderr
    assert "line 10000: refused: contact_phone: is required" in result.stderr
    stored = _operations(services, county.id)
    assert len(stored) == 9_997
    numbers = {op.case_number for op in stored}
    assert {"CSV-00041", "CSV-05000", "CSV-09998"}.isdisjoint(numbers)  # nothing stored from a refused row
    assert {"CSV-00000", "CSV-00007", "CSV-09999"} <= numbers
    with services.store.read() as tx:
        created = [r for r in tx.audit.all() if r.entry.action == "ops:operation:create"]
    assert sum(1 for r in created if r.entry.actor_user_id == officer.user.id) == 9_997  # audited as the person


def test_a_file_or_a_person_that_cannot_be_used_is_refused_before_any_row(
    sqlite_url: str, sqlite_world: World, tmp_path: Path
) -> None:
    world = sqlite_world
    city = world.agency("local", name="St. Paul PD")
    officer = world.person(city, "officer")
    stranger = world.person(world.agency("local", name="Ramsey County SO"), "officer")
    start = datetime.now(UTC) + timedelta(days=1)
    good = _write(tmp_path / "good.csv", [_row(1, start)])
    odd = _write(tmp_path / "odd.csv", [{**_row(1, start), "colour": "red"}], [*COLUMNS, "colour"])
    short = _write(tmp_path / "short.csv", [], ["type", "purpose"])

    cases = [
        ((str(odd), "--agency", city.ori, "--user", officer.user.username), "header: unknown column 'colour'"),
        ((str(short), "--agency", city.ori, "--user", officer.user.username), "header: missing column 'starts_at'"),
        ((str(good), "--agency", "NOPE000", "--user", officer.user.username), "--agency"),
        ((str(good), "--agency", city.ori, "--user", stranger.user.username), "--user"),
    ]
    for args, named in cases:
        result = _run(sqlite_url, "import", "operations", *args)
        assert result.exit_code == 2 and named in result.stderr, (args, result.output)
    assert _operations(world.services, city.id) == []


def _exported(url: str, *args: str) -> list[dict[str, str]]:
    result = _run(url, "export", *args)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_exports_hold_what_the_person_could_read_and_are_audited(sqlite_url: str, sqlite_world: World) -> None:
    world, services = sqlite_world, sqlite_world.services
    city = world.agency("local", name="Minneapolis PD", policy=OPEN)
    feds = world.agency("federal", name="ICE ERO St. Paul", policy=SAFETY_ONLY)
    supervisor = world.person(city, "supervisor")
    auditor = world.person(city, "auditor")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    services.operations.submit(world.person(feds), operation_data(starts=start, notes="FED-SECRET-NOTE"))
    services.operations.submit(supervisor, operation_data(starts=start, notes='=HYPERLINK("http://x")'))
    period = ["--from", (start - timedelta(days=1)).isoformat(), "--to", (start + timedelta(days=1)).isoformat()]
    who = ["--agency", city.ori, "--user", supervisor.user.username]

    [own] = _exported(sqlite_url, "operations", *who, *period)
    assert own["notes"] == '\'=HYPERLINK("http://x")'  # a spreadsheet shows it, never runs it
    assert own["area.type"] == "Point" and own["window.starts_at"]
    since = ["--from", (datetime.now(UTC) - timedelta(hours=1)).isoformat(), "--to", period[3]]
    assert _exported(sqlite_url, "conflicts", *who, *period) == []  # a conflict's time is when it was found
    [conflict] = _exported(sqlite_url, "conflicts", *who, *since)
    assert conflict["counterpart.agency.name"] == "ICE ERO St. Paul"
    assert conflict["counterpart.level_disclosed"] == "safety"
    assert all("FED-SECRET-NOTE" not in value for value in conflict.values())  # the other side's policy holds
    outside = ["--from", (start + timedelta(days=5)).isoformat(), "--to", (start + timedelta(days=6)).isoformat()]
    assert _exported(sqlite_url, "operations", *who, *outside) == []

    refused = _run(sqlite_url, "export", "audit", *who, *period)
    assert refused.exit_code == 2 and "--user" in refused.stderr  # a supervisor is not an auditor
    audit = _exported(sqlite_url, "audit", "--agency", city.ori, "--user", auditor.user.username, *since)
    assert {"ops:operation:create", "data:export:csv"} <= {r["action"] for r in audit}
    with services.store.read() as tx:
        exports = [r.entry for r in tx.audit.all() if r.entry.action == "data:export:csv"]
    assert [(e.object_type, (e.details or {})["rows"]) for e in exports] == [
        ("operations", 1),
        ("conflicts", 0),
        ("conflicts", 1),
        ("operations", 0),
        ("audit", len(audit)),
    ]
    assert exports[0].actor_user_id == supervisor.user.id


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--from", "2026-12-01T00:00:00", "--to", "2026-12-02T00:00:00+00:00"], "--from"),
        (["--from", "2026-12-02T00:00:00+00:00", "--to", "2026-12-01T00:00:00+00:00"], "--to"),
    ],
)
def test_an_export_period_needs_offsets_and_an_order(
    sqlite_url: str, sqlite_world: World, args: list[str], named: str
) -> None:
    city = sqlite_world.agency("local", name="Duluth PD")
    who = ["--agency", city.ori, "--user", sqlite_world.person(city).user.username]
    result = _run(sqlite_url, "export", "operations", *who, *args)
    assert result.exit_code == 2 and named in result.stderr, result.output

"""Participation reports in the console: a period, each agency's figures as bars and a table, a line over time, a CSV.

The figures are the API's (``GET /api/v1/reports/participation``), read through the same use-case,
so a page read is audited like an API read. The charts are SVG drawn on the server (web/charts.py):
no script, no CDN."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from commonground.domain.errors import InvalidInput
from commonground.domain.operation_csv import cell
from commonground.domain.permissions import Permission
from commonground.edge.deps import ServicesDep
from commonground.service.principal import Principal
from commonground.web.charts import bars, line
from commonground.web.session import ConsoleRequires, render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(ConsoleRequires(Permission.REPORTS))]

# The columns of the table and of the CSV: the counts a reader compares between agencies.
COLUMNS = (
    ("operations", "Operations"),
    ("exigent", "Exigent"),
    ("phone_in", "Phoned in"),
    ("conflicts", "Conflicts"),
    ("acknowledgements", "Acknowledged"),
    ("ack_median_s", "Median s to ack"),
    ("lookups", "Look-ups"),
    ("suppressed_subject_matches", "Subject matches held back"),
    ("near_misses", "Near-misses"),
    ("incidents", "Incidents"),
)
BARS = (("operations", "Operations entered"), ("conflicts", "Conflicts"), ("lookups", "Look-ups"))
LINES = (("operations", "Operations entered"), ("conflicts", "Conflicts"))  # over the period
DEFAULT_DAYS = 30


def _period(since: str, until: str) -> tuple[str, str]:
    """The period asked for, or the last 30 days up to now."""
    if since and until:
        return since, until
    now = datetime.now(UTC).replace(microsecond=0)
    return (now - timedelta(days=DEFAULT_DAYS)).isoformat(), now.isoformat()


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request, services: ServicesDep, who: Reader, since: str = "", until: str = "") -> Response:
    start, end = _period(since, until)
    error, report = None, None
    try:
        report = services.participation.report(who, start, end)
    except InvalidInput as exc:
        error = str(exc)
    agencies = report["agencies"] if report else []
    charts = [{"title": title, "bars": bars(agencies, key)} for key, title in BARS] if agencies else []
    timeline = line(report["timeline"], "starts_on", LINES) if report and report["timeline"] else None
    return render(
        request,
        "reports.html",
        who,
        since=start,
        until=end,
        report=report,
        error=error,
        columns=COLUMNS,
        charts=charts,
        timeline=timeline,
    )


@router.get("/reports/participation.csv")
def reports_csv(services: ServicesDep, who: Reader, since: str = "", until: str = "") -> Response:
    """The same figures as CSV, one row per agency, formulas neutralised as in every export."""
    start, end = _period(since, until)
    report = services.participation.report(who, start, end)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["agency_id", "agency", *(key for key, _ in COLUMNS)])
    for agency in report["agencies"]:
        values = [agency["agency_id"], agency["agency"], *(agency[k] for k, _ in COLUMNS)]
        writer.writerow(["" if v is None else cell(str(v)) for v in values])
    filename = f"participation-{report['starts_at'][:10]}-{report['ends_at'][:10]}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

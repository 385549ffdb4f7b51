"""Alert when look-ups sweep a grid: one user, or one agency's people, asking about place after place.

The limits of ``service.lookups`` bound how many look-ups there are; this rule looks at where they
fall. When one more look-up takes a user's (or an agency's) recent look-ups past the rule's number
of distinct grid cells, the agencies whose operations lie in the swept area and the watch center
are told (``lookup.sweep_suspected``), and the alert is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from commonground.audit.tags import Action
from commonground.domain.conflicts import SearchReach
from commonground.domain.geometry import Area, LonLat, edge_distance_m
from commonground.domain.sweeps import cell_key, cell_of, cells, crosses, swept_area
from commonground.domain.timewindow import TimeWindow
from commonground.service.clock import new_id
from commonground.service.events import EventKind, emit
from commonground.service.ports import LookupPlace, LookupRecord, Transaction
from commonground.service.principal import Principal


@dataclass(frozen=True, slots=True)
class SweepRule:
    """How many distinct cells (per user, per agency; 0: never) within ``window`` make a sweep."""

    user_cells: int = 12
    agency_cells: int = 60
    window: timedelta = timedelta(minutes=15)
    cell_m: int = 500


def watch_for_sweep(
    tx: Transaction, who: Principal, rule: SweepRule, latest: LookupRecord, reach: timedelta, now: datetime
) -> None:
    """Raise the alert if ``latest`` (not yet stored) takes ``who``'s or its agency's look-ups past the rule.

    ``reach``: how far from now a look-up may ask (its ``at`` window); operations live within it
    are the ones the sweep could have found.
    """
    if rule.user_cells <= 0 and rule.agency_cells <= 0:
        return  # the rule is off: reading the window's look-ups would cost every look-up for nothing
    if latest.lat is None or latest.lon is None:
        return  # a question with no place (a plate verification) sweeps no grid
    place: LonLat = (latest.lon, latest.lat)
    since = now - rule.window
    cell = cell_key(cell_of(place, rule.cell_m))
    # Each scope's distinct cells are counted in its cell rows; the window's look-ups themselves
    # are read only when this one raises the alert, which happens once per sweep.
    ruled = [
        (name, key, limit)
        for name, key, limit in (
            ("user", f"u:{who.user.id}:{rule.cell_m}", rule.user_cells),
            ("agency", f"a:{who.agency.id}:{rule.cell_m}", rule.agency_cells),
        )
        if limit > 0
    ]
    keys = [key for _, key, _ in ruled]
    # One past the limit is as far as the count need go: only "exactly at the limit" can cross.
    before = tx.lookups.cells_since({key: limit + 1 for _, key, limit in ruled}, since, cell)
    tx.lookups.mark_cells(keys, cell, now)
    scope = next((name for name, key, limit in ruled if crosses(*before[key], limit)), None)
    if scope is None:
        return
    recent = tx.lookups.recent_places(who.agency.id, since)
    records = [r for r in recent if r.user_id == who.user.id] if scope == "user" else recent
    swept = [*records, LookupPlace(latest.user_id, latest.lon, latest.lat, latest.radius_m)]
    places = [(r.lon, r.lat) for r in swept]
    area = swept_area(places, max(r.radius_m for r in swept))
    found = _operations_in(tx, area, TimeWindow(now - reach, now + reach))
    sweep_id = new_id()
    summary = {
        "by_agency": who.agency.name,
        "by_ori": who.agency.ori,
        "by_user": who.user.id,
        "scope": scope,
        "lookups": len(swept),
        "cells": cells(places, rule.cell_m),
        "minutes": round(rule.window.total_seconds() / 60),
        "box": _box(places),
    }
    for agency_id, ids in sorted(found.items()):
        emit(tx, EventKind.LOOKUP_SWEEP, sweep_id, now, agency_id=agency_id, details={**summary, "operations": ids})
    emit(tx, EventKind.LOOKUP_SWEEP, sweep_id, now, for_watch=True, details={**summary, "agencies": sorted(found)})
    tx.audit.append(
        who.entry(
            Action.LOOKUP_SWEEP,
            object_type="lookup-sweep",
            object_id=sweep_id,
            scope=scope,
            lookups=len(swept),
            cells=summary["cells"],
            agencies=sorted(found),
            operations=sum(len(ids) for ids in found.values()),
        ),
        now,
    )


def _operations_in(tx: Transaction, area: Area, window: TimeWindow) -> dict[str, list[str]]:
    """Return the ids of the operations live in ``window`` that reach into ``area``, by agency."""
    found: dict[str, list[str]] = {}
    for op in tx.operations.candidates(area, window, SearchReach(0.0, timedelta(0)), None):
        if op.status.is_live and op.window.overlap(window) is not None and edge_distance_m(op.area, area) <= 0.0:
            found.setdefault(op.agency_id, []).append(op.id)
    return {agency_id: sorted(ids) for agency_id, ids in found.items()}


def _box(places: list[LonLat]) -> dict[str, float]:
    """The swept box, rounded to about a metre: where, not who was asked about."""
    lons, lats = [p[0] for p in places], [p[1] for p in places]
    return {
        "min_lon": round(min(lons), 5),
        "min_lat": round(min(lats), 5),
        "max_lon": round(max(lons), 5),
        "max_lat": round(max(lats), 5),
    }

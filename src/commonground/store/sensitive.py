"""Sensitive places and the band-of-latitude index that finds those near an operation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select

from commonground.domain.geometry import Box
from commonground.domain.sensitive import MAX_PLACE_SPAN_DEG, PlaceCategory, SensitivePlace
from commonground.domain.timewindow import TimeWindow
from commonground.store.records import area_from
from commonground.store.repository import Repository
from commonground.store.schema import sensitive_places

P = sensitive_places.c
CELL_DEG = 0.01  # about 1.1 km of latitude per band


def _row(place: SensitivePlace) -> dict[str, Any]:
    box = place.box()
    return {
        "id": place.id,
        "agency_id": place.agency_id,
        "category": place.category.value,
        "name": place.name,
        "area": place.area.to_geojson(),
        "window_start": place.window.starts_at if place.window else None,
        "window_end": place.window.ends_at if place.window else None,
        "min_lon": box.min_lon,
        "max_lon": box.max_lon,
        "min_lat": box.min_lat,
        "max_lat": box.max_lat,
        "lat_cell": lat_cell(box.min_lat),
    }


def lat_cell(lat: float) -> int:
    """Return the band of latitude (``CELL_DEG`` wide) the index files a place's southern edge under."""
    return math.floor(lat / CELL_DEG)


def _place(row: Mapping[Any, Any]) -> SensitivePlace:
    window = TimeWindow(row["window_start"], row["window_end"]) if row["window_start"] is not None else None
    return SensitivePlace(
        row["id"], row["agency_id"], PlaceCategory(row["category"]), row["name"], area_from(row["area"]), window
    )


# A place's southern edge lies at most one place-span below the box: the bands of latitude that can
# hold it, each searched as a range of min_lon in the (lat_cell, min_lon) index. Built once: building
# the expression per call costs more than the search.
NEAR = select(sensitive_places).where(
    P.lat_cell.in_(bindparam("cells", expanding=True)),
    P.min_lon.between(bindparam("lon_from"), bindparam("max_lon")),
    P.min_lat <= bindparam("max_lat"),
    P.max_lat >= bindparam("min_lat"),
    P.max_lon >= bindparam("min_lon"),
)


class SqlSensitivePlaces(Repository):
    def replace(self, agency_id: str, places: Sequence[SensitivePlace]) -> None:
        self.conn.execute(delete(sensitive_places).where(P.agency_id == agency_id))
        if places:
            self.conn.execute(insert(sensitive_places), [_row(p) for p in places])

    def of_agency(self, agency_id: str) -> list[SensitivePlace]:
        query = select(sensitive_places).where(P.agency_id == agency_id).order_by(P.id)
        return [_place(r) for r in self.conn.execute(query).mappings()]

    def near(self, boxes: Sequence[Box]) -> list[SensitivePlace]:
        found: dict[str, SensitivePlace] = {}
        for b in boxes:  # two only across the antimeridian
            cells = list(range(lat_cell(b.min_lat - MAX_PLACE_SPAN_DEG), lat_cell(b.max_lat) + 1))
            values = {
                "cells": cells,
                "lon_from": b.min_lon - MAX_PLACE_SPAN_DEG,
                "min_lon": b.min_lon,
                "max_lon": b.max_lon,
                "min_lat": b.min_lat,
                "max_lat": b.max_lat,
            }
            for row in self.conn.execute(NEAR, values).mappings():
                found.setdefault(row["id"], _place(row))
        return list(found.values())

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(sensitive_places)).scalar_one())

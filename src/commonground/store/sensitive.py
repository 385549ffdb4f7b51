"""Sensitive places and the band-of-latitude index that finds those near an operation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, or_, select

from commonground.domain.geometry import Box
from commonground.domain.sensitive import MAX_PLACE_SPAN_DEG, PlaceCategory, SensitivePlace
from commonground.domain.timewindow import TimeWindow
from commonground.store.records import area_from
from commonground.store.repository import Repository
from commonground.store.schema import sensitive_places

P = sensitive_places.c


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
    }


def _place(row: Mapping[Any, Any]) -> SensitivePlace:
    window = TimeWindow(row["window_start"], row["window_end"]) if row["window_start"] is not None else None
    return SensitivePlace(
        row["id"], row["agency_id"], PlaceCategory(row["category"]), row["name"], area_from(row["area"]), window
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
        # min_lat within a band one place-span below the box: the index answers it as a range.
        clauses = [
            (P.min_lat >= b.min_lat - MAX_PLACE_SPAN_DEG)
            & (P.min_lat <= b.max_lat)
            & (P.max_lat >= b.min_lat)
            & (P.min_lon <= b.max_lon)
            & (P.max_lon >= b.min_lon)
            for b in boxes
        ]
        query = select(sensitive_places).where(or_(*clauses))
        return [_place(r) for r in self.conn.execute(query).mappings()]

    def count(self) -> int:
        return int(self.conn.execute(select(func.count()).select_from(sensitive_places)).scalar_one())

"""Sensitive places: schools, hospitals, courthouses and the like that an operation nearby should know of.

An agency administrator loads them as a GeoJSON FeatureCollection of points or polygons. An
operation within the setting's distance (300 m) of one is flagged with each such place's name,
category and distance, in its response; a place with a ``window`` (an event) counts only while
the operation's window overlaps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from commonground.domain.drafts import text
from commonground.domain.errors import InvalidInput
from commonground.domain.geometry import Area, Box, bounding_boxes, edge_distance_m, geojson_area
from commonground.domain.policy import parse_enum
from commonground.domain.timewindow import TimeWindow, window_dict

MAX_PLACES = 100_000  # one agency's set, in one PUT
# The key the installation-wide set (the watch center's) is filed under in place of an agency's id:
# agency ids are UUIDs, so it names no agency. Operations are matched against it like any agency's.
INSTALLATION = "installation"
# A place's box spans at most this many degrees each way (about 5 km): the index then searches a
# narrow band of latitude (store/sensitive.py). A campus is a place; a district is not.
MAX_PLACE_SPAN_DEG = 0.05


class PlaceCategory(StrEnum):
    SCHOOL = "school"
    HOSPITAL = "hospital"
    COURTHOUSE = "courthouse"
    PLACE_OF_WORSHIP = "place_of_worship"
    SHELTER = "shelter"
    POLLING_PLACE = "polling_place"
    PUBLIC_EVENT = "public_event"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class SensitivePlace:
    id: str
    agency_id: str
    category: PlaceCategory
    name: str | None
    area: Area
    window: TimeWindow | None = None  # an event's: the place counts only then

    def box(self) -> Box:
        """Return the one lon/lat box the place's index row holds (a place does not cross the antimeridian)."""
        boxes = bounding_boxes(self.area)
        return Box(
            min(b.min_lon for b in boxes),
            max(b.max_lon for b in boxes),
            min(b.min_lat for b in boxes),
            max(b.max_lat for b in boxes),
        )

    def to_feature(self) -> dict[str, Any]:
        """Return the place as the GeoJSON Feature it was loaded as (what ``parse_places`` reads back)."""
        props: dict[str, Any] = {"category": self.category.value}
        if self.name is not None:
            props["name"] = self.name
        if self.window is not None:
            props["window"] = window_dict(self.window)
        return {"type": "Feature", "id": self.id, "geometry": self.area.to_geojson(), "properties": props}


@dataclass(frozen=True, slots=True)
class PlaceNearby:
    """A sensitive place an operation comes near: what its response and notices carry."""

    name: str | None
    category: PlaceCategory
    distance_m: float

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "category": self.category.value, "distance_m": self.distance_m}


def places_line(places: Iterable[Mapping[str, Any]]) -> str:
    """The words that lead a notice or alert near sensitive places: ``SENSITIVE PLACES NEARBY: …``.

    From the places' wire form, so an e-mail rendered from a payload and a CAD alert read alike."""
    named = "; ".join(
        f"{p.get('name') or 'unnamed'} ({p.get('category')}, {float(p.get('distance_m') or 0):.0f} m)" for p in places
    )
    return f"SENSITIVE PLACES NEARBY: {named}"


def parse_places(raw: object, agency_id: str, new_id: Any, max_vertices: int) -> list[SensitivePlace]:
    """Return the places a FeatureCollection describes; the first refused part is named (``features.3.…``)."""
    if not isinstance(raw, Mapping) or raw.get("type") != "FeatureCollection":
        raise InvalidInput("type", "must be a GeoJSON FeatureCollection")
    features = raw.get("features")
    if not isinstance(features, Sequence) or isinstance(features, str):
        raise InvalidInput("features", "must be a list of GeoJSON Features")
    if len(features) > MAX_PLACES:
        raise InvalidInput("features", f"at most {MAX_PLACES} places per agency")
    return [_place(f, f"features.{i}", agency_id, new_id(), max_vertices) for i, f in enumerate(features)]


def _place(feature: object, field: str, agency_id: str, place_id: str, max_vertices: int) -> SensitivePlace:
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise InvalidInput(field, "must be a GeoJSON Feature")
    geometry = feature.get("geometry")
    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Point", "Polygon"):
        raise InvalidInput(f"{field}.geometry", "must be a GeoJSON Point or Polygon")
    area = geojson_area(dict(geometry), 0, f"{field}.geometry", max_vertices=max_vertices)
    props = feature.get("properties")
    if not isinstance(props, Mapping):
        raise InvalidInput(f"{field}.properties", "must be an object with a category")
    category = parse_enum(PlaceCategory, props.get("category"), f"{field}.properties.category")
    name = text(props, "name", f"{field}.properties.name", required=False)
    window = None
    raw_window = props.get("window")
    if raw_window is not None:
        if not isinstance(raw_window, Mapping):
            raise InvalidInput(f"{field}.properties.window", "must be {starts_at, ends_at}")
        window = TimeWindow.parse(raw_window.get("starts_at"), raw_window.get("ends_at"), f"{field}.properties.window.")
    place = SensitivePlace(place_id, agency_id, category, name, area, window)
    box = place.box()
    if box.max_lat - box.min_lat > MAX_PLACE_SPAN_DEG or box.max_lon - box.min_lon > MAX_PLACE_SPAN_DEG:
        raise InvalidInput(f"{field}.geometry", "a sensitive place is at most about 5 km across")
    return place


def nearby(area: Area, window: TimeWindow, places: Iterable[SensitivePlace], within_m: float) -> list[PlaceNearby]:
    """Return the places within ``within_m`` of ``area`` (edges), nearest first; an event only while it is on."""
    found = []
    for place in places:
        if place.window is not None and place.window.overlap(window) is None:
            continue
        distance = edge_distance_m(area, place.area)
        if distance <= within_m:
            found.append(PlaceNearby(place.name, place.category, round(distance, 1)))
    return sorted(found, key=lambda p: (p.distance_m, p.name or ""))


def feature_collection(places: Iterable[SensitivePlace]) -> dict[str, Any]:
    """Return a set of places as one GeoJSON FeatureCollection, as it was loaded."""
    return {"type": "FeatureCollection", "features": [p.to_feature() for p in places]}

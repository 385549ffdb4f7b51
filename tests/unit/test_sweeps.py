"""The look-up sweep rule: distinct grid cells, crossed once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from commonground.domain.geometry import LonLat, edge_distance_m, point_area
from commonground.domain.sweeps import cell_key, cell_of, cells, crosses, swept_area

MINNEAPOLIS: LonLat = (-93.2650, 44.9778)
KM_LAT = 1 / 111.32  # about a kilometre of latitude, in degrees
KM_LON = KM_LAT / 0.707  # and of longitude at 45°


def grid(n: int, step_km: float = 1.0) -> list[LonLat]:
    """``n`` places on a grid ``step_km`` apart, row by row, as a sweep would ask."""
    side = max(1, round(n**0.5 + 0.5))
    return [
        (MINNEAPOLIS[0] + (i % side) * step_km * KM_LON, MINNEAPOLIS[1] + (i // side) * step_km * KM_LAT)
        for i in range(n)
    ]


def test_a_grid_a_kilometre_apart_falls_in_as_many_cells_and_one_block_in_one() -> None:
    assert cells(grid(20), 500) == 20
    block = [(MINNEAPOLIS[0] + i * 0.0001, MINNEAPOLIS[1] + 0.0001) for i in range(10)]  # ~80 m of one street
    assert cells(block, 5000) == 1


def test_the_limit_is_crossed_once_by_the_look_up_that_passes_it() -> None:
    places = grid(20)

    def passes(i: int, limit: int) -> bool:
        before = {cell_key(cell_of(p, 500)) for p in places[:i]}
        return crosses(len(before), cell_key(cell_of(places[i], 500)) in before, limit)

    assert [i for i in range(len(places)) if passes(i, 12)] == [12]  # the 13th distinct cell
    assert not crosses(12, True, 12)  # asking again about a seen cell is no sweep
    assert not any(passes(i, 0) for i in range(len(places)))  # 0: never


@given(st.lists(st.tuples(st.floats(-0.05, 0.05), st.floats(-0.05, 0.05)), min_size=1, max_size=30))
def test_the_swept_area_holds_every_place_asked_about(offsets: list[tuple[float, float]]) -> None:
    places = [(MINNEAPOLIS[0] + dx, MINNEAPOLIS[1] + dy) for dx, dy in offsets]
    area = swept_area(places, 300)
    assert all(edge_distance_m(point_area(lat, lon, 0), area) <= 0.0 for lon, lat in places)

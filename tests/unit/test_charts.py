"""The console's server-drawn charts (web/charts.py): numbers only, so they are checked without a browser."""

from __future__ import annotations

from commonground.web.charts import BOTTOM, LEFT, LINE_H, LINE_W, RIGHT, TOP, bars, line

SERIES = (("operations", "Operations entered"), ("conflicts", "Conflicts"))


def test_a_line_spans_the_plot_with_one_point_per_period_on_one_scale() -> None:
    points = [
        {"starts_on": "2026-11-30", "operations": 0, "conflicts": 0},
        {"starts_on": "2026-12-01", "operations": 2, "conflicts": 1},
        {"starts_on": "2026-12-02", "operations": 4, "conflicts": 4},
    ]
    chart = line(points, "starts_on", SERIES)
    ops, found = chart["series"]
    assert [len(s["dots"]) for s in chart["series"]] == [3, 3] and chart["max"] == 4
    assert [d["x"] for d in ops["dots"]] == [LEFT, (LEFT + LINE_W - RIGHT) / 2, LINE_W - RIGHT]
    floor = LINE_H - BOTTOM
    assert [d["y"] for d in ops["dots"]] == [floor, (floor + TOP) / 2, TOP]
    assert found["dots"][-1]["y"] == TOP  # the same scale for both series
    assert ops["path"].split()[0] == f"{float(LEFT)},{float(floor)}"
    assert (chart["first"], chart["last"]) == ("2026-11-30", "2026-12-02")


def test_hidden_and_empty_counts_are_drawn_on_the_floor_and_labelled_as_given() -> None:
    chart = line([{"day": "d1", "operations": "<10", "conflicts": 0}], "day", SERIES)
    (dot,) = chart["series"][0]["dots"]
    assert dot["value"] == "<10" and dot["y"] == LINE_H - BOTTOM and chart["max"] == 0
    assert dot["x"] == LEFT + (LINE_W - LEFT - RIGHT) / 2  # a single point sits mid-width
    assert line([], "day", SERIES)["series"][0]["dots"] == []


def test_bars_are_lengths_in_percent_of_the_largest() -> None:
    rows: list[dict[str, object]] = [{"agency": "A", "n": 3}, {"agency": "B", "n": 1}, {"agency": "C", "n": "<10"}]
    assert [b["width"] for b in bars(rows, "n")] == [100.0, 33.3, 0.0]
    assert bars([{"agency": "A", "n": 0}], "n")[0]["width"] == 0.0

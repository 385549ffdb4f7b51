"""Charts the console draws as inline SVG on the server: bars and lines, no script and no CDN.

Each function returns only numbers and labels; ``templates/charts.html`` holds the one drawing of
each kind, so every page that charts something shares it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# The line chart's drawing box (SVG user units): the plot sits inside the margins.
LINE_W, LINE_H = 400, 170
LEFT, RIGHT, TOP, BOTTOM = 34, 8, 10, 34
COLOURS = ("#1f6feb", "#d1242f", "#1a7f37")  # one per series: blue, red, green


def _count(value: object) -> int:
    """A count as drawn: a hidden one (``"<10"``) or a missing one is drawn as 0, its label kept."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def bars(rows: Sequence[Mapping[str, Any]], key: str, label: str = "agency") -> list[dict[str, Any]]:
    """Each row's value of ``key`` with its bar's length in percent of the largest (0 for none)."""
    values = [_count(r[key]) for r in rows]
    top = max(values, default=0)
    return [
        {"name": r[label], "value": r[key], "width": round(100 * v / top, 1) if top else 0.0}
        for r, v in zip(rows, values, strict=True)
    ]


def line(points: Sequence[Mapping[str, Any]], x: str, series: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Return a line chart of ``series`` (key, label) over ``points``, x labelled by each point's ``x``.

    Every series shares one y scale from 0 to the largest value; a single point sits mid-width."""
    top = max((_count(p[key]) for p in points for key, _ in series), default=0)
    plot_w, plot_h = LINE_W - LEFT - RIGHT, LINE_H - TOP - BOTTOM
    step = plot_w / (len(points) - 1) if len(points) > 1 else 0.0

    def at(i: int, value: object) -> tuple[float, float]:
        left = LEFT + (i * step if len(points) > 1 else plot_w / 2)
        return round(left, 1), round(TOP + plot_h - (plot_h * _count(value) / top if top else 0), 1)

    drawn = []
    for n, (key, name) in enumerate(series):
        dots = [
            {"x": cx, "y": cy, "value": p[key], "at": p[x]} for i, p in enumerate(points) for cx, cy in [at(i, p[key])]
        ]
        drawn.append(
            {
                "key": key,
                "label": name,
                "colour": COLOURS[n % len(COLOURS)],
                "path": " ".join(f"{d['x']},{d['y']}" for d in dots),
                "dots": dots,
            }
        )
    return {
        "width": LINE_W,
        "height": LINE_H,
        "left": LEFT,
        "right": LINE_W - RIGHT,
        "top": TOP,
        "bottom": TOP + plot_h,
        "max": top,
        "first": points[0][x] if points else "",
        "last": points[-1][x] if points else "",
        "series": drawn,
        "points": points,
        "x": x,
    }

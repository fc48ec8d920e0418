"""Key figures over time as plain SVG line charts (no JavaScript, nothing fetched).

:func:`chart` turns ``county_years`` rows into the geometry of one chart — a polyline per county
and axis ticks — which ``templates/charts.html`` draws; every label goes through Jinja's escaping.

Example::

    >>> c = chart([{"adcode": "1", "region": "甲县", "year": 2022, "granted": 3},
    ...            {"adcode": "1", "region": "甲县", "year": 2023, "granted": 5}], "granted")
    >>> c["lines"][0]["points"]
    '40.0,86.0 380.0,30.0'
"""

from __future__ import annotations

from typing import Any

from archive.figures import FIGURES, RATES

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 400, 200, 40, 20, 30, 30
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")

#: the charts shown, in order: (column of county_years, English title)
CHARTS: tuple[tuple[str, str], ...] = tuple(
    (f.name, f.en)
    for f in FIGURES
    if f.name in ("new_requests", "granted", "refused", "reviews", "suits", "corrected")
) + tuple((r.name, r.en) for r in RATES if r.name in ("granted_share", "refused_share"))


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    return start if high == low else start + (value - low) * (end - start) / (high - low)


def chart(rows: list[dict[str, Any]], column: str, title: str = "") -> dict[str, Any]:
    """The geometry of one chart of ``column`` over ``year``, one line per ``adcode``."""
    years = sorted({r["year"] for r in rows if r.get("year") is not None})
    values = [r[column] for r in rows if r.get(column) is not None]
    top = max(values, default=0) or 1
    x_of = {y: round(_scale(y, years[0], years[-1], LEFT, WIDTH - RIGHT), 1) for y in years}
    lines = []
    for i, adcode in enumerate(dict.fromkeys(r["adcode"] for r in rows)):
        points = [
            (x_of[r["year"]], round(_scale(r[column], 0, top, HEIGHT - BOTTOM, TOP), 1))
            for r in sorted(rows, key=lambda r: r["year"] or 0)
            if r["adcode"] == adcode and r.get(column) is not None and r.get("year") is not None
        ]
        region = next(r.get("region") for r in rows if r["adcode"] == adcode)
        lines.append(
            {
                "adcode": adcode,
                "region": region or adcode,
                "colour": COLOURS[i % len(COLOURS)],
                "points": " ".join(f"{x},{y}" for x, y in points),
                "dots": points,
            }
        )
    return {
        "column": column,
        "title": title,
        "width": WIDTH,
        "height": HEIGHT,
        "top": top,
        "axis": {"x0": LEFT, "x1": WIDTH - RIGHT, "y0": HEIGHT - BOTTOM, "y1": TOP},
        "years": [{"year": y, "x": x_of[y]} for y in years],
        "lines": lines,
    }


def charts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every chart of :data:`CHARTS` over ``rows`` of ``county_years``."""
    return [chart(rows, column, title) for column, title in CHARTS]

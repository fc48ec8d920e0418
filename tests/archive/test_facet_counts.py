"""Whole-table facets from ``facet_counts`` (archive/plugins/facet_counts.py), over HTTP."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from archive.db import open_archive
from archive.derived import (
    FACET_COUNTS_BY_TABLE,
    FACET_COUNTS_TABLE,
    build_facet_counts,
    rebuild,
    write_stamp,
)
from archive.metadata import default_facets
from tests.archive.published import Server, get_json

OLD = "2020-01-01T00:00:00+00:00"


def _live(db: Database, table: str, column: str) -> dict:
    sql = f"select [{column}], count(*) from [{table}] where [{column}] is not null group by 1"
    return dict(db.execute(sql).fetchall())


def _stored(db: Database, table: str, column: str) -> dict:
    sql = f'select value, count from [{FACET_COUNTS_TABLE}] where "table" = ? and "column" = ?'
    return dict(db.execute(sql, [table, column]).fetchall())


def test_rebuild_counts_every_default_facet(filled_archive):
    db = Database(filled_archive)
    facets = default_facets()
    assert facets["reports"] == ["year", "form_version", "format", "region"]
    for table, columns in facets.items():
        for column in columns if db[table].exists() else []:
            assert _stored(db, table, column) == _live(db, table, column), (table, column)
    assert _stored(db, "reports", "year") == {2022: 1, 2023: 3}
    assert build_facet_counts(db, {"reports": ["region"]}) == 2


def _facets(server: Server, query: str) -> dict:
    page = get_json(server.url(f"/archive/reports.json?_size=0{query}"))
    return {
        name: {r["value"]: r["count"] for r in facet["results"]}
        for name, facet in page["facet_results"].items()
    }


def _rebuilt(path: Path) -> Database:
    """The archive with its derived tables rebuilt, extracted long enough ago that the stamp
    written after tampering with the counts is trusted (archive serve does not rebuild)."""
    db = open_archive(path)
    db.execute("update reports set extracted_at = ?", [OLD])
    db.conn.commit()
    rebuild(db)
    return db


def test_unfiltered_page_reads_the_counts_filtered_page_counts_rows(filled_archive: Path):
    db = _rebuilt(filled_archive)
    # a count no group by would give: the unfiltered page must show it, a filtered page not
    db.execute(
        f"update [{FACET_COUNTS_TABLE}] set count = 99 where \"table\" = 'reports' and "
        "\"column\" = 'year' and value = 2023"
    )
    db.conn.commit()
    write_stamp(db)  # current: archive serve does not rebuild over the tampered count
    db.close()
    server = Server(filled_archive.parent)
    try:
        assert _facets(server, "")["year"] == {2023: 99, 2022: 1}
        assert _facets(server, "")["region"] == {"甲县": 3, "乙县": 1}
        assert _facets(server, "&region=" + quote("甲县"))["year"] == {2023: 2, 2022: 1}
        # a facet the metadata does not list is counted from the rows
        assert _facets(server, "&_facet=publisher")["publisher"]["甲县教育局"] == 2
    finally:
        server.stop()


def _stored_by(db: Database, table: str, by: str, by_value, column: str) -> dict:
    sql = (
        f'select value, count from [{FACET_COUNTS_BY_TABLE}] where "table" = ? and "by" = ? '
        'and by_value = ? and "column" = ?'
    )
    return dict(db.execute(sql, [table, by, by_value, column]).fetchall())


def test_rebuild_counts_each_facet_within_each_value_of_another(filled_archive):
    db = Database(filled_archive)
    for table, columns in default_facets().items():
        for by in columns if db[table].exists() else []:
            values = [r[0] for r in db.execute(f"select distinct [{by}] from [{table}]")]
            for value in values:
                for column in columns:
                    live = db.execute(
                        f"select [{column}], count(*) from [{table}] where [{by}] = ? and "
                        f"[{column}] is not null group by 1",
                        [value],
                    ).fetchall()
                    got = _stored_by(db, table, by, value, column)
                    assert got == dict(live), (table, by, value, column)
    assert _stored_by(db, "reports", "year", 2023, "region") == {"甲县": 2, "乙县": 1}


def test_a_page_filtered_on_one_facet_reads_the_counts_within_its_value(filled_archive: Path):
    db = _rebuilt(filled_archive)
    # counts no group by would give: the pages that read them must show them
    db.execute(
        f"update [{FACET_COUNTS_BY_TABLE}] set count = 77 where \"table\" = 'reports' and "
        "\"by\" = 'year' and by_value = 2023 and \"column\" = 'region' and value = '甲县'"
    )
    db.execute(
        f"update [{FACET_COUNTS_BY_TABLE}] set count = 55 where \"table\" = 'reports' and "
        "\"by\" = 'region' and by_value = '甲县' and \"column\" = 'year' and value = 2022"
    )
    db.conn.commit()
    write_stamp(db)
    db.close()
    server = Server(filled_archive.parent)
    try:
        # ?year=2023 arrives as text and is compared as the integer column compares it
        assert _facets(server, "&year=2023")["region"] == {"甲县": 77, "乙县": 1}
        assert _facets(server, "&year__exact=2023")["region"] == {"甲县": 77, "乙县": 1}
        assert _facets(server, "&region=" + quote("甲县"))["year"] == {2022: 55, 2023: 2}
        # a value with no report: no counts, as no rows
        assert _facets(server, "&year=1999")["region"] == {}
        # two filters, another kind of filter, a filter on a column that is not a facet:
        # counted from the rows
        both = "&year=2023&region=" + quote("甲县")
        assert _facets(server, both)["region"] == {"甲县": 2}
        assert _facets(server, "&year__gte=2023")["region"] == {"甲县": 2, "乙县": 1}
        assert _facets(server, "&publisher=" + quote("甲县教育局"))["year"] == {2023: 1, 2022: 1}
    finally:
        server.stop()

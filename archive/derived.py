"""Tables derived from the contract tables, rebuilt in one step after every extraction run.

``report_figures`` and ``county_years`` (:mod:`archive.figures`), ``counties``
(:mod:`archive.counties`), the bigram search indexes ``sections_fts`` and ``reports_fts``
(:mod:`archive.search`), the facet counts ``facet_counts`` and ``facet_counts_by``
(:func:`build_facet_counts`) and the cross-year rows of ``checks``
(:data:`extract.template.CROSS_YEAR_CHECKS`, see :func:`build_cross_year_checks`) are all computed
from ``reports`` and the long tables, so rebuilding them is idempotent: run it twice and the
tables are the same.

A rebuild ends by writing a fingerprint of the contract tables into :data:`STAMP_TABLE`, and
``ANALYZE`` statistics: :func:`rebuild_if_stale` (what ``python -m archive serve`` calls) skips the
rebuild, minutes at 100,000 reports, while the fingerprint still matches.

Example::

    rebuild(open_archive("data/archive.db"))
    rebuild_if_stale(open_archive("data/archive.db"))  # False: nothing changed since
"""

from __future__ import annotations

from sqlite_utils import Database

from archive.counties import build_counties
from archive.db import now
from archive.faults import maybe_crash
from archive.figures import build_figures
from archive.search import build_search_index
from extract.template import CROSS_YEAR_CHECKS, DIMENSIONS, CrossYearCheck

#: every derived table, in the order they are built
DERIVED_TABLES = (
    "report_figures",
    "county_years",
    "counties",
    "sections_fts",
    "reports_fts",
    "facet_counts",
    "facet_counts_by",
)
#: the counts of every table's default facets over the whole table: (table, column, value, count)
FACET_COUNTS_TABLE = "facet_counts"
#: the same within each value of one of the table's default facets:
#: (table, by, by_value, column, value, count)
FACET_COUNTS_BY_TABLE = "facet_counts_by"
#: one row: the fingerprint of the contract tables the derived tables were last built from
STAMP_TABLE = "derived_stamp"
#: bump when the derived tables' definitions change, so existing archives rebuild once
DERIVED_VERSION = 1


def fingerprint(db: Database) -> str:
    """What the derived tables depend on, cheaply: counts and extraction times.

    Every extraction (and every merge, which keeps the later extraction of a report) rewrites
    the report's row with a new ``extracted_at`` and its ``checks``: the sum of those times
    changes even when the counts do not. The cross-year checks are written by :func:`rebuild`
    itself, before the stamp is taken.

    >>> fingerprint(open_archive(":memory:"))  # doctest: +SKIP
    'v1 reports=0 extracted_at=None/0.0 checks=0 sections=0'
    """
    reports, latest, times = db.execute(
        "select count(*), max(extracted_at), total(julianday(extracted_at)) from reports"
    ).fetchone()
    checks = db.execute("select count(*) from checks").fetchone()[0]
    sections = db.execute("select count(*) from sections").fetchone()[0]
    return (
        f"v{DERIVED_VERSION} reports={reports} extracted_at={latest}/{times!r} checks={checks} "
        f"sections={sections}"
    )


def is_current(db: Database) -> bool:
    """True when every derived table exists and the stamp matches :func:`fingerprint`.

    A stamp taken in the same second as the latest extraction is not trusted: ``extracted_at``
    has whole seconds, so a re-extraction in that second could leave the fingerprint unchanged.
    """
    names = set(db.table_names())
    if STAMP_TABLE not in names or not names.issuperset(DERIVED_TABLES):
        return False
    row = db.execute(f"select fingerprint, built_at from [{STAMP_TABLE}] where id = 1").fetchone()
    if row is None or row[0] != fingerprint(db):
        return False
    latest = db.execute("select max(extracted_at) from reports").fetchone()[0]
    return latest is None or latest < row[1]


def rebuild_if_stale(db: Database) -> bool:
    """:func:`rebuild` unless :func:`is_current`; returns whether it rebuilt.

    :param db: the archive (from :func:`archive.db.open_archive`, schema ensured)
    """
    if is_current(db):
        return False
    rebuild(db)
    return True


def rebuild(db: Database) -> None:
    """Rebuild every derived table of the archive from its contract tables.

    :param db: the archive (from :func:`archive.db.open_archive`, schema ensured)
    """
    # a rebuild that dies half-way must not leave a stamp that matches
    if db[STAMP_TABLE].exists():
        with db.atomic():
            db.execute(f"delete from [{STAMP_TABLE}]")
    # first: report_figures counts every failed check, the cross-year ones included
    build_cross_year_checks(db)
    build_figures(db)
    maybe_crash("extract.derived")
    build_counties(db)
    build_search_index(db)
    build_facet_counts(db)
    # without statistics SQLite may pick a poor index (checks by passed: quadratic figures);
    # the limit samples each index, so this stays seconds at 100,000 reports
    db.execute("PRAGMA analysis_limit = 1000")
    db.execute("ANALYZE")
    write_stamp(db)


def build_facet_counts(db: Database, facets: dict[str, list[str]] | None = None) -> int:
    """Count the values of each table's default facets over the whole table, and within each
    value of each of them (``facet_counts_by``); rows written to ``facet_counts``.

    A table page without filters, or filtered on one default facet (``/reports?year=2023``),
    shows these counts (archive/plugins/facet_counts.py) instead of grouping up to a million
    reports by year, format and region on every request; any other page counts its own rows.
    Like every derived table they follow the archive at each rebuild.

    :param db: the archive
    :param facets: table -> facet columns; by default the ``facets`` of the published metadata

    >>> build_facet_counts(db, {"reports": ["year"]})  # doctest: +SKIP
    6
    """
    if facets is None:
        from archive.metadata import default_facets  # metadata imports this module

        facets = default_facets()
    with db.atomic():
        db.execute(f"drop table if exists [{FACET_COUNTS_TABLE}]")
        db.execute(
            f'create table [{FACET_COUNTS_TABLE}] ("table" text, "column" text, value, '
            'count integer, primary key ("table", "column", value))'
        )
        db.execute(f"drop table if exists [{FACET_COUNTS_BY_TABLE}]")
        db.execute(
            f'create table [{FACET_COUNTS_BY_TABLE}] ("table" text, "by" text, by_value, '
            '"column" text, value, count integer, '
            'primary key ("table", "by", by_value, "column", value))'
        )
        for table, columns in facets.items():
            if not db[table].exists():
                continue
            for column in columns:
                db.execute(
                    f"insert into [{FACET_COUNTS_TABLE}] select ?, ?, [{column}], count(*) "
                    f"from [{table}] where [{column}] is not null group by [{column}]",
                    [table, column],
                )
                for by in columns:
                    db.execute(
                        f"insert into [{FACET_COUNTS_BY_TABLE}] select ?, ?, [{by}], ?, "
                        f"[{column}], count(*) from [{table}] where [{by}] is not null and "
                        f"[{column}] is not null group by [{by}], [{column}]",
                        [table, by, column],
                    )
    return db.execute(f"select count(*) from [{FACET_COUNTS_TABLE}]").fetchone()[0]


def write_stamp(db: Database) -> None:
    """Record that the derived tables match the contract tables as they are now.

    :func:`rebuild` ends with it; a builder that makes the derived tables itself (the serve
    benchmark, step by step) calls it after its last step so that ``archive serve`` does not
    rebuild them again.

    >>> write_stamp(db); is_current(db)  # doctest: +SKIP
    True
    """
    with db.atomic():
        db[STAMP_TABLE].insert(
            {"id": 1, "fingerprint": fingerprint(db), "built_at": now()}, pk="id", replace=True
        )


def _values(db: Database, check: CrossYearCheck, code: str) -> dict[tuple, dict[str, dict]]:
    """``{(adcode, publisher, year): {scope: {"id", "value"}}}`` of one code, one report per
    publisher and year (the smallest id where a year was filed twice)."""
    table = check.table
    out: dict[tuple, dict[str, dict]] = {}
    sql = f"""
        select r.id, r.adcode, r.publisher, r.year, s.[{check.over}] as scope, s.value
        from [{table}] s join reports r on r.id = s.report_id
        where s.[{check.along}] = ? and s.value is not null and r.year is not null
          and coalesce(r.publisher, '') != ''
        order by r.id
    """
    chosen: dict[tuple, str] = {}
    for row in db.query(sql, [code]):
        key = (row["adcode"] or "", row["publisher"], row["year"])
        if chosen.setdefault(key, row["id"]) != row["id"]:
            continue
        out.setdefault(key, {})[row["scope"]] = {"id": row["id"], "value": row["value"]}
    return out


def _fmt(v: float) -> str:
    return f"{v:g}"


def build_cross_year_checks(db: Database) -> int:
    """Recompute every cross-year check; returns the number of ``checks`` rows written.

    For each :class:`~extract.template.CrossYearCheck`, a publisher's ``earlier`` value for year N
    (e.g. ``carried_out``) is compared with its ``later`` value for year N+1 (``carried_in``),
    scope by scope (applicant column). The result is stored on the year N+1 report, its detail
    naming the year N report. Old rows of these checks are deleted first, so a rerun is the same.
    """
    codes = [c.code for c in CROSS_YEAR_CHECKS]
    rows = []
    for check in CROSS_YEAR_CHECKS:
        before = _values(db, check, check.earlier)
        after = _values(db, check, check.later)
        scopes = [c.code for c in DIMENSIONS[check.over]]
        for (adcode, publisher, year), later in after.items():
            earlier = before.get((adcode, publisher, year - 1))
            if not earlier:
                continue
            for scope in sorted(later.keys() & earlier.keys(), key=scopes.index):
                a, b = earlier[scope], later[scope]
                passed = abs(a["value"] - b["value"]) < 1e-6
                rows.append(
                    {
                        "report_id": b["id"],
                        "check": check.code,
                        "scope": scope,
                        "passed": int(passed),
                        "detail": f"{year - 1} {check.earlier} {_fmt(a['value'])} "
                        f"{'==' if passed else '!='} {year} {check.later} {_fmt(b['value'])} "
                        f"(year {year - 1} report {a['id']})",
                    }
                )
    with db.atomic():
        db["checks"].delete_where(f"[check] in ({', '.join('?' * len(codes))})", codes)
        if rows:
            db["checks"].insert_all(rows, replace=True)
    return len(rows)

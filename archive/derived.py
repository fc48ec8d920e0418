"""Tables derived from the contract tables, rebuilt in one step after every extraction run.

``report_figures`` and ``county_years`` (:mod:`archive.figures`), ``counties``
(:mod:`archive.counties`), the bigram search indexes ``sections_fts`` and ``reports_fts``
(:mod:`archive.search`) and the cross-year rows of ``checks``
(:data:`extract.template.CROSS_YEAR_CHECKS`, see :func:`build_cross_year_checks`) are all computed
from ``reports`` and the long tables, so rebuilding them is idempotent: run it twice and the
tables are the same.

Example::

    rebuild(open_archive("data/archive.db"))
"""

from __future__ import annotations

from sqlite_utils import Database

from archive.counties import build_counties
from archive.faults import maybe_crash
from archive.figures import build_figures
from archive.search import build_search_index
from extract.template import CROSS_YEAR_CHECKS, DIMENSIONS, CrossYearCheck

#: every derived table, in the order they are built
DERIVED_TABLES = ("report_figures", "county_years", "counties", "sections_fts", "reports_fts")


def rebuild(db: Database) -> None:
    """Rebuild every derived table of the archive from its contract tables.

    :param db: the archive (from :func:`archive.db.open_archive`, schema ensured)
    """
    # first: report_figures counts every failed check, the cross-year ones included
    build_cross_year_checks(db)
    build_figures(db)
    maybe_crash("extract.derived")
    build_counties(db)
    build_search_index(db)


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

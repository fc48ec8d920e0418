"""The report page (``/archive/reports/<id>``): its three tables in the template's layout with
the page each number was printed on, its checks, sections, original file and WARC record.

Labels come from extract.template (through :mod:`archive.layout` and the ``codes_*`` tables).
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import urlsafe_components

from archive.db import STATS_TABLES
from archive.layout import report_grids

CHECKS_SQL = """
select c."check", k.zh, k.en, c.scope, c.passed, c.detail
from checks c left join codes_check k on k.code = c."check"
where c.report_id = :id order by c.passed, k.position, c.scope
"""
TOTALS_SQL = """
select s."row", k.zh, k.en, s.value, s.blank
from request_stats s join codes_row k on k.code = s."row"
where s.report_id = :id and s.applicant = 'total' order by k.position
"""
SECTIONS_SQL = """
select s.rowid, s.section, k.zh, k.en, s.heading, s.text
from sections s left join codes_section k on k.code = s.section
where s.report_id = :id order by k.position
"""
WARC_SQL = """
select url, fetched_at, content_type, warc_file, warc_offset from documents
where sha256 = :sha256 and warc_file is not null order by fetched_at limit 5
"""


def summarise_checks(rows: list[dict]) -> dict:
    """Counts of passed and failed checks, and the failed ones.

    >>> summarise_checks([{"passed": 1}, {"passed": 0, "check": "x"}])["failed"]
    1
    """
    failures = [r for r in rows if not r["passed"]]
    return {"total": len(rows), "failed": len(failures), "failures": failures}


async def _cells(db, report_id: str) -> dict:
    cells = {}
    for table, (a, b) in STATS_TABLES.items():
        columns = await db.table_columns(table)
        page = "page" if "page" in columns else "null as page"
        rows = await db.execute(
            f"select [{a}], [{b}], value, blank, printed, {page} from [{table}] "
            "where report_id = :id",
            {"id": report_id},
        )
        cells[table] = {(r[0], r[1]): dict(r) for r in rows}
    return cells


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or table != "reports" or request is None:
        return {}

    async def report_vars():
        db = datasette.get_database(database)
        (report_id,) = urlsafe_components(request.url_vars["pks"])
        checks = [dict(r) for r in await db.execute(CHECKS_SQL, {"id": report_id})]
        totals = [dict(r) for r in await db.execute(TOTALS_SQL, {"id": report_id})]
        sections = [dict(r) for r in await db.execute(SECTIONS_SQL, {"id": report_id})]
        report = await db.execute("select * from reports where id = :id", {"id": report_id})
        report = dict(report.first()) if report.first() else {}
        records = []
        if report.get("sha256") and await db.table_exists("documents"):
            columns = await db.table_columns("documents")
            if {"warc_file", "warc_offset"} <= set(columns):
                records = [
                    dict(r) for r in await db.execute(WARC_SQL, {"sha256": report["sha256"]})
                ]
        return {
            "report_checks": summarise_checks(checks),
            "report_totals": totals,
            "report_grids": report_grids(report.get("form_version"), await _cells(db, report_id)),
            "report_sections": sections,
            "report_warc": records,
            "report_pdf": (report.get("format") or "").startswith("pdf"),
        }

    return report_vars

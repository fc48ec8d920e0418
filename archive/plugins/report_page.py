"""The report page (``/archive/reports/<id>``): its consistency checks and table 三 totals.

The labels come from the ``codes_*`` tables, which ``archive.db`` fills from extract.template.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import urlsafe_components

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


def summarise_checks(rows: list[dict]) -> dict:
    """Counts of passed and failed checks, and the failed ones.

    >>> summarise_checks([{"passed": 1}, {"passed": 0, "check": "x"}])["failed"]
    1
    """
    failures = [r for r in rows if not r["passed"]]
    return {"total": len(rows), "failed": len(failures), "failures": failures}


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or table != "reports" or request is None:
        return {}

    async def report_vars():
        db = datasette.get_database(database)
        (report_id,) = urlsafe_components(request.url_vars["pks"])
        checks = [dict(r) for r in await db.execute(CHECKS_SQL, {"id": report_id})]
        totals = [dict(r) for r in await db.execute(TOTALS_SQL, {"id": report_id})]
        return {"report_checks": summarise_checks(checks), "report_totals": totals}

    return report_vars

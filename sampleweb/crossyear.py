"""What the cross-year checks (:data:`extract.template.CROSS_YEAR_CHECKS`) give on the sample web.

The generator draws every report's table 三 on its own, so a publisher's ``carried_out`` for
year N rarely equals its ``carried_in`` for N+1. Rather than chain the years (which would change
the basic profile), the full profile's truth records the outcome in ``truth["cross_year"]``: one
entry per comparison the archive makes (a report whose publisher has a report the year before,
per applicant column), with ``passed``, computed as the archive computes it (blank cells count as
0). Report entries and sidecars are left alone, so the basic counties' files stay identical.

Example::

    >>> a = {"adcode": "1", "publisher": "p", "year": 2020,
    ...      "request_stats": [["carried_out", "total", 3]]}
    >>> b = {"adcode": "1", "publisher": "p", "year": 2021, "title": "t",
    ...      "request_stats": [["carried_in", "total", 4]]}
    >>> [(e["year"], e["check"], e["scope"], e["passed"]) for e in cross_year_results([a, b])]
    [(2021, 'cross_year_carry', 'total', False)]
"""

from __future__ import annotations

from extract.template import CROSS_YEAR_CHECKS, DIMENSIONS


def _values(report: dict, table: str, along: str, over: str, code: str) -> dict[str, float]:
    dims = {"request_stats": ("row", "applicant")}[table]
    out = {}
    for a, b, v in report.get(table) or ():
        key = dict(zip(dims, (a, b), strict=True))
        if key[along] == code:
            out[key[over]] = v or 0
    return out


def cross_year_results(reports: list[dict]) -> list[dict]:
    """Every cross-year comparison the archive will make, passed or not, in report order.

    Each entry names the later report (``adcode``, ``publisher``, ``year``, ``title``), the check,
    the scope and ``passed``.
    """
    by_key = {(r["adcode"], r["publisher"], r["year"]): r for r in reports}
    out = []
    for r in reports:
        before = by_key.get((r["adcode"], r["publisher"], r["year"] - 1))
        if before is None:
            continue
        for check in CROSS_YEAR_CHECKS:
            args = (check.table, check.along, check.over)
            earlier = _values(before, *args, check.earlier)
            later = _values(r, *args, check.later)
            scopes = [c.code for c in DIMENSIONS[check.over]]
            for scope in sorted(earlier.keys() & later.keys(), key=scopes.index):
                out.append(
                    {
                        "adcode": r["adcode"],
                        "publisher": r["publisher"],
                        "year": r["year"],
                        "title": r["title"],
                        "check": check.code,
                        "scope": scope,
                        "passed": abs(earlier[scope] - later[scope]) < 1e-6,
                    }
                )
    return out


def failing_by_report(truths: dict[str, dict]) -> dict[str, list[tuple[str, str]]]:
    """``{report id: [(check, scope)]}`` of the failing cross-year checks, for truths keyed by id.

    >>> failing_by_report({"x": {"adcode": "1", "publisher": "p", "year": 2020, "title": "t"}})
    {}
    """
    ids = {(t["adcode"], t["publisher"], t["year"]): rid for rid, t in truths.items()}
    out: dict[str, list[tuple[str, str]]] = {}
    for e in cross_year_results(list(truths.values())):
        if not e["passed"]:
            rid = ids[(e["adcode"], e["publisher"], e["year"])]
            out.setdefault(rid, []).append((e["check"], e["scope"]))
    return out

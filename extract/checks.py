"""The consistency checks (勾稽关系) of :data:`extract.template.CHECKS`, computed generically.

Each :class:`~extract.template.Check` says: within one table, for every code of the ``over``
dimension (the scope), the values at the ``lhs`` codes of the ``along`` dimension add up to those at
the ``rhs`` codes. Blank cells count as 0. A check is skipped for a scope when a value it needs is
absent (a cell that could not be read). Codes the document's template version does not print are
not needed: the 2019 single row （六）其他处理 and the 2021 sub-rows stand in for each other.

Example::

    >>> stats = [["review", r, v] for r, v in
    ...          [("upheld", 1), ("corrected", 0), ("other", 0), ("pending", 0), ("total", 2)]]
    >>> run_checks({"appeal_stats": stats}, "2021")
    [['appeals_totals', 'review', False, '1+0+0+0=1 != total 2']]
"""

from __future__ import annotations

from extract.template import CHECKS, DIMENSIONS, REQUEST_ROWS, Check, request_rows

#: rows printed instead of one another in the two template versions
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "other_handling": tuple(r.code for r in REQUEST_ROWS if "其他处理" in "".join(r.parents)),
}


def _needed(codes: tuple[str, ...], present: set[str], form: str) -> tuple[str, ...] | None:
    """The codes a sum needs in this document, or None when a needed code is absent."""
    printed = {r.code for r in request_rows(form)} if form in ("2019", "2021") else set()
    out = []
    for code in codes:
        group = next((k for k, v in ALTERNATIVES.items() if code == k or code in v), None)
        if group is not None:
            alt = {group, *ALTERNATIVES[group]}
            if code not in present and alt & present:
                continue  # the document printed the other form of this row
        if code in present:
            out.append(code)
        elif not printed or code in printed or group is None:
            return None
    return tuple(out)


def _fmt(v: float) -> str:
    return f"{v:g}"


def check_scope(
    check: Check, values: dict[tuple[str, str], float], scope: str, form: str, present: set[str]
) -> list | None:
    """``[check, scope, passed, detail]`` for one scope, or None when it cannot be computed."""
    lhs = _needed(check.lhs, present, form)
    rhs = _needed(check.rhs, present, form)
    if not lhs or not rhs:
        return None
    try:
        left = [values[(code, scope)] for code in lhs]
        right = [values[(code, scope)] for code in rhs]
    except KeyError:
        return None
    a, b = sum(left), sum(right)
    passed = abs(a - b) < 1e-6
    if len(check.lhs) == 1:
        detail = (
            f"{'+'.join(map(_fmt, right))}={_fmt(b)} {'==' if passed else '!='} {lhs[0]} {_fmt(a)}"
        )
    else:
        detail = (
            f"{'+'.join(map(_fmt, left))}={_fmt(a)} {'==' if passed else '!='} "
            f"{'+'.join(map(_fmt, right))}={_fmt(b)}"
        )
    return [check.code, scope, passed, detail]


def run_checks(stats: dict[str, list[list]], form: str) -> list[list]:
    """Every check over every scope that can be computed.

    :param stats: ``{"request_stats": [[row, applicant, value]], "appeal_stats": [...]}``
    :param form: template version, which tells which rows the document prints
    """
    out = []
    for check in CHECKS:
        triples = stats.get(check.table) or []
        if not triples:
            continue
        dims = ("row", "applicant") if check.table == "request_stats" else ("proceeding", "result")
        values: dict[tuple[str, str], float] = {}
        for a, b, v in triples:
            key = dict(zip(dims, (a, b), strict=True))
            values[(key[check.along], key[check.over])] = 0 if v is None else v
        present = {k[0] for k in values}
        for scope in (c.code for c in DIMENSIONS[check.over]):
            if not any(k[1] == scope for k in values):
                continue
            result = check_scope(check, values, scope, form, present)
            if result:
                out.append(result)
    return out

"""Small real inputs for the archive tests: a parsed report as a dict, and an HTML report.

Both are built from extract.template, so they follow the template when it changes.
"""

from __future__ import annotations

import html

from extract.template import (
    APPEAL_PROCEEDINGS,
    APPEAL_RESULTS,
    APPLICANTS,
    CHECKS,
    PROACTIVE,
    SECTIONS,
    appeal_cells,
    proactive_cells,
    request_rows,
)

OUTCOMES = [c for c in CHECKS if c.code == "requests_outcomes"][0].rhs


def request_values(new: int) -> dict[tuple[str, str], int]:
    """A consistent table 三 (every check passes) with ``new`` new requests from natural persons.

    All new requests are granted, except one partly granted when ``new`` > 1.
    """
    per_row = {code: 0 for code in (r.code for r in request_rows("2021"))}
    partly = 1 if new > 1 else 0
    per_row.update(new_requests=new, granted=new - partly, partly_granted=partly, handled_total=new)
    values = {}
    for row, value in per_row.items():
        for applicant in APPLICANTS:
            if applicant.code in ("natural_person", "total"):
                values[(row, applicant.code)] = value
            else:
                values[(row, applicant.code)] = 0
    return values


def parsed_report(
    new: int = 7,
    fees: float = 12.5,
    year: int = 2023,
    publisher: str = "某县教育局",
    fail_balance: bool = False,
) -> dict:
    """A dict shaped like extract.parse_document's result for a 2021-template HTML report."""
    requests = request_values(new)
    checks = []
    for check in CHECKS:
        scopes = (
            [a.code for a in APPLICANTS]
            if check.over == "applicant"
            else [p.code for p in APPEAL_PROCEEDINGS]
            if check.over == "proceeding"
            else [r.code for r in request_rows("2021")]
        )
        for scope in scopes:
            passed = not (fail_balance and check.code == "requests_balance" and scope == "total")
            checks.append([check.code, scope, passed, "" if passed else "7 + 0 != 6 + 0"])
    proactive = []
    for item, measure in proactive_cells("2021"):
        value = fees if measure == "amount_10k_yuan" else (None if item == "rules" else 3)
        proactive.append([item, measure, value])
    return {
        "form_version": "2021",
        "publisher": publisher,
        "year": year,
        "title": f"{publisher}{year}年政府信息公开工作年度报告",
        "format": "html",
        "sections": {s.code: s.zh for s in SECTIONS},
        "section_texts": {s.code: f"{s.zh}的正文。" for s in SECTIONS},
        "proactive_stats": proactive,
        "request_stats": [[row, app, v] for (row, app), v in request_values(new).items()],
        "appeal_stats": [
            [p, r, 1 if (p, r) in {("review", "upheld"), ("review", "total")} else 0]
            for p, r in appeal_cells()
        ],
        "checks": checks,
        "cells": [
            {"table": "proactive_stats", "codes": [i, m], "printed": "", "page": 2}
            for i, m in proactive_cells("2021")
            if i == "rules"
        ],
        "warnings": [],
        "_requests": requests,
    }


def _td(text: object, rowspan: int = 1, colspan: int = 1) -> str:
    span = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )
    return f"<td{span}>{html.escape(str(text))}</td>"


def _table(rows: list[str]) -> str:
    return '<table border="1">' + "".join(f"<tr>{r}</tr>" for r in rows) + "</table>"


def proactive_table() -> str:
    """Table 二 of the 2021 template, one block per clause, every number 3 except 万元 12.5."""
    rows, clause = [], None
    for p in PROACTIVE["2021"]:
        width = len(p.measures)
        if p.clause != clause:
            clause = p.clause
            rows.append(_td(p.clause, colspan=4))
            rows.append(
                _td("信息内容") + "".join(_td(m.zh, colspan=3 // width) for m in p.measures)
            )
        rows.append(
            _td(p.item.zh)
            + "".join(
                _td("12.5" if m.code == "amount_10k_yuan" else "3", colspan=3 // width)
                for m in p.measures
            )
        )
    return _table(rows)


def request_table(new: int) -> str:
    """Table 三 of the 2021 template with merged cells, as the template prints it."""
    values = request_values(new)
    others = [a for a in APPLICANTS if a.parents]
    rows = [
        _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3)
        + _td("申请人情况", colspan=len(APPLICANTS)),
        _td(APPLICANTS[0].zh, rowspan=2)
        + _td(others[0].parents[0], colspan=len(others))
        + _td(APPLICANTS[-1].zh, rowspan=2),
        "".join(_td(a.zh) for a in others),
    ]
    printed = request_rows("2021")
    for i, r in enumerate(printed):
        cells = ""
        for depth, parent in enumerate(r.parents):
            prefix = r.parents[: depth + 1]
            if i == 0 or printed[i - 1].parents[: depth + 1] != prefix:
                span = 0
                while i + span < len(printed) and printed[i + span].parents[: depth + 1] == prefix:
                    span += 1
                cells += _td(parent, rowspan=span)
        cells += _td(r.zh, colspan=3 - len(r.parents))
        cells += "".join(_td(values[(r.code, a.code)]) for a in APPLICANTS)
        rows.append(cells)
    return _table(rows)


APPEAL_ONES = {("review", "upheld"), ("review", "total")}


def appeal_table() -> str:
    """Table 四: proceedings over results, the 15 numbers in one row."""
    review, *suits = APPEAL_PROCEEDINGS
    n = len(APPEAL_RESULTS)
    rows = [
        _td(review.zh, colspan=n) + _td(suits[0].parents[0], colspan=n * len(suits)),
        "".join(_td(r.zh, rowspan=2) for r in APPEAL_RESULTS)
        + "".join(_td(s.zh, colspan=n) for s in suits),
        "".join(_td(r.zh) for _ in suits for r in APPEAL_RESULTS),
        "".join(
            _td(1 if (p.code, r.code) in APPEAL_ONES else 0)
            for p in APPEAL_PROCEEDINGS
            for r in APPEAL_RESULTS
        ),
    ]
    return _table(rows)


def html_report(publisher: str = "某县教育局", year: int = 2023, new: int = 7) -> str:
    """An HTML 2021-template report as a county CMS would print it, with tables 二, 三 and 四."""
    tables = {
        "proactive": proactive_table(),
        "requests": request_table(new),
        "appeals": appeal_table(),
    }
    title = f"{publisher}{year}年政府信息公开工作年度报告"
    body = f"<p>本报告由{publisher}编制。</p>" + "".join(
        f"<p><strong>{s.zh}</strong></p><p>{s.zh}的正文。</p>{tables.get(s.code, '')}"
        for s in SECTIONS
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="ArticleTitle" content="{title}"></head>'
        f'<body><h1>{title}</h1><div id="zoom">{body}</div></body></html>'
    )

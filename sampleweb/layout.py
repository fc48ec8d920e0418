"""The three statistical tables as grids of merged cells, shared by the HTML and PDF renderers.

Rows and columns come from ``extract.template``; only the printed form of a label varies
(bracket widths, a stray space, an alias the template lists), as it does in real reports.

Example::

    >>> from sampleweb.reportdata import Style
    >>> grid = appeal_grid({}, Style("html", "word"))
    >>> [c.text for c in grid[0]]
    ['行政复议', '行政诉讼']
"""

from __future__ import annotations

from dataclasses import dataclass

from extract.template import (
    APPEAL_PROCEEDINGS,
    APPEAL_RESULTS,
    APPLICANTS,
    CHECKS,
    PROACTIVE,
    Code,
    request_rows,
)

from .reportdata import Style, Value

_APPLICANT_HEAD = "申请人情况"
_CONTENT_HEAD = "信息内容"
# labels that get a stray space when a report has them (position after the second character)
_SPACED = frozenset({"new_requests", "natural_person", "licensing", "denied_process", "upheld"})
# CJK characters and the Kangxi radical / CJK radical supplement glyphs that look the same;
# PDFs exported with some fonts carry these code points in their text layer
LOOKALIKES = str.maketrans(
    "一二人入力大小工文方日月用生自行言见长门",
    "\u2f00\u2f06\u2f08\u2f0a\u2f12\u2f24\u2f29\u2f2f\u2f42\u2f45\u2f47\u2f49\u2f64"
    "\u2f63\u2f83\u2f8f\u2f94\u2ec5\u2ed3\u2ed4",
)


@dataclass(frozen=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    kind: str = "label"  # label | value | head


def printed(code: Code, style: Style) -> str:
    """The label of ``code`` as this report prints it.

    >>> from extract.template import REQUEST_ROWS
    >>> printed(REQUEST_ROWS[3], Style("html", "word", halfwidth_brackets=True, short_partly=True))
    '(二)部分公开'
    """
    text = code.zh
    if code.code == "normative_docs" and style.alias_normative:
        text = code.aliases[0]
    elif code.code == "partly_granted" and style.short_partly:
        text = code.aliases[0]
    elif code.code == "denied_prohibited" and style.misprint:
        text = code.aliases[0]
    return bracketed(spaced(text, code.code, style), style)


def bracketed(text: str, style: Style) -> str:
    if style.halfwidth_brackets:
        text = text.replace("（", "(").replace("）", ")")
    return text.translate(LOOKALIKES) if style.lookalikes else text


def spaced(text: str, code: str, style: Style) -> str:
    if style.stray_space and code in _SPACED:
        return f"{text[:2]} {text[2:]}"
    return text


def number(value: Value) -> str:
    """Printed form of a value: blank for ``None``, two decimals kept for amounts."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def value_cell(value: Value, colspan: int = 1) -> Cell:
    return Cell(number(value), colspan=colspan, kind="value")


def annotated(item: str, measure: str, value: Value, style: Style) -> str:
    """Table 二 cell text; with ``style.annotated`` a note or a unit rides along, as in the wild.

    >>> annotated("normative_docs", "made", 22, Style("html", "word", annotated=True))
    '22（其中修订14件）'
    >>> annotated("fees", "amount_10k_yuan", 25.1, Style("html", "word", annotated=True))
    '251000元'
    """
    if not style.annotated or value is None:
        return number(value)
    if measure == "amount_10k_yuan":
        return f"{round(value * 10000)}元"
    if (item, measure) == ("normative_docs", "made") and value:
        return f"{value}（其中修订{value * 2 // 3}件）"
    return number(value)


def proactive_grid(values: dict[tuple[str, str], Value], fv: str, style: Style) -> list[list[Cell]]:
    """Table 二: a block per 第二十条 clause, a header row of measures, a row per item."""
    grid: list[list[Cell]] = []
    last_clause = None
    last_measures: tuple[str, ...] = ()
    for p in PROACTIVE[fv]:
        measures = tuple(m.code for m in p.measures)
        if p.clause != last_clause or measures != last_measures:
            if p.clause != last_clause:
                grid.append([Cell(bracketed(p.clause, style), colspan=4, kind="head")])
            widths = _spread(len(p.measures))
            grid.append(
                [Cell(_CONTENT_HEAD, kind="head")]
                + [
                    Cell(bracketed(m.zh, style), colspan=w, kind="head")
                    for m, w in zip(p.measures, widths, strict=True)
                ]
            )
        last_clause, last_measures = p.clause, measures
        widths = _spread(len(p.measures))
        grid.append(
            [Cell(printed(p.item, style))]
            + [
                Cell(
                    annotated(p.item.code, m.code, values.get((p.item.code, m.code)), style),
                    colspan=w,
                    kind="value",
                )
                for m, w in zip(p.measures, widths, strict=True)
            ]
        )
    return grid


def _spread(n: int) -> list[int]:
    """Column spans of ``n`` measures over the three value columns: the last one stretches."""
    return [1] * (n - 1) + [3 - (n - 1)]


def request_grid(values: dict[tuple[str, str], Value], fv: str, style: Style) -> list[list[Cell]]:
    """Table 三: three header rows, then one row per template row with merged parent labels."""
    orgs = [a for a in APPLICANTS if a.parents]
    org_parent = orgs[0].parents[0]
    head_note = f"（本列数据的勾稽关系为：{CHECKS[0].zh}）"
    grid = [
        [
            Cell(bracketed(head_note, style), rowspan=3, colspan=3, kind="head"),
            Cell(_APPLICANT_HEAD, colspan=len(APPLICANTS), kind="head"),
        ],
        [
            Cell(printed(APPLICANTS[0], style), rowspan=2, kind="head"),
            Cell(org_parent, colspan=len(orgs), kind="head"),
            Cell(printed(APPLICANTS[-1], style), rowspan=2, kind="head"),
        ],
        [Cell(printed(a, style), kind="head") for a in orgs],
    ]
    # a 2021 report that kept the 2019 form prints the single （六）其他处理 row
    rows = request_rows("2019" if style.single_other else fv)
    opened: set[str] = set()
    for row in rows:
        cells: list[Cell] = []
        for depth, parent in enumerate(row.parents):
            if parent in opened:
                continue
            opened.add(parent)
            span = sum(1 for r in rows if len(r.parents) > depth and r.parents[depth] == parent)
            cells.append(Cell(bracketed(parent, style), rowspan=span))
        cells.append(Cell(printed(row, style), colspan=3 - len(row.parents)))
        cells += [value_cell(values.get((row.code, a.code))) for a in APPLICANTS]
        grid.append(cells)
    return grid


def appeal_grid(values: dict[tuple[str, str], Value], style: Style) -> list[list[Cell]]:
    """Table 四: proceedings over results in three header rows, then one row of 15 numbers."""
    n = len(APPEAL_RESULTS)
    top: list[Cell] = []
    second: list[Cell] = []
    third: list[Cell] = []
    seen: set[str] = set()
    for p in APPEAL_PROCEEDINGS:
        if not p.parents:
            top.append(Cell(printed(p, style), colspan=n, kind="head"))
            second += [Cell(printed(r, style), rowspan=2, kind="head") for r in APPEAL_RESULTS]
            continue
        parent = p.parents[0]
        if parent not in seen:
            seen.add(parent)
            width = sum(n for q in APPEAL_PROCEEDINGS if parent in q.parents)
            top.append(Cell(parent, colspan=width, kind="head"))
        second.append(Cell(printed(p, style), colspan=n, kind="head"))
        third += [Cell(printed(r, style), kind="head") for r in APPEAL_RESULTS]
    body = [
        value_cell(values.get((p.code, r.code))) for p in APPEAL_PROCEEDINGS for r in APPEAL_RESULTS
    ]
    return [top, second, third, body]


def width(grid: list[list[Cell]]) -> int:
    """Number of columns of a grid (the span of its first row)."""
    return sum(c.colspan for c in grid[0])

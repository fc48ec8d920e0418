"""Report bodies as CMS editors publish them: Word-exported, plain or WPS-flavoured HTML.

Example::

    >>> from sampleweb.counties import COUNTIES
    >>> from sampleweb.reportdata import build_report
    >>> html = report_body(build_report(COUNTIES[0], COUNTIES[0].organs[0], 2023))
    >>> "本年新收政府信息公开申请数量" in html
    True
"""

from __future__ import annotations

from html import escape

from .layout import Cell, appeal_grid, proactive_grid, request_grid
from .narrative import paragraphs, preamble
from .reportdata import Report

# one row per dialect: table open tag, cell wrapper (text -> inner html), blank cell, heading
_TABLE_OPEN = {
    "word": '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
    'style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt">',
    "plain": '<table border="1" cellpadding="2" cellspacing="0" width="100%">',
    "wps": '<table style="width:100%;border-collapse:collapse;" border="1" data-sort="sortDisabled">',
}
_TD_ATTRS = {
    "word": ' valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt"',
    "plain": "",
    "wps": ' style="border:1px solid #000;word-break:break-all;" align="center"',
}
_BLANK = {
    "word": '<p class="MsoNormal" align="center" style="text-align:center">'
    '<span lang="EN-US" style="font-size:10.5pt">&nbsp;</span></p>',
    "plain": "&nbsp;",
    "wps": '<p style="text-align:center;"><br/></p>',
}


def _inner(text: str, markup: str) -> str:
    t = escape(text, quote=False)
    if markup == "word":
        # Word splits long runs into several spans, sometimes mid-label
        if len(text) > 8:
            half = len(text) // 2
            t = (
                f'{escape(text[:half], quote=False)}</span><span style="font-size:10.5pt;'
                f'font-family:宋体">{escape(text[half:], quote=False)}'
            )
        return (
            f'<p class="MsoNormal" align="center" style="text-align:center"><span '
            f'style="font-size:10.5pt;font-family:宋体">{t}</span></p>'
        )
    if markup == "wps":
        return f'<p style="text-align:center;"><span style="font-size:14px;">&nbsp;{t}&nbsp;</span></p>'
    return t


def _td(cell: Cell, markup: str) -> str:
    spans = ""
    if cell.rowspan > 1:
        spans += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        spans += f' colspan="{cell.colspan}"'
    inner = _inner(cell.text, markup) if cell.text else _BLANK[markup]
    return f"<td{spans}{_TD_ATTRS[markup]}>{inner}</td>"


def table_html(grid: list[list[Cell]], markup: str) -> str:
    """One statistical table in the report's dialect."""
    rows = "\n".join("<tr>" + "".join(_td(c, markup) for c in row) + "</tr>" for row in grid)
    return f"{_TABLE_OPEN[markup]}\n<tbody>\n{rows}\n</tbody></table>"


def _heading(text: str, markup: str) -> str:
    if markup == "word":
        return (
            f'<p class="MsoNormal" style="text-indent:32.0pt"><b><span '
            f'style="font-size:16.0pt;font-family:黑体">{escape(text)}</span></b></p>'
        )
    if markup == "wps":
        return f'<p style="text-indent:2em;"><strong>{escape(text)}</strong></p>'
    return f"<p><strong>{escape(text)}</strong></p>"


def _para(text: str, markup: str) -> str:
    if markup == "word":
        return (
            f'<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt">'
            f'<span style="font-size:16.0pt;font-family:仿宋_GB2312">{escape(text)}</span></p>'
        )
    if markup == "wps":
        return f'<p style="text-indent:2em;">{escape(text)}</p>'
    return f"<p>{escape(text)}</p>"


def section_tables(report: Report) -> dict[str, list]:
    """Grids per section code: 二 holds table 二, 三 table 三, 四 table 四."""
    s, fv = report.style, report.form_version
    return {
        "proactive": [proactive_grid(report.proactive, fv, s)],
        "requests": [request_grid(report.requests, fv, s)],
        "appeals": [appeal_grid(report.appeals, s)],
    }


def report_body(report: Report) -> str:
    """The report as the HTML fragment an editor pastes into the article body."""
    markup = report.style.markup
    # free-form reports print no tables: their figures are in the prose
    tables = section_tables(report) if report.form_version != "free" else {}
    parts = [_para(preamble(report), markup)]
    for code, texts in paragraphs(report).items():
        parts.append(_heading(report.sections[code], markup))
        parts += [_para(t, markup) for t in texts]
        parts += [table_html(g, markup) for g in tables.get(code, [])]
    return "\n".join(parts)

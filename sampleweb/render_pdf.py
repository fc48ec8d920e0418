"""Reports as text PDFs (embedded WenQuanYi Zen Hei, ruled tables with merged cells).

The layout imitates a Word export: title, preamble, six headed sections, and the three tables
drawn with a full grid and SPAN merges, so pdfplumber finds them by their ruling lines.

Example::

    >>> from sampleweb.counties import COUNTIES
    >>> from sampleweb.reportdata import build_report
    >>> report_pdf(build_report(COUNTIES[0], COUNTIES[0].organs[0], 2023))[:5]
    b'%PDF-'
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .layout import Cell, width
from .narrative import paragraphs, preamble
from .render_html import section_tables
from .reportdata import Report

FONT = "WQY"
# where Debian's fonts-wqy-zenhei installs the face; searched in order
_FONT_DIRS = ("/usr/share/fonts/truetype/wqy", "/usr/share/fonts/truetype", "/usr/share/fonts")
_MARGIN = 50
_TEXT_WIDTH = A4[0] - 2 * _MARGIN
_CELL_FONT = 7.5
# column widths (points) of each table: label columns, then value columns
_COLS = {4: [135] + [120] * 3, 10: [45, 55, 130] + [37.8] * 7, 15: [_TEXT_WIDTH / 15] * 15}


class FontMissing(RuntimeError):
    pass


def find_font() -> Path:
    """Path of wqy-zenhei.ttc; raises :class:`FontMissing` naming the Debian package."""
    for d in _FONT_DIRS:
        for hit in sorted(Path(d).rglob("wqy-zenhei.ttc")) if Path(d).is_dir() else []:
            return hit
    raise FontMissing(
        "wqy-zenhei.ttc not found: install the Debian package fonts-wqy-zenhei "
        "(apt-get install fonts-wqy-zenhei) to render the sample PDFs"
    )


@functools.cache
def register_font() -> str:
    pdfmetrics.registerFont(TTFont(FONT, str(find_font()), subfontIndex=0))
    return FONT


def _wrap(text: str, points: float, size: float) -> str:
    """Break ``text`` into lines that fit ``points`` (CJK glyphs are about one em wide)."""
    per_line = max(1, int((points - 4) // size))
    if len(text) <= per_line:
        return text
    return "\n".join(text[i : i + per_line] for i in range(0, len(text), per_line))


def pdf_table(grid: list[list[Cell]]) -> Table:
    """A reportlab Table for a grid, with SPAN commands where cells merge."""
    ncols = width(grid)
    col_w = _COLS[ncols]
    data = [[""] * ncols for _ in grid]
    taken: set[tuple[int, int]] = set()
    spans = []
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            w = sum(col_w[c : c + cell.colspan])
            data[r][c] = _wrap(cell.text, w, _CELL_FONT)
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            if cell.rowspan > 1 or cell.colspan > 1:
                spans.append(("SPAN", (c, r), (c + cell.colspan - 1, r + cell.rowspan - 1)))
            c += cell.colspan
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, _CELL_FONT, _CELL_FONT + 2),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            *spans,
        ]
    )
    return Table(data, colWidths=col_w, style=style, repeatRows=0)


def report_pdf(report: Report) -> bytes:
    """The report as PDF bytes; identical input gives identical bytes (``invariant=1``)."""
    font = register_font()
    title = ParagraphStyle("t", fontName=font, fontSize=16, leading=24, alignment=1, wordWrap="CJK")
    head = ParagraphStyle(
        "h", fontName=font, fontSize=12, leading=20, spaceBefore=6, wordWrap="CJK"
    )
    body = ParagraphStyle(
        "b", fontName=font, fontSize=10.5, leading=17, firstLineIndent=21, wordWrap="CJK"
    )
    story: list = [Paragraph(report.title, title), Spacer(1, 8), Paragraph(preamble(report), body)]
    tables = section_tables(report)
    for code, texts in paragraphs(report).items():
        story.append(Paragraph(report.sections[code], head))
        story += [Paragraph(t, body) for t in texts]
        for grid in tables.get(code, []):
            story += [Spacer(1, 4), pdf_table(grid), Spacer(1, 6)]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN,
        title=report.title,
        author=report.publisher,
        creator="Microsoft Word",
        invariant=1,
    )
    doc.build(story)
    return buf.getvalue()

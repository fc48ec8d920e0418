"""Reports as Word documents (python-docx), tables merged with gridSpan and vMerge.

python-docx stamps zip members with the current time, so the package is rewritten with a fixed
timestamp: the same report gives the same bytes on every run.

Example::

    >>> from sampleweb.counties import COUNTIES
    >>> from sampleweb.reportdata import build_report
    >>> report_docx(build_report(COUNTIES[0], COUNTIES[0].organs[0], 2023))[:2]
    b'PK'
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
from docx.shared import Pt

from .layout import Cell, width
from .narrative import paragraphs, preamble
from .render_html import section_tables
from .reportdata import Report

_STAMP = (2024, 1, 1, 0, 0, 0)


def _table(document, grid: list[list[Cell]]) -> None:
    """Place the grid's cells, merging every span into one cell (gridSpan / vMerge)."""
    ncols = width(grid)
    table = document.add_table(rows=len(grid), cols=ncols)
    table.style = "Table Grid"
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            target = table.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            target.text = cell.text
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan


def _stable_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, _STAMP)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


def report_docx(report: Report) -> bytes:
    """The report as DOCX bytes: title, preamble, six headed sections and the three tables."""
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(10.5)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = report.title, report.publisher, ""
    props.created = props.modified = dt.datetime(2024, 1, 1)
    props.revision = 1
    document.add_heading(report.title, level=1)
    document.add_paragraph(preamble(report))
    tables = section_tables(report)
    for code, texts in paragraphs(report).items():
        document.add_heading(report.sections[code], level=2)
        for t in texts:
            document.add_paragraph(t)
        for grid in tables.get(code, []):
            _table(document, grid)
    buf = io.BytesIO()
    document.save(buf)
    return _stable_zip(buf.getvalue())

"""Plain text → grids and blocks: tab-separated OCR tables, or flattened crawler text.

Two kinds of text come in. OCR output keeps table cells apart with tabs: each tab line becomes a
grid row. Crawler text of HTML pages runs the cells of a row together ("规章000行政规范性文件693665"):
there the template's labels cut the text into rows, and a row's digits are kept only when they split
unambiguously into the expected number of cells (one digit per cell, or a single cell). Anything
else is left out with a warning: never guess.

Example::

    >>> doc = read_text("信息内容\\t本年制发件数\\t本年废止件数\\n规章\\t0\\t1\\t\\t\\n规范性文件\\t2\\t3\\n".encode())
    >>> [c.text for c in doc.grids[0].distinct(1)]
    ['规章', '0', '1']
"""

from __future__ import annotations

import re

from extract.labels import subheading
from extract.normalize import clean, norm_label
from extract.readers import Block, Cell, Document, Grid, reader
from extract.template import PROACTIVE, REQUEST_ROWS, SECTIONS, Code

_HEADER = re.compile(r"^(标题|发布时间|文号|发布机构|栏目|原文链接|本地目录)\s*[:：]\s*(.*)$")
_RUN = re.compile(r"^[\d\s.,]*(?:万元|元)?")


def decode_text(data: bytes) -> str:
    """Bytes → str: UTF-8 (with or without BOM), else GB18030."""
    for name in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _tab_grids(lines: list[str]) -> list[Grid]:
    grids: list[Grid] = []
    current: list[list[Cell]] = []
    for line in lines + [""]:
        if line.count("\t") >= 1 and line.strip():
            parts = [clean(p) for p in line.rstrip("\n").split("\t")]
            while parts and not parts[-1]:
                parts.pop()  # trailing tabs are OCR layout, not blank cells
            r = len(current)
            current.append([Cell(t, (r, c)) for c, t in enumerate(parts)])
        elif current:
            width = max(len(row) for row in current)
            rows = [
                row + [Cell("", (i, j)) for j in range(len(row), width)]
                for i, row in enumerate(current)
            ]
            grids.append(_TabGrid(rows))
            current = []
    return grids


class _TabGrid(Grid):
    """A grid from tab lines: padding added to short rows is not a printed cell."""

    def distinct(self, r: int) -> list[Cell]:
        cells = super().distinct(r)
        while cells and not cells[-1].text and cells[-1].origin[1] >= _printed_width(self, r):
            cells.pop()
        return cells


def _printed_width(grid: Grid, r: int) -> int:
    row = grid.rows[r]
    width = len(row)
    while width and not row[width - 1].text:
        width -= 1
    return width


# --- flattened text ---------------------------------------------------------------------------


def _labels() -> list[tuple[str, Code, int, str]]:
    """(normalised label, code, cells expected, kind) for every row label of tables 二 and 三."""
    out: list[tuple[str, Code, int, str]] = []
    for version, items in PROACTIVE.items():
        for p in items:
            for label in p.item.labels:
                out.append((norm_label(label), p.item, len(p.measures), "item:" + version))
    for row in REQUEST_ROWS:
        for label in row.labels:
            out.append((norm_label(label), row, 7, "row"))
    return out


def _find_section(text: str, code: str, start: int = 0) -> int:
    for sec in SECTIONS:
        if sec.code == code:
            hits = [text.find(norm_label(lab), start) for lab in sec.labels]
            hits = [h for h in hits if h >= 0]
            return min(hits) if hits else -1
    return -1


def _measures(form: str, item: str) -> tuple[Code, ...]:
    return next(p.measures for p in PROACTIVE[form] if p.item.code == item)


def split_run(run: str, cells: int) -> list[str] | None:
    """Split a run of digits printed without separators into ``cells`` cells, or ``None``.

    >>> split_run("0000000", 7)
    ['0', '0', '0', '0', '0', '0', '0']
    >>> split_run("2293", 1)
    ['2293']
    >>> split_run("693665", 3) is None
    True
    """
    run = run.strip()
    if not run:
        return None
    if cells == 1:
        return [run] if " " not in run else None
    digits = run.replace(" ", "")
    if digits.isdigit() and len(digits) == cells:
        return list(digits)
    return None


def flat_rows(text: str, form: str) -> tuple[list[list[str]], list[str]]:
    """Rows ``[label, value, ...]`` cut out of flattened text, and warnings for rows left out.

    :param text: the whole text, already passed through :func:`norm_label` (no spaces)
    :param form: the template version the measure headers show (``2019`` or ``2021``)
    """
    warnings: list[str] = []
    bounds: list[int] = []
    for code in ("proactive", "requests", "appeals", "problems"):
        start = max([b for b in bounds if b >= 0], default=0)
        bounds.append(_find_section(text, code, start))
    found: list[tuple[int, int, Code, int, str]] = []
    for label, code, cells, kind in sorted(_labels(), key=lambda x: -len(x[0])):
        if kind.startswith("item:") and kind != "item:" + form:
            continue
        lo, hi = (bounds[0], bounds[1]) if kind.startswith("item") else (bounds[1], bounds[2])
        if lo < 0 or hi <= lo:
            continue
        pos = text.find(label, lo, hi)
        while pos >= 0 and any(s <= pos < e or s < pos + len(label) <= e for s, e, *_ in found):
            pos = text.find(label, pos + 1, hi)
        if pos >= 0 and not any(c.code == code.code and k == kind for _, _, c, _, k in found):
            found.append((pos, pos + len(label), code, cells, kind))
    found.sort()
    rows: list[list[str]] = []
    for i, (_, end, code, cells, kind) in enumerate(found):
        limit = found[i + 1][0] if i + 1 < len(found) else (bounds[2] if bounds[2] > 0 else end)
        run = _RUN.match(text[end:limit]).group(0)
        if not run.strip():
            continue
        values = split_run(run, cells)
        if values is None:
            warnings.append(f"flattened row {code.zh}: {run!r} does not split into {cells} cells")
            continue
        if kind.startswith("item:"):
            # the measure header the flattened text printed before the item, as a row of its own
            rows.append(["信息内容", *(m.zh for m in _measures(form, code.code))])
        # the sub-heading goes with the label so that "1." rows keep their context
        rows.append([subheading(code) + code.zh, *values])
    if bounds[2] >= 0:
        hi = bounds[3] if bounds[3] > bounds[2] else len(text)
        last = text.rfind("总计", bounds[2], hi)
        if last >= 0:
            run = _RUN.match(text[last + 2 : hi]).group(0)
            values = split_run(run, 15)
            if values is None and run.strip():
                warnings.append(f"flattened table 四: {run!r} does not split into 15 cells")
            elif values:
                rows.append(["", *values])
    return rows, warnings


@reader("text")
def read_text(data: bytes) -> Document:
    """Parse plain text: tab-separated tables when present, else flattened tables."""
    text = decode_text(data)
    lines = text.splitlines()
    doc = Document("text")
    for line in lines:
        m = _HEADER.match(line.strip())
        if m and m.group(1) == "标题" and not doc.title:
            doc.title = clean(m.group(2))
        elif m and m.group(1) == "发布机构" and not doc.publisher:
            doc.publisher = clean(m.group(2))
        elif clean(line) and not m:
            doc.blocks.append(Block(clean(line.replace("\t", " "))))
    if sum(line.count("\t") >= 2 for line in lines) >= 3:
        doc.grids = _tab_grids(lines)
        return doc
    doc.flat = True
    squashed = norm_label(text)
    form = "2021" if "本年制发件数" in squashed else "2019"
    rows, doc.warnings = flat_rows(squashed, form)
    doc.grids = [
        Grid([[Cell(t, (i, j)) for j, t in enumerate(r)] for i, r in enumerate([row])])
        for row in rows
    ]
    return doc

"""Text PDFs → grids and text blocks.

pypdfium2 gives each page's text (for blocks and to choose the pages that hold tables) and its
vector rulings, from which :mod:`extract.readers.vector` rebuilds the ruled tables; a table page
where that finds nothing is read with pdfplumber's ``find_tables()`` (default ``lines`` strategy),
which reports merged cells as ``None`` at covered positions. Either way the cell bboxes are used to
rebuild the spans, so every position knows its origin. Tables continued on the next page are stitched.
A PDF without any text whose pages hold images is a scan, read by OCR
(:mod:`extract.readers.ocr`, imported only then).
"""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2

from extract.errors import UnreadableDocument, UnsupportedDocument
from extract.normalize import clean
from extract.readers import Block, Cell, Document, Grid, reader, vector
from extract.readers.scanned import read_scanned_pdf

#: words that mark a page as holding one of the statistical tables
TABLE_MARKERS = ("第二十条", "信息内容", "申请人", "行政复议", "本年", "结果维持", "自然人")
_SNAP = 2.0  # points: cell edges closer than this are the same ruling line


def _newlines(text: str) -> str:
    """pdfium's ``\r\n`` (and lone ``\r``) line ends as ``\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def page_texts(data: bytes) -> list[str]:
    """Text of every page via pypdfium2."""
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as err:
        raise UnreadableDocument(f"unreadable PDF: {err}") from err
    try:
        texts = []
        for page in pdf:
            textpage = page.get_textpage()
            texts.append(_newlines(textpage.get_text_range()))
            textpage.close()
            page.close()
        return texts
    finally:
        pdf.close()


def has_images(data: bytes) -> bool:
    """Whether any page holds an image object (a scan), looked up without rendering."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        for page in pdf:
            found = any(True for _ in page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,)))
            page.close()
            if found:
                return True
        return False
    finally:
        pdf.close()


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > _SNAP:
            out.append(v)
    return out


def _nearest(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def table_grid(table: pdfplumber.table.Table, page_no: int) -> Grid:
    """A pdfplumber table → :class:`Grid`, spans rebuilt from the cell bboxes."""
    texts = table.extract()
    printed = []
    for ri, row in enumerate(table.rows):
        for ci, bbox in enumerate(row.cells):
            if bbox is not None:
                text = texts[ri][ci] if ri < len(texts) and ci < len(texts[ri]) else ""
                printed.append((bbox, text or ""))
    return grid_from_cells(printed, page_no)


def grid_from_cells(
    printed: list[tuple[tuple[float, float, float, float], str]], page_no: int
) -> Grid:
    """Printed cells ``(bbox, text)`` (bbox ``x0, top, x1, bottom``) → :class:`Grid`.

    >>> g = grid_from_cells([((0, 0, 20, 10), "a"), ((0, 10, 10, 20), "b"),
    ...                      ((10, 10, 20, 20), "c")], 1)
    >>> [[c.text for c in row] for row in g.rows], g.rows[0][1].origin
    ([['a', 'a'], ['b', 'c']], (0, 0))
    """
    printed = [(bbox, clean(text)) for bbox, text in printed]
    xs = _edges([b[0] for b, _ in printed] + [b[2] for b, _ in printed])
    ys = _edges([b[1] for b, _ in printed] + [b[3] for b, _ in printed])
    height, width = max(len(ys) - 1, 1), max(len(xs) - 1, 1)
    rows: list[list[Cell | None]] = [[None] * width for _ in range(height)]
    for bbox, text in printed:
        c0, c1 = _nearest(xs, bbox[0]), _nearest(xs, bbox[2])
        r0, r1 = _nearest(ys, bbox[1]), _nearest(ys, bbox[3])
        for i in range(r0, max(r1, r0 + 1)):
            for j in range(c0, max(c1, c0 + 1)):
                if i < height and j < width and rows[i][j] is None:
                    rows[i][j] = Cell(text, (r0, c0), page_no, tuple(round(v, 1) for v in bbox))
    return Grid(
        [[c or Cell("", (i, j), page_no) for j, c in enumerate(row)] for i, row in enumerate(rows)],
        page_no,
    )


def stitch(grids: list[Grid]) -> list[Grid]:
    """Join a table continued on the next page (same column count) onto its first part."""
    out: list[Grid] = []
    for g in grids:
        prev = out[-1] if out else None
        if (
            prev is not None
            and g.page == (prev.rows[-1][0].page or 0) + 1
            and len(g.rows[0]) == len(prev.rows[0])
            and len(g.rows[0]) > 1
        ):
            offset = len(prev.rows)
            for row in g.rows:
                prev.rows.append(
                    [Cell(c.text, (c.origin[0] + offset, c.origin[1]), c.page, c.bbox) for c in row]
                )
        else:
            out.append(g)
    return out


def _pdfium_pass(data: bytes) -> tuple[list[str], dict[int, list[Grid]]]:
    """One pass over the pages with pdfium: each page's text and its ruled tables (vector paths).

    Pages are loaded and closed one at a time, so a long PDF holds one page in memory.
    """
    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as err:
        raise UnreadableDocument(f"unreadable PDF: {err}") from err
    texts: list[str] = []
    grids: dict[int, list[Grid]] = {}
    try:
        for no in range(1, len(pdf) + 1):
            page = pdf[no - 1]
            textpage = page.get_textpage()
            texts.append(_newlines(textpage.get_text_range()))
            grids[no] = [grid_from_cells(c, no) for c in vector.page_tables(page, textpage)]
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return texts, grids


def _pdfplumber_tables(data: bytes, pages: list[int]) -> dict[int, list[Grid]]:
    """pdfplumber's ``find_tables`` on the given pages (for rulings pdfium's paths miss)."""
    out: dict[int, list[Grid]] = {}
    try:
        with pdfplumber.open(io.BytesIO(data), pages=pages) as pdf:
            for no, page in zip(pages, pdf.pages, strict=True):
                out[no] = [table_grid(t, no) for t in page.find_tables() if t.rows]
    except Exception as err:  # pdfminer raises many unrelated types on damaged files
        raise UnreadableDocument(f"unreadable PDF tables: {type(err).__name__}: {err}") from err
    return out


def table_spans(grids: list[Grid]) -> dict[int, list[tuple[float, float, float, float]]]:
    """Per page, the areas its table rows cover (``x0, top, x1, bottom``, points from the top),
    rows that touch or overlap merged into one area.

    Only rows of two or more cells count: a row that is one cell across the table is a caption
    (``第二十条第（一）项``), a heading or, where ruled lines run under the prose, a line of
    the prose itself, and stays in the text.

    >>> g = grid_from_cells([((50, 80, 300, 100), "二、主动公开政府信息情况"),
    ...     ((50, 100, 150, 120), "信息内容"), ((150, 100, 300, 120), "本年制发件数"),
    ...     ((50, 120, 150, 140), "规章"), ((150, 120, 300, 140), "0")], 2)
    >>> table_spans([g])
    {2: [(50.0, 100.0, 300.0, 140.0)]}
    """
    boxes: dict[int, list[tuple[float, float, float, float]]] = {}
    for grid in grids:
        for row in grid.rows:
            cells = {c.origin: c for c in row if c.bbox is not None and c.page is not None}
            if len(cells) < 2:
                continue
            page = next(iter(cells.values())).page
            assert page is not None
            x0s, tops, x1s, bottoms = zip(*(c.bbox for c in cells.values()), strict=True)
            box = (min(x0s), min(tops), max(x1s), max(bottoms))
            boxes.setdefault(page, []).append(tuple(float(v) for v in box))
    spans: dict[int, list[tuple[float, float, float, float]]] = {}
    for page, rows in boxes.items():
        merged: list[list[float]] = []
        for x0, top, x1, bottom in sorted(rows, key=lambda b: b[1]):
            if merged and top <= merged[-1][3] + _SNAP:
                last = merged[-1]
                last[:] = [min(last[0], x0), last[1], max(last[2], x1), max(last[3], bottom)]
            else:
                merged.append([x0, top, x1, bottom])
        spans[page] = [(a, b, c, d) for a, b, c, d in merged]
    return spans


def _bounded(
    textpage: pypdfium2.PdfTextPage,
    height: float,
    left: float,
    top: float,
    right: float,
    bottom: float,
) -> str:
    """The text in a box given in points from the top (pdfium counts from the bottom)."""
    if right - left <= 0 or bottom - top <= 0:
        return ""
    return textpage.get_text_bounded(
        left=left, bottom=height - bottom, right=right, top=height - top
    )


def text_outside(
    data: bytes, spans: dict[int, list[tuple[float, float, float, float]]]
) -> dict[int, str]:
    """The text of each page of ``spans`` without the text inside its table rows: the bands
    above, between and below them, and whatever is printed beside them, top to bottom.

    Section text read from the whole page held the tables' cells, row by row, in the middle
    of the prose; the cells are read from the tables.
    """
    out: dict[int, str] = {}
    pdf = pypdfium2.PdfDocument(data)
    try:
        for no, areas in spans.items():
            page = pdf[no - 1]
            textpage = page.get_textpage()
            width, height = page.get_width(), page.get_height()
            parts, y = [], 0.0
            for x0, top, x1, bottom in areas:
                parts.append(_bounded(textpage, height, 0, y, width, top))
                parts.append(_bounded(textpage, height, 0, top, x0, bottom))
                parts.append(_bounded(textpage, height, x1, top, width, bottom))
                y = bottom
            parts.append(_bounded(textpage, height, 0, y, width, height))
            text = "\n".join(p for p in parts if p.strip())
            out[no] = _newlines(text)
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return out


@reader("pdf")
def read_pdf(data: bytes) -> Document:
    """Parse a text PDF, or OCR a scanned one (format ``pdf_scanned``).

    Tables come from the page's vector rulings through pdfium; a page that holds the
    template's words but no table found that way is read again with pdfplumber.
    """
    texts, vector_grids = _pdfium_pass(data)
    if not texts or all(len("".join(t.split())) < 5 for t in texts):
        if texts and has_images(data):
            return read_scanned_pdf(data)
        raise UnsupportedDocument("no text and no page image: not a scanned PDF either")
    doc = Document("pdf")
    # pages without the template's words hold no statistics; when no page has them (a report
    # in another layout) every page is read
    marked = [i for i, t in enumerate(texts, 1) if any(m in t for m in TABLE_MARKERS)]
    pages = marked or list(range(1, len(texts) + 1))
    missing = [no for no in pages if not vector_grids[no]]
    if missing:
        vector_grids.update(_pdfplumber_tables(data, missing))
    grids = [g for no in pages for g in vector_grids[no] if g.rows and g.rows[0]]
    # the blocks (section text) are the prose: a page's tables are read as grids, not twice
    prose = dict(enumerate(texts, start=1)) | text_outside(data, table_spans(grids))
    for no, text in prose.items():
        doc.blocks.extend(Block(clean(line), no) for line in text.split("\n") if clean(line))
    doc.grids = stitch(grids)
    return doc

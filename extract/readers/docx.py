"""DOCX (Word 2007+) → grids and text blocks, read from the package XML with lxml.

python-docx's ``row.cells`` repeats a merged cell's text at every position it covers and cannot
tell a merged cell from two cells that print the same text; the XML says it exactly:
``w:gridSpan`` widens a cell over grid columns and ``w:vMerge`` (without ``restart``) continues
the cell above it. Those are expanded into the same :class:`Grid` the HTML and PDF readers build.

Example::

    >>> import docx, io
    >>> d = docx.Document()
    >>> t = d.add_table(rows=2, cols=2)
    >>> _ = t.cell(0, 0).merge(t.cell(1, 0)); t.cell(0, 0).text = "a"
    >>> t.cell(0, 1).text, t.cell(1, 1).text = "1", "2"
    >>> buf = io.BytesIO(); d.save(buf)
    >>> [[c.text for c in row] for row in read_docx(buf.getvalue()).grids[0].rows]
    [['a', '1'], ['a', '2']]
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from extract.errors import UnreadableDocument
from extract.normalize import clean
from extract.readers import Block, Document, Grid, grid_from_spans, reader

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "dc": "http://purl.org/dc/elements/1.1/"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
#: the most a part of the package may inflate to: a long report's document.xml is a few MB, a
#: zip bomb is gigabytes (zipfile never inflates past a member's declared size)
MAX_PART = 64 * 1024 * 1024


def _part(z: zipfile.ZipFile, name: str) -> bytes:
    """One part of the package, refused before inflating when it declares more than MAX_PART."""
    size = z.getinfo(name).file_size
    if size > MAX_PART:
        raise UnreadableDocument(
            f"unreadable DOCX: {name} inflates to {size // 2**20} MB (limit {MAX_PART // 2**20} MB)"
        )
    return z.read(name)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def paragraph_text(p: etree._Element) -> str:
    """A ``w:p``'s text: runs joined, tabs as spaces, breaks as newlines."""
    parts = []
    for el in p.iter(_w("t"), _w("tab"), _w("br"), _w("cr")):
        if el.tag == _w("t"):
            parts.append(el.text or "")
        else:
            parts.append("\n" if el.tag in (_w("br"), _w("cr")) else " ")
    return "".join(parts)


def _int(el: etree._Element | None, default: int = 0) -> int:
    if el is None:
        return default
    try:
        return max(0, int(el.get(_w("val"), default)))
    except ValueError:
        return default


def table_grid(tbl: etree._Element) -> Grid:
    """One ``w:tbl`` → :class:`Grid`, ``gridSpan``/``vMerge``/``gridBefore`` expanded.

    A ``vMerge`` continuation extends the printed cell that covers the same grid column in the
    row above, so its (empty) text never shows up as a cell of its own.
    """
    spans: list[list] = []  # [row, col, rowspan, colspan, text]
    covering: dict[tuple[int, int], list] = {}  # grid position → the span printed there
    for r, tr in enumerate(tbl.iterchildren(_w("tr"))):
        c = _int(tr.find("w:trPr/w:gridBefore", NS))
        for tc in tr.iterchildren(_w("tc")):
            cs = max(1, _int(tc.find("w:tcPr/w:gridSpan", NS), 1))
            merge = tc.find("w:tcPr/w:vMerge", NS)
            above = covering.get((r - 1, c))
            if merge is not None and merge.get(_w("val"), "continue") != "restart" and above:
                above[2] = r - above[0] + 1
                span = above
            else:
                text = "\n".join(paragraph_text(p) for p in tc.iterchildren(_w("p")))
                span = [r, c, 1, cs, clean(text)]
                spans.append(span)
            for j in range(c, c + cs):
                covering[(r, j)] = span
            c += cs
    return grid_from_spans([tuple(s) for s in spans])


def _core_title(z: zipfile.ZipFile) -> str:
    try:
        core = etree.fromstring(_part(z, "docProps/core.xml"), _PARSER)
    except (KeyError, etree.XMLSyntaxError, UnreadableDocument):
        return ""
    found = core.find("dc:title", NS)
    return clean(found.text or "") if found is not None else ""


@reader("docx")
def read_docx(data: bytes) -> Document:
    """Parse DOCX bytes: innermost tables as grids, paragraphs outside tables as blocks."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            root = etree.fromstring(_part(z, "word/document.xml"), _PARSER)
            title = _core_title(z)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as err:
        raise UnreadableDocument(f"unreadable DOCX: {err}") from err
    body = root.find("w:body", NS)
    if body is None:
        raise UnreadableDocument("unreadable DOCX: no document body")
    doc = Document("docx", title=title)
    for el in body.iter(_w("p"), _w("tbl")):
        if el.tag == _w("tbl"):
            # a layout table holding tables is not data; its inner tables are read on their own
            if el.find(".//w:tbl", NS) is None:
                grid = table_grid(el)
                if grid.rows and grid.rows[0]:
                    doc.grids.append(grid)
            continue
        inside = [t for t in el.iterancestors(_w("tbl"))]
        if inside and inside[0].find(".//w:tbl", NS) is None:
            continue  # a data table's cell text, already in its grid
        for line in paragraph_text(el).split("\n"):
            text = clean(line)
            if text:
                doc.blocks.append(Block(text))
    return doc

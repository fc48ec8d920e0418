"""HTML (as CMS editors and Word export write it) → grids and text blocks.

Example::

    >>> doc = read_html(b"<table><tr><td rowspan=2>a</td><td>1</td></tr><tr><td>2</td></tr></table>")
    >>> [[c.text for c in row] for row in doc.grids[0].rows]
    [['a', '1'], ['a', '2']]
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from extract.errors import UnreadableDocument
from extract.normalize import clean
from extract.readers import Block, Document, Grid, grid_from_spans, reader

_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "section", "article", "pre"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """Bytes → text: BOM, then a declared charset, then UTF-8, then GB18030 (superset of GBK).

    >>> decode_html("<p>规章</p>".encode("gbk"))
    '<p>规章</p>'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    declared = _META_CHARSET.search(data[:4096])
    candidates = ["utf-8", "gb18030"]
    if declared:
        name = declared.group(1).decode("ascii").lower()
        if name in ("gb2312", "gbk", "gb18030", "x-gbk"):
            name = "gb18030"
        candidates.insert(0, name)
    for name in candidates:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", "replace")


def cell_text(el: etree._Element) -> str:
    """Printed text of a cell: nested ``<p>``/``<span>`` joined, ``<br>`` and NBSP as space."""
    return clean(el.text_content())


def table_grid(table: etree._Element) -> Grid:
    """One ``<table>`` → a rectangular :class:`Grid` with rowspan/colspan expanded."""
    spans: list[tuple[int, int, int, int, str]] = []
    taken: set[tuple[int, int]] = set()
    rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.xpath("./td|./th"):
            while (r, c) in taken:
                c += 1
            rs = _span(td.get("rowspan"))
            cs = _span(td.get("colspan"))
            rs = min(rs, len(rows) - r)
            spans.append((r, c, rs, cs, cell_text(td)))
            taken.update((i, j) for i in range(r, r + rs) for j in range(c, c + cs))
            c += cs
    return grid_from_spans(spans)


def _span(value: str | None) -> int:
    m = re.match(r"\s*(\d+)", value or "")
    return max(1, min(int(m.group(1)), 200)) if m else 1


def _blocks(root: etree._Element) -> list[Block]:
    out = []
    for el in root.iter(*_BLOCK_TAGS):
        tables = el.xpath("ancestor::table")
        # text inside a data table is table text; a layout table (one holding tables) is not
        if tables and not tables[-1].xpath(".//table"):
            continue
        if el.tag in ("div", "section", "article") and any(
            child.tag in _BLOCK_TAGS or child.tag == "table" for child in el.iterdescendants()
        ):
            continue
        # <br> separates lines inside one paragraph (headings are often written that way)
        for br in el.iter("br"):
            br.tail = "\n" + (br.tail or "")
        for line in el.text_content().split("\n"):
            text = clean(line)
            if text:
                out.append(Block(text))
    return out


@reader("html")
def read_html(data: bytes) -> Document:
    """Parse HTML bytes (UTF-8 or GBK/GB18030) into grids (innermost tables) and text blocks."""
    text = decode_html(data)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    try:
        root = lxml.html.fromstring(text or "<html></html>")
    except (etree.ParserError, ValueError) as err:
        raise UnreadableDocument(f"unreadable HTML: {err}") from err
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    title = ""
    meta = root.xpath("//meta[@name='ArticleTitle']/@content")
    if meta:
        title = clean(meta[0])
    elif root.xpath("//title"):
        title = clean(root.xpath("//title")[0].text_content())
    grids = [table_grid(t) for t in root.iter("table") if not t.xpath(".//table")]
    return Document("html", grids=[g for g in grids if g.rows], blocks=_blocks(root), title=title)

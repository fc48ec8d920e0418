"""Readers turn a document's bytes into a :class:`Document`: grids of cells and text blocks.

Readers know nothing of the template's codes (except the flattened-text reader, which needs the
labels to cut running text into rows). Each reader is a function ``read(data: bytes) -> Document``
registered in :data:`READERS` under its format name, so OCR and DOCX readers plug in later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Cell:
    """One position of a rectangular grid.

    ``origin`` is the (row, column) of the printed cell covering this position: a merged cell
    (rowspan/colspan) shows up at every position it covers with the same origin.
    """

    text: str
    origin: tuple[int, int]
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass
class Grid:
    """A table as a true rectangle of :class:`Cell`."""

    rows: list[list[Cell]]
    page: int | None = None

    def distinct(self, r: int) -> list[Cell]:
        """Cells of row ``r`` in order, one per printed cell (merged positions de-duplicated).

        Cells merged down from rows above are included, so a row carries its row headers.
        """
        seen: set[tuple[int, int]] = set()
        out = []
        for cell in self.rows[r]:
            if cell.origin not in seen:
                seen.add(cell.origin)
                out.append(cell)
        return out


@dataclass
class Block:
    """A paragraph or line of running text, with the page it is on (PDF)."""

    text: str
    page: int | None = None


@dataclass
class Document:
    """What a reader saw: tables as grids, running text as blocks, and metadata it found."""

    format: str
    grids: list[Grid] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    title: str = ""
    #: the issuing organ where the document names it apart from the title (发布机构)
    publisher: str = ""
    #: running text where tables were flattened into the text (no grids)
    flat: bool = False
    warnings: list[str] = field(default_factory=list)


def grid_from_spans(
    cells: list[tuple[int, int, int, int, str]], *, page: int | None = None
) -> Grid:
    """Build a rectangle from printed cells given as (row, col, rowspan, colspan, text).

    >>> g = grid_from_spans([(0, 0, 2, 1, "a"), (0, 1, 1, 1, "b"), (1, 1, 1, 1, "c")])
    >>> [[c.text for c in row] for row in g.rows]
    [['a', 'b'], ['a', 'c']]
    """
    height = max((r + rs for r, _, rs, _, _ in cells), default=0)
    width = max((c + cs for _, c, _, cs, _ in cells), default=0)
    rows: list[list[Cell | None]] = [[None] * width for _ in range(height)]
    for r, c, rs, cs, text in cells:
        for i in range(r, r + rs):
            for j in range(c, c + cs):
                if rows[i][j] is None:
                    rows[i][j] = Cell(text, (r, c), page)
    return Grid(
        [
            [cell or Cell("", (i, j), page) for j, cell in enumerate(row)]
            for i, row in enumerate(rows)
        ],
        page,
    )


Reader = Callable[[bytes], Document]
READERS: dict[str, Reader] = {}


def reader(name: str) -> Callable[[Reader], Reader]:
    """Register a reader function under a format name."""

    def register(fn: Reader) -> Reader:
        READERS[name] = fn
        return fn

    return register

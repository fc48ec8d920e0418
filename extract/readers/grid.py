"""Ruled tables in a page image: deskew, find the ruling lines, and rebuild the cell grid.

Works on a greyscale page normalised to about 200 dpi (:data:`PX_PER_PT` pixels per point).
Horizontal and vertical ruling lines are isolated with morphological openings (runs longer than
any character stroke); each printed cell is then a connected region of paper enclosed by lines,
so a merged cell is one region by construction and no structure is guessed from text positions.
The cell edges are clustered into grid columns and rows exactly as the PDF reader does with
pdfplumber's cell boxes.

Example::

    >>> import numpy as np
    >>> page = np.full((300, 400), 255, np.uint8)
    >>> for y in (50, 150, 250): page[y:y + 3, 50:350] = 0
    >>> for x in (50, 200, 347): page[50:253, x:x + 3] = 0
    >>> [(t.rows, t.cols) for t in find_tables(page)]
    [(2, 2)]
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: the scale every page is brought to before reading (200 dpi)
DPI = 200
PX_PER_PT = DPI / 72
#: a horizontal ruling runs across at least a cell (≈30 pt), longer than strokes of text; a
#: vertical one may be as short as one text row, so it must also end on horizontal rulings
H_KERNEL = round(30 * PX_PER_PT)
V_KERNEL = round(7 * PX_PER_PT)
#: how far (px) a vertical ruling's end may stop short of the horizontal one it meets
_REACH = 6
#: how far (px) beside a vertical ruling its cells' text stays
_SIDE = 8
#: cell edges closer than this are one ruling line (line width plus the closing dilation)
EDGE_TOL = round(4.5 * PX_PER_PT)
MIN_CELL = round(4 * PX_PER_PT)
MIN_FILL = 0.5


@dataclass
class CellBox:
    """A printed cell: its pixel box (inside the ruling) and its span in the grid."""

    x0: int
    y0: int
    x1: int
    y1: int
    row: int = 0
    col: int = 0
    rowspan: int = 1
    colspan: int = 1


@dataclass
class TableBox:
    """A ruled table found on a page: its outline and its printed cells."""

    bbox: tuple[int, int, int, int]
    cells: list[CellBox]
    rows: int
    cols: int


def ink(gray: np.ndarray, *, lenient: int = 0) -> np.ndarray:
    """Binary ink mask (255 = ink), Otsu threshold raised by ``lenient`` grey levels.

    Text is thresholded leniently: a thin stroke (a minus sign) prints lighter than the rest.
    """
    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, binary = cv2.threshold(gray, min(otsu + lenient, 254), 255, cv2.THRESH_BINARY_INV)
    return binary


def _horizontal(binary: np.ndarray) -> np.ndarray:
    # bridge the one- or two-pixel breaks a scanned hairline has before requiring a long run
    closed = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, np.ones((1, 5), np.uint8))
    return cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((1, H_KERNEL), np.uint8))


def _vertical(binary: np.ndarray) -> np.ndarray:
    closed = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, np.ones((5, 1), np.uint8))
    return cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones((V_KERNEL, 1), np.uint8))


def skew_angle(gray: np.ndarray) -> float:
    """The page's tilt in degrees, from the slope of its long horizontal rulings (0 without any).

    Short opening kernels survive a tilt of a degree or two; each long ruling is fitted with a
    straight line and the median slope is taken.
    """
    lines = _horizontal(ink(gray))
    # a tilted ruling opens into stair steps one pixel apart: close them vertically first
    lines = cv2.dilate(lines, np.ones((3, 1), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    slopes = []
    for i in range(1, count):
        x, y, w, h, area = stats[i]
        if w < gray.shape[1] // 4:
            continue
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == i)
        if len(xs) > 50:
            slopes.append(np.polyfit(xs, ys, 1)[0])
    if not slopes:
        return 0.0
    return float(np.degrees(np.arctan(np.median(slopes))))


def deskew(gray: np.ndarray, max_angle: float = 5.0) -> np.ndarray:
    """Rotate the page so that its rulings are level (tilts above ``max_angle`` are left)."""
    angle = skew_angle(gray)
    if abs(angle) < 0.05 or abs(angle) > max_angle:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(
        gray,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )


def _anchored(vertical: np.ndarray, horizontal: np.ndarray, binary: np.ndarray) -> np.ndarray:
    """The vertical segments that are rulings, not strokes of text.

    A ruling starts and ends on horizontal rulings and has clear paper beside it (cells are
    padded); a character's stroke that happens to fill a tight row has its other strokes
    within a few pixels on one side.
    """
    near = cv2.dilate(horizontal, np.ones((2 * _REACH + 1, 2 * _REACH + 1), np.uint8))
    text = cv2.bitwise_and(binary, cv2.bitwise_not(near))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(vertical, connectivity=8)
    keep = np.zeros(count, bool)
    width = binary.shape[1]
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if not (near[y, x : x + w].any() and near[y + h - 1, x : x + w].any()):
            continue
        left = text[y : y + h, max(0, x - _SIDE) : x].any(axis=1).mean() if x else 0.0
        right = text[y : y + h, x + w : min(width, x + w + _SIDE)].any(axis=1).mean()
        keep[i] = max(left, right) < 0.2
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def ruling(binary: np.ndarray) -> np.ndarray:
    """Mask of the ruling lines, dilated a little so that lines meet at every junction."""
    horizontal = _horizontal(binary)
    vertical = _anchored(_vertical(binary), horizontal, binary)
    return cv2.dilate(horizontal | vertical, np.ones((5, 5), np.uint8))


def _clusters(values: list[int]) -> list[float]:
    out: list[list[int]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= EDGE_TOL:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _index(edges: list[float], v: int) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def table_cells(lines: np.ndarray, bbox: tuple[int, int, int, int]) -> TableBox | None:
    """The printed cells enclosed by the ruling inside ``bbox``, placed on a grid."""
    x, y, w, h = bbox
    paper = cv2.bitwise_not(lines[y : y + h, x : x + w])
    count, _, stats, _ = cv2.connectedComponentsWithStats(paper, connectivity=4)
    cells = []
    for i in range(1, count):
        cx, cy, cw, ch, area = stats[i]
        # an enclosed cell is a rectangle away from the outline's edge, less the strokes of its
        # text that the openings took for rulings; the paper around a table touches the edge
        if cw < MIN_CELL or ch < MIN_CELL or area < MIN_FILL * cw * ch:
            continue
        if cx == 0 or cy == 0 or cx + cw == w or cy + ch == h:
            continue
        cells.append(CellBox(*(int(v) for v in (x + cx, y + cy, x + cx + cw, y + cy + ch))))
    if len(cells) < 2:
        return None
    xs = _clusters([c.x0 for c in cells] + [c.x1 for c in cells])
    ys = _clusters([c.y0 for c in cells] + [c.y1 for c in cells])
    for c in cells:
        c.col, c.row = _index(xs, c.x0), _index(ys, c.y0)
        c.colspan = max(1, _index(xs, c.x1) - c.col)
        c.rowspan = max(1, _index(ys, c.y1) - c.row)
    cells.sort(key=lambda c: (c.row, c.col))
    return TableBox((x, y, x + w, y + h), cells, max(len(ys) - 1, 1), max(len(xs) - 1, 1))


def find_tables(gray: np.ndarray) -> list[TableBox]:
    """Every ruled table on a (deskewed) page, top to bottom."""
    lines = ruling(ink(gray))
    count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    tables = []
    for i in range(1, count):
        x, y, w, h = (int(v) for v in stats[i][:4])
        if w < 20 * PX_PER_PT or h < 10 * PX_PER_PT:
            continue
        table = table_cells(lines, (x, y, w, h))
        if table is not None:
            tables.append(table)
    return sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))

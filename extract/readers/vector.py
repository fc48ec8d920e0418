"""Ruled tables of a text PDF page from its vector paths, read with pypdfium2 alone.

pdfplumber's ``find_tables`` has pdfminer parse the whole page in Python; here pdfium (C) hands
over the page's path segments, the ruling lines are snapped onto a grid of atomic cells, atomic
cells not separated by a ruling are joined (a merged cell), and each enclosed cell's text is
pdfium's text inside its box. The printed cells then go through the same grid building as
pdfplumber's (:func:`extract.readers.pdf.grid_from_cells`).

Example::

    >>> h = [(0, 0, 100), (20, 0, 100), (40, 0, 100)]  # (y, x0, x1), top-down points
    >>> v = [(0, 0, 40), (50, 0, 20), (100, 0, 40)]  # (x, y0, y1): the middle one stops
    >>> sorted(enclosed_cells(h, v))
    [(0.0, 0.0, 50.0, 20.0), (0.0, 20.0, 100.0, 40.0), (50.0, 0.0, 100.0, 20.0)]
"""

from __future__ import annotations

import ctypes

import pypdfium2
import pypdfium2.raw as pdfium_c

_SNAP = 3.0  # points: lines closer than this are one ruling (pdfplumber snaps at 3 too)
_MIN_LEN = 2.0  # shorter segments are rect corners or dots, not rulings
_MOVETO = pdfium_c.FPDF_SEGMENT_MOVETO
_LINETO = pdfium_c.FPDF_SEGMENT_LINETO

Segment = tuple[float, float, float]  # (position, start, end) along the other axis


def page_segments(page: pypdfium2.PdfPage) -> tuple[list[Segment], list[Segment]]:
    """Horizontal ``(y, x0, x1)`` and vertical ``(x, y0, y1)`` straight segments of the page's
    paths, in points from the top-left corner (pdfplumber's ``top`` convention)."""
    height = page.get_height()
    horizontal: list[Segment] = []
    vertical: list[Segment] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=1):
        a, b, c, d, e, f = obj.get_matrix().get()
        start = prev = None
        for i in range(pdfium_c.FPDFPath_CountSegments(obj.raw)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
            pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
            point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            ends = []
            if kind == _MOVETO:
                start = point
            elif kind == _LINETO and prev is not None:
                ends.append((prev, point))
            if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                ends.append((point, start))
                point = start
            prev = point
            for (x0, y0), (x1, y1) in ends:
                if abs(y1 - y0) <= 1 and abs(x1 - x0) >= _MIN_LEN:
                    horizontal.append(((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
                elif abs(x1 - x0) <= 1 and abs(y1 - y0) >= _MIN_LEN:
                    vertical.append(((x0 + x1) / 2, min(y0, y1), max(y0, y1)))
    return horizontal, vertical


def _snap(segments: list[Segment]) -> tuple[list[float], dict[int, list[tuple[float, float]]]]:
    """Cluster positions (chained, as pdfplumber does); per cluster, the merged intervals."""
    clusters: list[list[Segment]] = []
    for seg in sorted(segments):
        if clusters and seg[0] - clusters[-1][-1][0] <= _SNAP:
            clusters[-1].append(seg)
        else:
            clusters.append([seg])
    positions = [sum(seg[0] for seg in c) / len(c) for c in clusters]
    merged = {}
    for k, cluster in enumerate(clusters):
        out: list[list[float]] = []
        for _, s0, s1 in sorted(cluster, key=lambda seg: seg[1]):
            if out and s0 <= out[-1][1] + _SNAP:
                out[-1][1] = max(out[-1][1], s1)
            else:
                out.append([s0, s1])
        merged[k] = [(s0, s1) for s0, s1 in out]
    return positions, merged


def ruled_groups(
    horizontal: list[Segment], vertical: list[Segment]
) -> list[tuple[list[Segment], list[Segment]]]:
    """Split the rulings into groups that touch each other: one group per table.

    Each table's lines are snapped on their own, so the columns of one table never split the
    cells of another on the same page.
    """
    n = len(horizontal)
    parent = list(range(n + len(vertical)))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, (y, x0, x1) in enumerate(horizontal):
        for j, (x, y0, y1) in enumerate(vertical):
            if x0 - _SNAP <= x <= x1 + _SNAP and y0 - _SNAP <= y <= y1 + _SNAP:
                parent[find(i)] = find(n + j)
    groups: dict[int, tuple[list[Segment], list[Segment]]] = {}
    for i, seg in enumerate(horizontal):
        groups.setdefault(find(i), ([], []))[0].append(seg)
    for j, seg in enumerate(vertical):
        groups.setdefault(find(n + j), ([], []))[1].append(seg)
    return [g for g in groups.values() if g[0] and g[1]]


def _covers(spans: list[tuple[float, float]], a: float, b: float) -> bool:
    return any(s0 <= a + _SNAP and s1 >= b - _SNAP for s0, s1 in spans)


def enclosed_cells(
    horizontal: list[Segment], vertical: list[Segment]
) -> list[tuple[float, float, float, float]]:
    """Boxes ``(x0, top, x1, bottom)`` of the cells the rulings enclose (merged cells whole)."""
    ys, h_spans = _snap(horizontal)
    xs, v_spans = _snap(vertical)
    if len(xs) < 2 or len(ys) < 2:
        return []
    rows, cols = len(ys) - 1, len(xs) - 1

    def h_line(i: int, j: int) -> bool:  # ruling along ys[i] over atomic column j
        return _covers(h_spans.get(i, []), xs[j], xs[j + 1])

    def v_line(i: int, j: int) -> bool:  # ruling along xs[j] over atomic row i
        return _covers(v_spans.get(j, []), ys[i], ys[i + 1])

    parent = list(range(rows * cols))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i in range(rows):
        for j in range(cols):
            if j + 1 < cols and not v_line(i, j + 1):
                parent[find(i * cols + j)] = find(i * cols + j + 1)
            if i + 1 < rows and not h_line(i + 1, j):
                parent[find(i * cols + j)] = find((i + 1) * cols + j)
    groups: dict[int, list[tuple[int, int]]] = {}
    for i in range(rows):
        for j in range(cols):
            groups.setdefault(find(i * cols + j), []).append((i, j))
    boxes = []
    for atoms in groups.values():
        r0, r1 = min(i for i, _ in atoms), max(i for i, _ in atoms)
        c0, c1 = min(j for _, j in atoms), max(j for _, j in atoms)
        if len(atoms) != (r1 - r0 + 1) * (c1 - c0 + 1):
            continue  # the paper around or between tables is not a rectangle
        if not (
            all(h_line(r0, j) and h_line(r1 + 1, j) for j in range(c0, c1 + 1))
            and all(v_line(i, c0) and v_line(i, c1 + 1) for i in range(r0, r1 + 1))
        ):
            continue
        boxes.append((xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1]))
    return boxes


def tables(boxes: list[tuple[float, float, float, float]]) -> list[list[tuple]]:
    """Group cell boxes into tables: cells sharing a ruling belong together; top to bottom."""
    parent = list(range(len(boxes)))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    order = sorted(range(len(boxes)), key=lambda k: boxes[k][1])
    for n, a in enumerate(order):
        ax0, at, ax1, ab = boxes[a]
        for b in order[n + 1 :]:
            bx0, bt, bx1, bb = boxes[b]
            if bt > ab + _SNAP:
                break
            if bx0 <= ax1 + _SNAP and ax0 <= bx1 + _SNAP:
                parent[find(a)] = find(b)
    out: dict[int, list[tuple]] = {}
    for k in order:
        out.setdefault(find(k), []).append(boxes[k])
    return sorted(out.values(), key=lambda t: (min(b[1] for b in t), min(b[0] for b in t)))


def page_tables(page: pypdfium2.PdfPage, textpage: pypdfium2.PdfTextPage) -> list[list[tuple]]:
    """Every ruled table of the page as printed cells ``(bbox, text)``, bbox top-down points."""
    height = page.get_height()
    out = []
    found = [b for h, v in ruled_groups(*page_segments(page)) for b in enclosed_cells(h, v)]
    for boxes in tables(found):
        if len(boxes) < 2:
            continue
        cells = []
        for x0, top, x1, bottom in boxes:
            text = textpage.get_text_bounded(
                left=x0, bottom=height - bottom, right=x1, top=height - top
            )
            cells.append(((x0, top, x1, bottom), text))
        out.append(cells)
    return out

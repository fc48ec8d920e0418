"""Scanned PDFs and report images → grids and text blocks, with offline OCR.

Every page is brought to 200 dpi and deskewed; :mod:`extract.readers.grid` rebuilds each ruled
table's cells from the ruling lines, and every text line is cut out by its ink profile (inside a
cell, or across the page outside the tables). Only rapidocr's *recognition* model reads them, in
batches: no text-detection pass over the page, which is where full-page OCR spends its time.

The models are the ones that ship inside the ``rapidocr`` wheel (PP-OCRv6 small recognition);
nothing is downloaded at run time. numpy, OpenCV and rapidocr are imported only when a scan is
read (see :mod:`extract.readers.scanned`).

Example::

    >>> doc = read_image(open("report.png", "rb").read())  # doctest: +SKIP
    >>> doc.format, len(doc.grids)  # doctest: +SKIP
    ('image', 3)
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import cv2
import numpy as np
import pypdfium2
from PIL import Image

from archive.faults import maybe_crash
from extract.errors import UnreadableDocument
from extract.normalize import clean
from extract.readers import Block, Cell, Document, Grid
from extract.readers.grid import DPI, PX_PER_PT, TableBox, deskew, find_tables, ink
from extract.readers.pdf import stitch

#: recognition input is this many pixels high; a line is padded by a margin of its height
_MARGIN = 0.25
#: a text line is at most this high (points): ink runs closer than that are one line
_LINE_PT = 13
#: results the recogniser is less sure of are dropped (speckles read as punctuation)
MIN_SCORE = 0.5
#: ink blobs smaller than this (px at 200 dpi) are dust; a full stop or 、 is larger
_MIN_BLOB = 5
#: grey levels above Otsu's threshold still counted as text ink (light thin strokes)
_LENIENT = 12
#: what OCR makes of digits in a cell that holds a number
_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "，": ","})
_NUMBERISH = re.compile(r"^[-一—–－−]?[\dOoDlI|.,，:·\s]+$")
_MINUS = re.compile(r"^[一—–－−]")
#: Kangxi radicals the recogniser sometimes returns for common ideographs (NFKC folds them)
_KANGXI = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x2F00, 0x2FD6)}


@lru_cache(maxsize=1)
def engine():
    """The rapidocr engine, built once, with the models that ship in the wheel."""
    from rapidocr import RapidOCR  # imported here: loading onnxruntime takes a while

    # crops are padded only to the widest of their batch (not to 320 px), and batches stay small
    # so that a short number is not padded to a long label's width
    return RapidOCR(
        params={
            "Global.log_level": "error",
            "Rec.rec_batch_num": 6,
            "Rec.rec_img_shape": [3, 48, 48],
        }
    )


def recognise(crops: list[np.ndarray]) -> list[tuple[str, float]]:
    """Text and score for each single-line crop (greyscale), in one batched recognition run."""
    if not crops:
        return []
    from rapidocr.ch_ppocr_rec import TextRecInput

    # rapidocr builds its recogniser on first use; this is the call its own pipeline makes
    rec = engine()._load_rec_model()
    out = rec(TextRecInput(img=[cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]))
    return list(zip(out.txts, out.scores, strict=True))


def _runs(profile: np.ndarray, min_ink: int) -> list[tuple[int, int]]:
    """Runs of positions whose ink count reaches ``min_ink``: (start, end)."""
    on = np.concatenate(([False], profile >= min_ink, [False]))
    edges = np.flatnonzero(on[1:] != on[:-1])
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def text_lines(binary: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, y0, x1, y1) of the text lines in an ink mask, top to bottom.

    Ink runs are joined while the line stays under :data:`_LINE_PT` high, so a character
    with gaps between its strokes (三, 二) stays one line.
    """
    runs = _runs((binary > 0).sum(axis=1), 2)
    limit = _LINE_PT * PX_PER_PT
    lines: list[list[int]] = []
    for y0, y1 in runs:
        if lines and y1 - lines[-1][0] <= limit:
            lines[-1][1] = y1
        else:
            lines.append([y0, y1])
    boxes = []
    for y0, y1 in lines:
        if y1 - y0 < 2.5 * PX_PER_PT:  # a speck or the remains of a ruling
            continue
        cols = _runs((binary[y0:y1] > 0).sum(axis=0), 1)
        if cols:
            boxes.append((cols[0][0], y0, cols[-1][1], y1))
    return boxes


def despeckle(binary: np.ndarray, min_blob: int = _MIN_BLOB) -> np.ndarray:
    """Drop ink blobs smaller than a full stop (scanner dust, JPEG noise)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= min_blob
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def _crop(clean_page: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    x0, y0, x1, y1 = box
    pad = max(2, round((y1 - y0) * _MARGIN))
    part = clean_page[y0:y1, x0:x1]
    return cv2.copyMakeBorder(part, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def ocr_text(text: str) -> str:
    """Recognised text with Kangxi radicals (⼀ for 一) folded to the ideographs they look like.

    >>> ocr_text("⼀、总体情况")
    '一、总体情况'
    """
    return clean(text.translate(_KANGXI))


def _cell_text(parts: list[tuple[str, float]]) -> str:
    # a label wrapped inside its cell continues on the next line: CJK lines join without a space
    text = ocr_text("".join(t for t, score in parts if score >= MIN_SCORE or t.strip().isdigit()))
    if _NUMBERISH.match(text):
        text = text.translate(_DIGITS).replace(" ", "").strip(".,:·")
        # a minus sign is read as a dash or as 一 (one)
        text = _MINUS.sub("-", text)
    return text


class _Page:
    """One deskewed page: its tables' cells and its text lines outside them, as crops."""

    def __init__(self, gray: np.ndarray, page_no: int | None, min_blob: int = _MIN_BLOB) -> None:
        self.page_no = page_no
        self.gray = deskew(gray)
        self.tables = find_tables(self.gray)
        self.binary = despeckle(ink(self.gray, lenient=_LENIENT), min_blob)
        # the recogniser sees the page's ink on white paper: no dust, no grey paper
        keep = cv2.dilate(self.binary, np.ones((3, 3), np.uint8))
        self.clean = np.where(keep > 0, self.gray, 255).astype(np.uint8)
        self.crops: list[np.ndarray] = []
        self.owners: list[tuple] = []  # ("cell", table, cell) or ("line", y)
        for t, table in enumerate(self.tables):
            for c, box in enumerate(table.cells):
                inset = 3
                sub = self.binary[box.y0 + inset : box.y1 - inset, box.x0 + inset : box.x1 - inset]
                for x0, y0, x1, y1 in text_lines(sub):
                    off = (box.x0 + inset, box.y0 + inset)
                    self._add(("cell", t, c), (x0 + off[0], y0 + off[1], x1 + off[0], y1 + off[1]))
        outside = self.binary.copy()
        for table in self.tables:
            x0, y0, x1, y1 = table.bbox
            outside[y0:y1, x0:x1] = 0
        for box in text_lines(outside):
            self._add(("line", box[1]), box)

    def _add(self, owner: tuple, box: tuple[int, int, int, int]) -> None:
        self.owners.append(owner)
        self.crops.append(_crop(self.clean, box))

    def read(self, texts: list[tuple[str, float]]) -> tuple[list[Grid], list[Block]]:
        cells: dict[tuple, list[tuple[str, float]]] = {}
        items: list[tuple[int, str]] = []
        for owner, (text, score) in zip(self.owners, texts, strict=True):
            if owner[0] == "cell":
                cells.setdefault(owner[1:], []).append((text, score))
            elif score >= MIN_SCORE and ocr_text(text):
                items.append((owner[1], ocr_text(text)))
        grids = [self._grid(t, table, cells) for t, table in enumerate(self.tables)]
        # running text and tables in page order, so sections find their headings between tables
        blocks = [Block(text, self.page_no) for _, text in sorted(items)]
        return grids, blocks

    def _grid(self, t: int, table: TableBox, cells: dict) -> Grid:
        rows: list[list[Cell | None]] = [[None] * table.cols for _ in range(table.rows)]
        for c, box in enumerate(table.cells):
            text = _cell_text(cells.get((t, c), []))
            bbox = tuple(round(float(v) / PX_PER_PT, 1) for v in (box.x0, box.y0, box.x1, box.y1))
            for i in range(box.row, min(box.row + box.rowspan, table.rows)):
                for j in range(box.col, min(box.col + box.colspan, table.cols)):
                    if rows[i][j] is None:
                        rows[i][j] = Cell(text, (box.row, box.col), self.page_no, bbox)
        return Grid(
            [
                [c or Cell("", (i, j), self.page_no) for j, c in enumerate(row)]
                for i, row in enumerate(rows)
            ],
            self.page_no,
        )


def read_pages(
    pages: Iterator[tuple[np.ndarray, int | None]], fmt: str, min_blob: int = _MIN_BLOB
) -> Document:
    """OCR page images (greyscale at 200 dpi, with their page numbers) into a document."""
    doc = Document(fmt)
    grids: list[Grid] = []
    for gray, page_no in pages:
        maybe_crash("extract.ocr_page")
        page = _Page(gray, page_no, min_blob)
        page_grids, blocks = page.read(recognise(page.crops))
        grids.extend(g for g in page_grids if g.rows and g.rows[0])
        doc.blocks.extend(blocks)
    doc.grids = stitch(grids)
    if not doc.blocks and not doc.grids:
        doc.warnings.append("OCR found no text")
    return doc


def pdf_pages(data: bytes) -> Iterator[tuple[np.ndarray, int]]:
    """Render each page at 200 dpi in greyscale, one at a time (memory stays one page)."""
    pdf = pypdfium2.PdfDocument(data)
    try:
        for no in range(len(pdf)):
            page = pdf[no]
            bitmap = page.render(scale=DPI / 72, grayscale=True)
            gray = np.array(bitmap.to_pil().convert("L"))
            bitmap.close()
            page.close()
            yield gray, no + 1
    finally:
        pdf.close()


def read_scanned_pdf(data: bytes) -> Document:
    """A PDF whose pages are images (no text layer), read by OCR."""
    return read_pages(pdf_pages(data), "pdf_scanned")


def image_gray(data: bytes) -> np.ndarray:
    """Decode an image to greyscale, scaled so that an A4-wide page is 200 dpi.

    A report image has no trustworthy resolution; its width is taken as the page width, so a
    96-dpi 图片版 PNG is enlarged about twice before the rulings and lines are measured.
    """
    try:
        with Image.open(io.BytesIO(data)) as img:
            gray = np.array(img.convert("L"))
    except (OSError, ValueError, Image.DecompressionBombError) as err:
        raise UnreadableDocument(f"unreadable image: {err}") from err
    target = round(595 * PX_PER_PT)
    h, w = gray.shape
    if w < 0.8 * target or w > 1.5 * target:
        scale = target / w
        gray = cv2.resize(gray, (target, round(h * scale)), interpolation=cv2.INTER_CUBIC)
        if scale > 1.2:
            # enlarged dust is too big for the blob filter; the median takes it out first
            gray = cv2.medianBlur(gray, 3)
    return gray


def image_pages(gray: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """Cut a tall image of stacked A4 pages into its pages (each scan has its own tilt).

    >>> [p.shape for p, _ in image_pages(np.zeros((2 * 2339, 1654), np.uint8))]
    [(2339, 1654), (2339, 1654)]
    """
    h, w = gray.shape
    page_h = w * 297 / 210
    n = round(h / page_h)
    if n < 2 or abs(h - n * page_h) > 0.02 * h:
        return [(gray, 1)]
    return [(gray[round(i * h / n) : round((i + 1) * h / n)], i + 1) for i in range(n)]


def read_image(data: bytes) -> Document:
    """A report image (PNG/JPEG/GIF; pages may be stacked into one tall image), read by OCR."""
    return read_pages(iter(image_pages(image_gray(data))), "image")

"""Image forms of a report: a scanned PDF (no text layer) and a 图片版 PNG.

Both are rendered from the text PDF with pypdfium2. The scan is tilted by less than a degree,
speckled with noise drawn from a seeded generator, JPEG-compressed and wrapped in a PDF that
holds only images, so the same seed gives the same bytes on every run.

Example::

    >>> from sampleweb.counties import COUNTIES
    >>> from sampleweb.reportdata import build_report
    >>> from sampleweb.render_pdf import report_pdf
    >>> pdf = report_pdf(build_report(COUNTIES[0], COUNTIES[0].organs[0], 2023))
    >>> scanned_pdf(pdf, "seed")[:5], image_png(pdf)[:4]
    (b'%PDF-', b'\\x89PNG')
"""

from __future__ import annotations

import io
import random
import time

import pypdfium2
from PIL import Image, ImageChops

_FIXED_DATE = time.strptime("2024-01-01", "%Y-%m-%d")


def _pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in doc]
    finally:
        doc.close()


def _scan(page: Image.Image, rng: random.Random) -> Image.Image:
    """Tilt (≤ 1°), grey the paper a little, and add dark speckles."""
    tilted = page.rotate(rng.uniform(-0.9, 0.9), resample=Image.BICUBIC, fillcolor=255)
    paper = tilted.point(lambda v: min(v, 238))
    noise = Image.frombytes("L", page.size, rng.randbytes(page.size[0] * page.size[1]))
    specks = noise.point(lambda v: 70 if v >= 254 else 255)
    return ImageChops.darker(paper, specks)


def scanned_pdf(pdf: bytes, seed: str, dpi: int = 200, quality: int = 55) -> bytes:
    """A scan of ``pdf``: one JPEG image per page at ``dpi``, no text layer.

    :param seed: fixes the tilt and the noise of every page
    """
    rng = random.Random(seed)
    pages = [_scan(p, rng) for p in _pages(pdf, dpi)]
    buf = io.BytesIO()
    pages[0].save(
        buf,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=float(dpi),
        quality=quality,
        title="",
        producer="Scanner",
        creationDate=_FIXED_DATE,
        modDate=_FIXED_DATE,
    )
    return buf.getvalue()


def image_png(pdf: bytes, dpi: int = 96) -> bytes:
    """Every page of ``pdf`` stacked into one tall PNG, as 图片版 reports are posted."""
    return stacked_png(_pages(pdf, dpi))


def stacked_png(pages: list[Image.Image]) -> bytes:
    """``pages`` (greyscale, one width) stacked top to bottom into one PNG."""
    sheet = Image.new("L", (pages[0].width, sum(p.height for p in pages)), 255)
    y = 0
    for p in pages:
        sheet.paste(p, (0, y))
        y += p.height
    buf = io.BytesIO()
    sheet.save(buf, "PNG")
    return buf.getvalue()

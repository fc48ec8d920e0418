"""Scanned forms of a text PDF, for the OCR tests and the benchmark.

Pages are rendered with pypdfium2, tilted by under a degree and speckled with Pillow, then
wrapped as a PDF without a text layer, or stacked into one PNG (图片版). A seed fixes the tilt
and the noise, so the same input gives the same bytes.

Example::

    >>> from reportlab.pdfgen import canvas
    >>> import io
    >>> buf = io.BytesIO(); c = canvas.Canvas(buf); c.drawString(72, 720, "0"); c.save()
    >>> scanned_pdf(buf.getvalue())[:5], scanned_png(buf.getvalue())[:4]
    (b'%PDF-', b'\\x89PNG')
"""

from __future__ import annotations

import io
import random

import pypdfium2
from PIL import Image, ImageChops

from sampleweb.render_scan import stacked_png


def render(pdf: bytes, dpi: int = 200) -> list[Image.Image]:
    """Every page of ``pdf`` as a greyscale image at ``dpi``."""
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for page in doc]
    finally:
        doc.close()


def scan(page: Image.Image, rng: random.Random, max_tilt: float = 0.9) -> Image.Image:
    """Tilt (≤ ``max_tilt`` degrees), grey the paper and add dark speckles."""
    tilted = page.rotate(rng.uniform(-max_tilt, max_tilt), resample=Image.BICUBIC, fillcolor=255)
    paper = tilted.point(lambda v: min(v, 235))
    noise = Image.frombytes("L", page.size, rng.randbytes(page.size[0] * page.size[1]))
    specks = noise.point(lambda v: 60 if v >= 254 else 255)
    return ImageChops.darker(paper, specks)


def scanned_pdf(pdf: bytes, seed: str = "scan", dpi: int = 200) -> bytes:
    """``pdf`` as a scan: one JPEG page image per page, no text layer."""
    rng = random.Random(seed)
    pages = [scan(p, rng) for p in render(pdf, dpi)]
    buf = io.BytesIO()
    pages[0].save(
        buf, "PDF", save_all=True, append_images=pages[1:], resolution=float(dpi), quality=60
    )
    return buf.getvalue()


def scanned_png(pdf: bytes, seed: str = "scan", dpi: int = 150) -> bytes:
    """``pdf``'s pages scanned and stacked into one tall PNG."""
    rng = random.Random(seed)
    return stacked_png([scan(p, rng) for p in render(pdf, dpi)])

"""Entry points for documents that need OCR, importing the OCR stack only when one comes.

Parsing HTML and text PDFs never loads numpy, OpenCV or onnxruntime: the ``image`` reader here
and the PDF reader (for a PDF without a text layer) import :mod:`extract.readers.ocr` on call.

Example::

    >>> from extract.readers import READERS
    >>> READERS["image"] is read_image
    True
"""

from __future__ import annotations

from extract.readers import Document, reader


@reader("image")
def read_image(data: bytes) -> Document:
    """A report image (图片版: PNG, JPEG, GIF), read by OCR."""
    from extract.readers import ocr

    return ocr.read_image(data)


def read_scanned_pdf(data: bytes) -> Document:
    """A PDF of page images without a text layer, read by OCR."""
    from extract.readers import ocr

    return ocr.read_scanned_pdf(data)

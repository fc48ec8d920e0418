"""Extraction: one report document → sections, the three statistical tables by code, and checks.

``parse_document`` is the library entry point; ``python -m extract FILE --json`` prints its result.

Example::

    >>> doc = parse_document("report.html")  # doctest: +SKIP
    >>> doc["form_version"], doc["request_stats"][0]  # doctest: +SKIP
    ('2021', ['new_requests', 'natural_person', 21])
"""

from __future__ import annotations

from pathlib import Path

from extract.checks import run_checks
from extract.errors import ExtractError, UnreadableDocument, UnsupportedDocument
from extract.meta import find_title, report_meta, year_from_text
from extract.normalize import norm_text
from extract.prose import prose_figures
from extract.readers import READERS, Document
from extract.readers import doc as _doc  # noqa: F401
from extract.readers import docx as _docx  # noqa: F401
from extract.readers import html as _html  # noqa: F401  (registers the reader)
from extract.readers import pdf as _pdf  # noqa: F401
from extract.readers import scanned as _scanned  # noqa: F401
from extract.readers import text as _text  # noqa: F401
from extract.sections import find_sections, find_sections_flat
from extract.tables import map_tables

#: Results in the archive are keyed on (document sha256, this version): bump it when a change to
#: extraction should re-parse documents already parsed (2: free-form prose figures, DOC/WPS).
EXTRACTOR_VERSION = "2"

__all__ = [
    "EXTRACTOR_VERSION",
    "ExtractError",
    "UnreadableDocument",
    "UnsupportedDocument",
    "detect_format",
    "parse_bytes",
    "parse_document",
]

_CONTENT_TYPES = {
    "wps": "wps",
    "works": "wps",
    "pdf": "pdf",
    "html": "html",
    "xhtml": "html",
    "plain": "text",
    "wordprocessingml": "docx",
    "msword": "doc",
}


#: WPS and DOC share the OLE container: a WPS is told apart by its name or content type
_WPS_NAMES = (".wps", ".wpt")


def detect_format(data: bytes, content_type: str | None = None, name: str = "") -> str:
    """``pdf``, ``html``, ``docx``, ``doc``, ``wps``, ``image`` or ``text``, magic bytes first.

    >>> detect_format(b"%PDF-1.7 ...")
    'pdf'
    >>> detect_format("<p>年度报告</p>".encode("gbk"))
    'html'
    >>> detect_format(b"\\xd0\\xcf\\x11\\xe0rest"), detect_format(b"\\xd0\\xcf\\x11\\xe0", name="a.wps")
    ('doc', 'wps')
    """
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if b"word/" in data[:65536] or b"[Content_Types]" in data[:4096] else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        ole_wps = name.lower().endswith(_WPS_NAMES) or "wps" in (content_type or "").lower()
        return "wps" if ole_wps or "works" in (content_type or "").lower() else "doc"
    if data[:4] in (b"\x89PNG", b"GIF8") or data[:3] == b"\xff\xd8\xff":
        return "image"
    lowered = head[:1024].lower()
    if (
        lowered.startswith(
            (
                b"<!doctype html",
                b"<html",
                b"<?xml",
                b"<head",
                b"<meta",
                b"<p",
                b"<div",
                b"<table",
                b"<body",
                b"<!--",
            )
        )
        or b"<html" in lowered
    ):
        return "html"
    if content_type:
        for key, fmt in _CONTENT_TYPES.items():
            if key in content_type.lower():
                return fmt
    return "text"


def read(data: bytes, fmt: str) -> Document:
    """Run the reader registered for ``fmt``."""
    if fmt not in READERS:
        raise UnsupportedDocument(f"{fmt} documents are not supported yet")
    return READERS[fmt](data)


def parse_bytes(
    data: bytes, *, content_type: str | None = None, hints: dict | None = None, name: str = ""
) -> dict:
    """Parse a document's bytes; see :func:`parse_document` (``name``: the file name, if any)."""
    if not data.strip():
        raise UnreadableDocument("empty document")
    fmt = detect_format(data, content_type, name)
    doc = read(data, fmt)
    tables = map_tables(doc.grids)
    if doc.flat:
        running = norm_text(" ".join(b.text for b in doc.blocks))
        sections, texts = find_sections_flat(running)
    else:
        running = "\n".join(b.text for b in doc.blocks)
        sections, texts = find_sections(doc.blocks)
    title = doc.title if "报告" in doc.title else find_title([b.text for b in doc.blocks[:30]])
    meta = report_meta(title or doc.title, hints)
    if meta["year"] is None:
        meta["year"] = year_from_text([b.text for b in doc.blocks[:60]])
    if doc.publisher and not (hints or {}).get("publisher"):
        meta["publisher"] = doc.publisher
    fallback = "2021" if (meta["year"] or 0) >= 2021 else "2019"
    form = tables.form_version(fallback)
    stats = {
        "proactive_stats": tables.proactive,
        "request_stats": tables.requests,
        "appeal_stats": tables.appeals,
    }
    return {
        "form_version": form,
        "publisher": meta["publisher"],
        "year": meta["year"],
        "title": meta["title"],
        "format": doc.format,
        "sections": sections,
        "section_texts": texts,
        **stats,
        "checks": run_checks(stats, form),
        # free-form reports state their headline figures in prose instead of tables
        "prose_figures": prose_figures(running) if form == "free" else [],
        "cells": tables.cells,
        "warnings": doc.warnings + tables.warnings,
    }


def parse_document(
    path: str | Path, *, content_type: str | None = None, hints: dict | None = None
) -> dict:
    """Parse one report document into sections, tables by code and checks.

    :param path: the file: HTML, text PDF, DOCX, plain text, DOC/WPS (through LibreOffice),
        or (by OCR) a scanned PDF or an image
    :param content_type: the HTTP Content-Type, used only when the bytes do not tell
    :param hints: what the crawler knows (``publisher``, ``year``, ``title``)
    :raises ExtractError: with a one-line reason when the document cannot be parsed
    """
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise UnreadableDocument(f"cannot read file: {err.strerror}") from err
    return parse_bytes(data, content_type=content_type, hints=hints, name=Path(path).name)

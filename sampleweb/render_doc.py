"""Reports as Word 97 DOC files: the DOCX rendering converted by LibreOffice headless.

LibreOffice writes the same bytes for the same DOCX (the DOCX carries fixed dates and the
converter stamps no time of its own; checked with LibreOffice 7.4 and 24.x), so the tree stays
byte-identical between runs on one machine. Where soffice is not installed the sample web prints
the report as DOCX instead (see :func:`doc_available`), and its truth says ``format: docx``.

Example::

    >>> from sampleweb.counties import COUNTIES
    >>> from sampleweb.reportdata import build_report
    >>> report = build_report(COUNTIES[0], COUNTIES[0].organs[0], 2023)
    >>> report_doc(report)[:4] == b"\\xd0\\xcf\\x11\\xe0" if doc_available() else True
    True
"""

from __future__ import annotations

from extract.readers.doc import convert, soffice

from .render_docx import report_docx
from .reportdata import Report

#: LibreOffice's export filter for Word 97–2003
DOC_FILTER = "doc:MS Word 97"


def doc_available() -> bool:
    """Whether DOC files can be made here (LibreOffice is installed)."""
    return soffice() is not None


def report_doc(report: Report) -> bytes:
    """The report as DOC bytes (OLE compound file)."""
    return convert(report_docx(report), "docx", DOC_FILTER)

"""Deterministic crash injection for the reliability harness (``python -m reliability``).

``NIANBAO_CRASH_AT=<point>:<n>`` makes the process kill itself with SIGKILL the ``n``-th time
(1-based, counted per process) it reaches ``maybe_crash(<point>)``; ``n`` defaults to 1. Unset,
:func:`maybe_crash` costs one global lookup. The named points:

========================  ============================================================
point                     where
========================  ============================================================
``crawl.downloaded``      a response came off the wire, nothing of it written yet
``crawl.warc_written``    its WARC records are written, no database row yet
``crawl.store_temp``      a stored file is written and fsynced under its temporary name
``crawl.document_row``    the file is in the store, its ``documents`` row not yet written
``crawl.report_txn``      inside the transaction writing a ``report_links`` row and its event
``crawl.finishing``       Scrapy has finished, the run's summary not yet written
``crawl.parse_worker``    the parse worker is about to read an article page (the worker
                          dies; the crawl reads its pages itself and goes on)
``extract.worker``        a parser worker is about to parse a document (with ``--workers 2``
                          the worker dies and the batch goes on)
``extract.parsed``        a document is parsed, nothing of it saved yet
``extract.save_txn``      inside the transaction replacing one report's rows
``extract.recorded``      inside the document's transaction, before ``extractions`` is written
``extract.derived``       between two derived tables of the rebuild
``extract.ocr_page``      inside the OCR page loop (scanned PDFs)
========================  ============================================================

Example::

    NIANBAO_CRASH_AT=crawl.warc_written:5 python -m crawler --sources s.csv --data d
"""

from __future__ import annotations

import os
import signal

ENV = "NIANBAO_CRASH_AT"

#: every crash point the code base calls, in pipeline order
POINTS: tuple[str, ...] = (
    "crawl.downloaded",
    "crawl.warc_written",
    "crawl.store_temp",
    "crawl.document_row",
    "crawl.report_txn",
    "crawl.finishing",
    "crawl.parse_worker",
    "extract.worker",
    "extract.parsed",
    "extract.save_txn",
    "extract.recorded",
    "extract.derived",
    "extract.ocr_page",
)


def _target(spec: str | None) -> tuple[str, int] | None:
    """The (point, n) of a ``NIANBAO_CRASH_AT`` value.

    >>> _target("crawl.downloaded:3")
    ('crawl.downloaded', 3)
    >>> _target("extract.parsed")
    ('extract.parsed', 1)
    >>> _target("") is None
    True
    """
    if not spec:
        return None
    point, _, n = spec.partition(":")
    return point.strip(), int(n) if n.strip() else 1


_TARGET = _target(os.environ.get(ENV))
_seen = 0


def maybe_crash(point: str) -> None:
    """SIGKILL this process if ``point`` is the armed crash point reached for the n-th time.

    :param point: one of :data:`POINTS`
    """
    global _seen
    if _TARGET is None or _TARGET[0] != point:
        return
    _seen += 1
    if _seen >= _TARGET[1]:
        os.kill(os.getpid(), signal.SIGKILL)

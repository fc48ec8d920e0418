"""The items the ``county`` spider yields; the archive pipeline turns them into rows.

- :class:`DocumentItem`: one fetched report page or attachment (its exact bytes in ``body``),
  becomes a file in ``DATA/files`` and a ``documents`` row.
- :class:`ReportItem`: one recognised report, becomes a ``report_links`` row.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DocumentItem:
    """A fetched report page or attachment.

    ``kind`` is ``page`` or ``attachment``; ``body`` is the decoded entity (content coding removed,
    as a user downloading the file gets it); ``warc_file``/``warc_offset`` locate the raw exchange.
    ``stored`` is True when the bytes came from the file store (incremental run). ``sha256`` is
    the body's, when the spider has computed it already (it names the report's document too).
    """

    url: str
    final_url: str
    adcode: str
    kind: str
    status: int
    body: bytes = field(repr=False)
    referrer: str | None = None
    listing_url: str | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    filename: str | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    stored: bool = False
    revalidated: bool = False
    sha256: str | None = None


@dataclass
class ReportItem:
    """A report the crawler recognised: who issued it, for which year, and the file to parse."""

    adcode: str
    region: str
    publisher: str
    year: int
    title: str
    url: str
    document_url: str
    document_sha256: str
    published: str | None = None
    content_type: str | None = None
    listing_url: str | None = None

"""Archive every request and response to WARC, as it came off the wire.

Settings: ``NIANBAO_WARC_ENABLED``, ``NIANBAO_WARC_DIR`` (default ``DATA/warc``),
``NIANBAO_WARC_PREFIX``, ``NIANBAO_WARC_MAX_SIZE``. Positioned above HttpCompressionMiddleware and
RedirectMiddleware (and HttpCache), so each redirect hop is archived and bodies keep their content
coding. Responses served from the file store (flag ``nianbao-stored``) are not archived again. The
location of the response record goes into ``request.meta["nianbao_warc"]`` as (file, offset).
A 304, or a response whose payload digest equals the one archived last time for the same URL
(table ``warc_digests``), is written as a ``revisit`` record instead of a full copy. Stats:
``archive/warc_records``, ``archive/warc_revisits``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from archive import crawldb
from archive.faults import maybe_crash
from archive.warc import WarcWriter
from crawler.context import data_dir, database, stop_if_disk_full


def _header_pairs(headers) -> list[tuple[bytes, bytes]]:
    # Scrapy's Headers is a dict of name -> list of values; its items() looks each name up again
    return [(name, value) for name, values in dict.items(headers) for value in values]


class WarcArchiveMiddleware:
    """Writes a request record and a response record for every response received."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NIANBAO_WARC_ENABLED"):
            raise NotConfigured
        directory = settings.get("NIANBAO_WARC_DIR") or data_dir(crawler) / "warc"
        self.writer = WarcWriter(
            Path(directory),
            prefix=settings.get("NIANBAO_WARC_PREFIX"),
            max_size=settings.getint("NIANBAO_WARC_MAX_SIZE"),
            info={
                "operator": "nianbao",
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": settings.get("USER_AGENT"),
                "isPartOf": f"nianbao-crawl-{settings.get('NIANBAO_RUN_ID')}",
            },
        )
        self.stats = crawler.stats
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self) -> None:
        self.writer.close()

    def process_response(self, request: Request, response: Response) -> Response:
        if "nianbao-stored" in response.flags:
            return response
        maybe_crash("crawl.downloaded")
        try:
            return self._archive(request, response)
        except (OSError, sqlite3.Error) as exc:
            if stop_if_disk_full(self.crawler, exc):
                raise IgnoreRequest(f"disk full: {exc}") from exc
            raise

    def _archive(self, request: Request, response: Response) -> Response:
        db = database(self.crawler)
        digest = self.writer.payload_digest(response.body)
        known = crawldb.warc_digest_of(db, request.url)
        unchanged = known is not None and (response.status == 304 or known["digest"] == digest)
        name, offset = self.writer.write_exchange(
            url=request.url,
            method=request.method,
            request_headers=_header_pairs(request.headers),
            request_body=request.body,
            status=response.status,
            response_headers=_header_pairs(response.headers),
            response_body=response.body,
            protocol=response.protocol or "HTTP/1.1",
            ip_address=str(response.ip_address) if response.ip_address else None,
            refers_to=known if unchanged else None,
            payload_digest=digest,
        )
        maybe_crash("crawl.warc_written")
        request.meta["nianbao_warc"] = (name, offset)
        self.stats.inc_value("archive/warc_records")
        if unchanged:
            self.stats.inc_value("archive/warc_revisits")
        elif response.status != 304:
            crawldb.upsert_row(
                db,
                "warc_digests",
                {**self.writer.last_response, "digest": digest, "warc_file": name},
            )
        return response

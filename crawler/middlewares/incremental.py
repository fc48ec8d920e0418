"""Incremental crawling: do not download known attachments again; revalidate known pages.

Settings: ``NIANBAO_INCREMENTAL_ENABLED``, ``NIANBAO_REVALIDATE_DAYS``. For a request marked
``meta["nianbao_kind"] == "attachment"`` whose URL has a successful ``documents`` row and whose
bytes are in the file store:

- fetched less than ``NIANBAO_REVALIDATE_DAYS`` ago → the stored bytes are returned without any
  network request (response flag ``nianbao-stored``);
- older → the request goes out with ``If-None-Match``/``If-Modified-Since``; a 304 answer is
  replaced by the stored bytes (flags ``nianbao-stored`` and ``revalidated``), anything else is a
  new version.

Known article pages (``nianbao_kind == "page"``) always go out, but conditionally: a 304 is
replaced by the stored bytes (flags ``nianbao-stored`` and ``revalidated``), so an unchanged
report costs a few hundred bytes. List pages are always fetched in full: they show what is new.
Stats:
``archive/attachment_reused``, ``archive/attachment_revalidated``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response, TextResponse
from scrapy.responsetypes import responsetypes

from archive import crawldb
from archive.store import FileStore
from crawler.context import data_dir, database
from crawler.middlewares.encoding import fixed_encoding


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def stored_response(request: Request, row: dict[str, Any], body: bytes, *flags: str) -> Response:
    """A response carrying stored bytes for ``request`` (the class chosen from the type/URL)."""
    headers = Headers()
    if row.get("content_type"):
        headers["Content-Type"] = row["content_type"]
    if row.get("filename"):
        headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{row['filename']}"
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    extra: dict[str, Any] = {}
    if issubclass(cls, TextResponse):
        # Built below the encoding middleware: read GBK-in-UTF-8 pages right here too.
        encoding = fixed_encoding(headers.get("Content-Type"), body)
        extra = {"encoding": encoding} if encoding else {}
    return cls(
        url=row.get("final_url") or request.url,
        status=200,
        headers=headers,
        body=body,
        request=request,
        flags=["nianbao-stored", *flags],
        **extra,
    )


class IncrementalMiddleware:
    """Serves known attachments from the file store; revalidates old ones conditionally."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NIANBAO_INCREMENTAL_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.max_age = timedelta(days=settings.getfloat("NIANBAO_REVALIDATE_DAYS"))
        self.store = FileStore(data_dir(crawler) / "files")
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> Response | None:
        kind = request.meta.get("nianbao_kind")
        if kind not in ("attachment", "page") or "nianbao_known" in request.meta:
            return None
        row = crawldb.latest_document(database(self.crawler), request.url)
        if not row or not self.store.has(row["sha256"]):
            return None
        request.meta["nianbao_known"] = row
        fetched = _parse_time(row.get("fetched_at"))
        if kind == "attachment" and fetched and datetime.now(UTC) - fetched < self.max_age:
            self.stats.inc_value("archive/attachment_reused")
            return stored_response(request, row, self.store.path(row["sha256"]).read_bytes())
        if row.get("etag"):
            request.headers["If-None-Match"] = row["etag"]
        if row.get("last_modified"):
            request.headers["If-Modified-Since"] = row["last_modified"]
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        row = request.meta.get("nianbao_known")
        if response.status == 304 and row:
            self.stats.inc_value("archive/attachment_revalidated")
            body = self.store.path(row["sha256"]).read_bytes()
            return stored_response(request, row, body, "revalidated")
        return response

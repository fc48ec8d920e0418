"""Per-site page counts and failure records.

Settings: ``NIANBAO_ERRORS_ENABLED``. Placed below RetryMiddleware (540 < 550), so it sees an HTTP
error or a timeout only once retries are exhausted, and every ``IgnoreRequest`` raised by an
earlier middleware (robots.txt, caps, blocked sites). Each failure becomes a ``crawl_errors`` row
with its reason; the crawl goes on. Stats: ``nianbao/site/<adcode>/pages`` (responses received),
``nianbao/site/<adcode>/errors``.
"""

from __future__ import annotations

import codecs

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response

from crawler.context import adcode_of, record_error, site_stat

_WIDE = ("utf-16", "utf-32")
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)

#: exceptions Scrapy raises without a message, and what they mean
CANCELLED = {
    "DownloadCancelledError": "body larger than the download max size (DOWNLOAD_MAXSIZE)",
    "CancelledError": "body larger than the download max size (DOWNLOAD_MAXSIZE)",
}


def exception_reason(exception: BaseException) -> str:
    """A one-line reason for a failed request.

    >>> exception_reason(IgnoreRequest("Forbidden by robots.txt"))
    'Forbidden by robots.txt'
    >>> exception_reason(TimeoutError("took too long"))
    'TimeoutError: took too long'
    """
    if isinstance(exception, IgnoreRequest):
        return str(exception) or "ignored"
    text = str(exception).strip().splitlines()
    name = type(exception).__name__
    if not text and name in CANCELLED:
        # Scrapy cancels a body that grows past DOWNLOAD_MAXSIZE without saying so
        return f"{name}: {CANCELLED[name]}"
    return f"{name}: {text[0]}" if text else name


class CrawlErrorsMiddleware:
    """Counts responses per site and records failures in ``crawl_errors``."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NIANBAO_ERRORS_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlErrorsMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if "nianbao_site" not in request.meta:
            return response
        adcode = adcode_of(request)
        if "nianbao-stored" not in response.flags:
            self.stats.inc_value(site_stat(adcode, "pages"))
        if response.status >= 400 or (response.status >= 300 and response.status != 304):
            if 300 <= response.status < 400 and "Location" in response.headers:
                return response  # a redirect the redirect middleware follows
            reason = request.meta.get("nianbao_blocked") or f"HTTP {response.status}"
            record_error(self.crawler, request, reason, status=response.status)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if "nianbao_site" not in request.meta:
            return None
        record_error(self.crawler, request, exception_reason(exception))
        return None


class _RecordsRedirectLimit:
    """Records a request dropped for too many redirects (``REDIRECT_MAX_TIMES``) in
    ``crawl_errors`` under the URL the spider asked for; Scrapy only logs it at DEBUG."""

    crawler: Crawler
    max_redirect_times: int

    def process_response(self, request: Request, response: Response, spider=None):
        try:
            return super().process_response(request, response)  # type: ignore[misc]
        except IgnoreRequest as exc:
            if "nianbao_site" in request.meta and self.crawler.settings.getbool(
                "NIANBAO_ERRORS_ENABLED"
            ):
                first = (request.meta.get("redirect_urls") or [request.url])[0]
                reason = f"{exc}: more than {self.max_redirect_times} redirects, last {request.url}"
                record_error(self.crawler, request.replace(url=first), reason, response.status)
            raise


class RedirectLimitMiddleware(_RecordsRedirectLimit, RedirectMiddleware):
    """Scrapy's RedirectMiddleware, recording redirect loops (see _RecordsRedirectLimit)."""


class MetaRefreshLimitMiddleware(_RecordsRedirectLimit, MetaRefreshMiddleware):
    """Scrapy's MetaRefreshMiddleware, recording refresh loops (see _RecordsRedirectLimit)."""

    def process_response(self, request: Request, response: Response, spider=None):
        # Scrapy strips scripts, comments and entities from every page's first 4096 characters
        # before it looks for the tag; a page whose head never says "refresh" cannot have one.
        if isinstance(response, HtmlResponse) and not may_refresh(response):
            return response
        return super().process_response(request, response)


def may_refresh(response: HtmlResponse) -> bool:
    """False when the first 4096 characters of the page, where Scrapy looks for a meta refresh,
    do not say "refresh"; found without decoding the whole page, which nothing else in the crawl's
    process may need (article pages are read in the parse worker).

    >>> may_refresh(HtmlResponse("http://a.example/", body=b'<meta http-equiv="Refresh">'))
    True
    >>> may_refresh(HtmlResponse("http://a.example/", body="<p>年报</p>".encode("utf-16")))
    False
    """
    if response.encoding.startswith(_WIDE) or response.body.startswith(_WIDE_BOMS):
        return "refresh" in response.text[:4096].lower()
    # in an ASCII-compatible encoding 4096 characters take at most 4 bytes each, and "refresh"
    # is the same bytes in all of them
    return b"refresh" in response.body[: 4 * 4096].lower()

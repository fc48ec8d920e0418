"""Per-site page counts and failure records.

Settings: ``NIANBAO_ERRORS_ENABLED``. Placed below RetryMiddleware (540 < 550), so it sees an HTTP
error or a timeout only once retries are exhausted, and every ``IgnoreRequest`` raised by an
earlier middleware (robots.txt, caps, blocked sites). Each failure becomes a ``crawl_errors`` row
with its reason; the crawl goes on. Stats: ``nianbao/site/<adcode>/pages`` (responses received),
``nianbao/site/<adcode>/errors``.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawler.context import adcode_of, record_error, site_stat


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

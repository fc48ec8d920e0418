"""Recognising anti-bot answers, so that blocking is recorded and a blocked site left alone.

Settings: ``NIANBAO_BLOCKING_ENABLED``, ``NIANBAO_BLOCKING_THRESHOLD`` (blocked answers before the
site is skipped for the rest of the run). A blocked answer gets ``request.meta["nianbao_blocked"]``
(the reason, which the errors middleware records). Stats: ``nianbao/site/<adcode>/blocked``.
Nothing here tries to get around a block.
"""

from __future__ import annotations

from collections import Counter

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from crawler.context import adcode_of, site_stat


def blocking_reason(status: int, body: bytes) -> str | None:
    """Why an answer looks like an anti-bot wall, or None.

    >>> blocking_reason(412, b"<script>$_ts=window['$_ts'];</script>")
    'blocked: HTTP 412 anti-bot challenge (Ruishu $_ts)'
    >>> blocking_reason(404, b"not found") is None
    True
    """
    head = body[:20000]
    if status == 412 and b"$_ts" in head:
        return "blocked: HTTP 412 anti-bot challenge (Ruishu $_ts)"
    if status in (403, 412, 418, 503) and (b"$_ts" in head or b"captcha" in head.lower()):
        return f"blocked: HTTP {status} anti-bot page"
    if status == 403:
        return "blocked: HTTP 403 forbidden (possibly by IP or user agent)"
    return None


class BlockingMiddleware:
    """Marks blocked answers and stops requesting a site once it is clearly blocked."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NIANBAO_BLOCKING_ENABLED"):
            raise NotConfigured
        self.threshold = settings.getint("NIANBAO_BLOCKING_THRESHOLD")
        self.stats = crawler.stats
        self.blocked: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockingMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        adcode = adcode_of(request)
        if self.threshold and self.blocked[adcode] >= self.threshold:
            raise IgnoreRequest(f"site skipped: blocked {self.blocked[adcode]} times this run")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        reason = blocking_reason(response.status, response.body)
        if reason:
            adcode = adcode_of(request)
            self.blocked[adcode] += 1
            self.stats.inc_value(site_stat(adcode, "blocked"))
            request.meta["nianbao_blocked"] = reason
        return response

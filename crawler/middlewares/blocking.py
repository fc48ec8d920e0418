"""Recognising anti-bot answers, so that blocking is recorded and a blocked site left alone.

Settings: ``NIANBAO_BLOCKING_ENABLED``, ``NIANBAO_BLOCKING_THRESHOLD`` (blocked answers before the
site is skipped for the rest of the run). An anti-bot challenge (412 with a ``$_ts`` script, a
captcha page) is unambiguous: the site is skipped after the first one, even when it was the answer
to ``robots.txt``. A blocked answer gets ``request.meta["nianbao_blocked"]``
(the reason, which the errors middleware records). Stats: ``nianbao/site/<adcode>/blocked``.
Nothing here tries to get around a block.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

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


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


class BlockingMiddleware:
    """Marks blocked answers and stops requesting a site once it is clearly blocked."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NIANBAO_BLOCKING_ENABLED"):
            raise NotConfigured
        self.threshold = settings.getint("NIANBAO_BLOCKING_THRESHOLD")
        self.stats = crawler.stats
        self.blocked: Counter[str] = Counter()
        self.challenged: dict[str, str] = {}
        # robots.txt requests carry no site: find it by host.
        self.adcodes = {
            _host(site["url"]): site["adcode"] for site in settings.get("NIANBAO_SITES") or []
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BlockingMiddleware:
        return cls(crawler)

    def _adcode(self, request: Request) -> str:
        adcode = adcode_of(request)
        return self.adcodes.get(_host(request.url), adcode) if adcode == "unknown" else adcode

    def process_request(self, request: Request) -> None:
        adcode = self._adcode(request)
        if adcode in self.challenged:
            raise IgnoreRequest(f"site skipped, {self.challenged[adcode]}")
        if self.threshold and self.blocked[adcode] >= self.threshold:
            raise IgnoreRequest(f"site skipped: blocked {self.blocked[adcode]} times this run")
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        reason = blocking_reason(response.status, response.body)
        if reason:
            adcode = self._adcode(request)
            self.blocked[adcode] += 1
            if "anti-bot" in reason:
                self.challenged.setdefault(adcode, f"{reason} at {request.url}")
            self.stats.inc_value(site_stat(adcode, "blocked"))
            request.meta["nianbao_blocked"] = reason
        return response

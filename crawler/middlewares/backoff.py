"""Backing off a site that answers 429/5xx or times out, on top of Scrapy's retries.

Settings: ``NIANBAO_BACKOFF_ENABLED``, ``NIANBAO_BACKOFF_MAX_DELAY`` (seconds, 60). Scrapy's
RetryMiddleware re-queues the request (``RETRY_TIMES``, ``RETRY_HTTP_CODES``); this middleware
makes the *site's* download slot wait before it: the delay doubles on each such answer (at
least the ``Retry-After`` the server asked for, at most the maximum) and halves back towards
``DOWNLOAD_DELAY`` with each good answer. AutoThrottle, when on, keeps adjusting from there.
Stats: ``nianbao/backoff``.

Answers are read on ``response_downloaded``, as AutoThrottle does, not in
``process_response``: Scrapy's downloader sends the site's next queued request as soon as a
download ends, before the middlewares see the answer, so a delay set there came one request
too late and a 503's ``Retry-After`` was not honoured by the request that followed it.
"""

from __future__ import annotations

from time import monotonic

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

BACKOFF_STATUSES = {429, 500, 502, 503, 504}


def retry_after(value: bytes | None) -> float:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds form), else 0.

    >>> retry_after(b"2")
    2.0
    >>> retry_after(b"Wed, 21 Oct 2015 07:28:00 GMT")
    0.0
    """
    try:
        return max(0.0, float(value or b""))
    except ValueError:
        return 0.0


def backed_off(current: float, base: float, asked: float, ceiling: float) -> float:
    """The slot delay after a 429/5xx/timeout.

    >>> backed_off(0.5, 0.5, 0.0, 60.0)
    1.0
    >>> backed_off(0.5, 0.5, 3.0, 60.0)
    3.0
    >>> backed_off(40.0, 0.5, 0.0, 60.0)
    60.0
    """
    return min(ceiling, max(current * 2, base * 2, asked, 0.25))


class BackoffMiddleware:
    """Slows one site down while it struggles; other sites go on at their own pace."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NIANBAO_BACKOFF_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.base = settings.getfloat("DOWNLOAD_DELAY")
        self.ceiling = settings.getfloat("NIANBAO_BACKOFF_MAX_DELAY")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def _slot(self, request: Request):
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return None
        return downloader.slots.get(downloader.get_slot_key(request))

    def response_downloaded(self, response: Response, request: Request) -> None:
        slot = self._slot(request)
        if slot is None:
            return
        if response.status in BACKOFF_STATUSES:
            asked = retry_after(response.headers.get("Retry-After"))
            self._back_off(slot, asked)
        elif response.status < 400 and slot.delay > self.base:
            slot.delay = max(self.base, slot.delay / 2)

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest):
            return None  # robots.txt, caps, a blocked site: nothing went wrong on the wire
        slot = self._slot(request)
        if slot is not None:
            self._back_off(slot, 0.0)
        return None

    def _back_off(self, slot, asked: float) -> None:
        slot.delay = backed_off(slot.delay, self.base, asked, self.ceiling)
        # Scrapy counts a slot's delay from when its last request went out; a Retry-After
        # counts from the answer, which a slow server gives long after
        slot.lastseen = max(slot.lastseen, monotonic())
        self.crawler.stats.inc_value("nianbao/backoff")

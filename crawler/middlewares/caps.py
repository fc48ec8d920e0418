"""Per-site caps: requests per run and a time budget, so one site cannot hold up a cron run.

Settings: ``NIANBAO_MAX_PAGES_PER_SITE`` (0 disables the cap), ``NIANBAO_SITE_TIME_BUDGET``
(seconds from a site's first request after which its remaining requests are dropped; 0 disables
it). Requests beyond a cap raise ``IgnoreRequest("page cap …")`` or
``IgnoreRequest("time budget …")``, which the errors middleware records. Stats:
``nianbao/site/<adcode>/capped``, ``nianbao/site/<adcode>/out_of_time``.
"""

from __future__ import annotations

import time
from collections import Counter

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.context import adcode_of, site_stat


class SitePageCapMiddleware:
    """Stops a site's crawl after ``NIANBAO_MAX_PAGES_PER_SITE`` requests or
    ``NIANBAO_SITE_TIME_BUDGET`` seconds."""

    def __init__(self, crawler: Crawler) -> None:
        self.cap = crawler.settings.getint("NIANBAO_MAX_PAGES_PER_SITE")
        self.budget = crawler.settings.getfloat("NIANBAO_SITE_TIME_BUDGET")
        if self.cap <= 0 and self.budget <= 0:
            raise NotConfigured
        self.stats = crawler.stats
        self.counts: Counter[str] = Counter()
        self.started: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SitePageCapMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.url.endswith("/robots.txt"):
            return None
        adcode = adcode_of(request)
        started = self.started.setdefault(adcode, time.monotonic())
        if self.budget > 0 and time.monotonic() - started > self.budget:
            self.stats.inc_value(site_stat(adcode, "out_of_time"))
            raise IgnoreRequest(f"time budget of {self.budget:g} s per site spent")
        self.counts[adcode] += 1
        if self.cap > 0 and self.counts[adcode] > self.cap:
            self.stats.inc_value(site_stat(adcode, "capped"))
            raise IgnoreRequest(f"page cap of {self.cap} requests per site reached")
        return None

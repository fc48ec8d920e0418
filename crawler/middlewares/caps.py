"""Per-site request cap.

Settings: ``NIANBAO_MAX_PAGES_PER_SITE`` (0 disables the cap). Requests beyond the cap raise
``IgnoreRequest("page cap …")``, which the errors middleware records. Stats:
``nianbao/site/<adcode>/capped``.
"""

from __future__ import annotations

from collections import Counter

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.context import adcode_of, site_stat


class SitePageCapMiddleware:
    """Stops a site's crawl after ``NIANBAO_MAX_PAGES_PER_SITE`` requests."""

    def __init__(self, crawler: Crawler) -> None:
        self.cap = crawler.settings.getint("NIANBAO_MAX_PAGES_PER_SITE")
        if self.cap <= 0:
            raise NotConfigured
        self.stats = crawler.stats
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SitePageCapMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if request.url.endswith("/robots.txt"):
            return None
        adcode = adcode_of(request)
        self.counts[adcode] += 1
        if self.counts[adcode] > self.cap:
            self.stats.inc_value(site_stat(adcode, "capped"))
            raise IgnoreRequest(f"page cap of {self.cap} requests per site reached")
        return None

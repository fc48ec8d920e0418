"""Python's cyclic garbage collector, tuned for a crawl (a Scrapy extension).

Setting ``NIANBAO_GC_THRESHOLDS`` (``[10000, 10, 10]``; empty = Python's own): the thresholds
set while the spider runs, restored when it closes. At Python's default (a collection every
700 net new objects) a fast crawl spent much of its CPU in collections, most of them full
collections of a heap that Twisted and Scrapy fill with long-lived objects. Pages are
freed by reference counting (:func:`crawler.spiders.base.detach_selector`), so a rarer
collection does not hold more of them: the peak memory of the crawl benchmark stays the same.

Example, in settings::

    EXTENSIONS = {"crawler.gcthresholds.GcThresholds": 0}
    NIANBAO_GC_THRESHOLDS = [10000, 10, 10]
"""

from __future__ import annotations

import gc

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class GcThresholds:
    """Sets :func:`gc.set_threshold` from ``NIANBAO_GC_THRESHOLDS`` for the spider's run."""

    def __init__(self, thresholds: list[int]) -> None:
        self.thresholds = thresholds
        self.saved = gc.get_threshold()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcThresholds:
        thresholds = [int(t) for t in crawler.settings.getlist("NIANBAO_GC_THRESHOLDS")]
        if not thresholds:
            raise NotConfigured
        extension = cls(thresholds)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.saved = gc.get_threshold()
        gc.set_threshold(*self.thresholds)

    def spider_closed(self) -> None:
        gc.set_threshold(*self.saved)

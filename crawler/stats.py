"""The crawl's stats collector: Scrapy's in-memory one, read at the cost of a plain object.

Scrapy 2.19 routes every attribute read on a stats collector through a Python
``__getattribute__`` that wraps its methods in a check for a deprecated ``spider`` argument,
and reads its own ``_stats`` through an ``AttributeError`` raised and caught. A crawl counts
pages, requests and items many times per response (Scrapy's own middlewares and ours), so the
shim cost more than the counting. :class:`StatsCollector` is the same collector without it.

Example, in settings::

    STATS_CLASS = "crawler.stats.StatsCollector"
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class StatsCollector(MemoryStatsCollector):
    """:class:`~scrapy.statscollectors.MemoryStatsCollector`, attributes read directly.

    >>> from scrapy.utils.test import get_crawler
    >>> stats = StatsCollector(get_crawler())
    >>> stats.inc_value("pages"); stats.inc_value("pages", 2); stats.get_value("pages")
    3
    """

    __getattribute__ = object.__getattribute__

"""The crawl's stats collector keeps Scrapy's in-memory collector's behaviour."""

from __future__ import annotations

import warnings

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

import crawler.settings as project_settings
from crawler.stats import StatsCollector


def exercise(stats) -> dict:
    stats.set_value("a", 1)
    stats.inc_value("a")
    stats.inc_value("b", 5, start=10)
    stats.max_value("m", 3)
    stats.max_value("m", 2)
    stats.min_value("n", 3)
    stats.min_value("n", 1)
    return {
        "stats": dict(stats.get_stats()),
        "a": stats.get_value("a"),
        "z": stats.get_value("z", 0),
    }


def test_it_counts_like_scrapys_memory_collector():
    ours = exercise(StatsCollector(get_crawler()))
    assert ours == exercise(MemoryStatsCollector(get_crawler()))
    assert ours == {"stats": {"a": 2, "b": 15, "m": 3, "n": 1}, "a": 2, "z": 0}


def test_it_takes_the_old_spider_argument_without_a_warning():
    stats = StatsCollector(get_crawler())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats.inc_value("pages", spider=None)
        stats.set_value("site", "ok", spider=None)
    assert stats.get_stats() == {"pages": 1, "site": "ok"}


def test_the_crawler_uses_it():
    crawler = get_crawler(settings_dict={"STATS_CLASS": project_settings.STATS_CLASS})
    assert type(crawler.stats) is StatsCollector

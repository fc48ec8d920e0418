"""Settings module of the egg deployed to Scrapyd: the project's settings, plus the spider
module of :mod:`crawler.cluster.spider` so that Scrapyd lists (and can schedule)
``county_shard``."""

from crawler.settings import *  # noqa: F403

SPIDER_MODULES = ["crawler.spiders", "crawler.cluster.spider"]

"""A progress line in the log every ``NIANBAO_PROGRESS_INTERVAL`` seconds while a crawl runs.

``progress: 120 responses, 35 reports (12 new), 2 errors, 14 queued`` — a cron run's log shows
it is alive and how far it got. Set the interval to 0 to turn it off.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


def progress_line(stats: dict) -> str:
    """The progress line for a stats dict.

    >>> progress_line({"response_received_count": 3, "nianbao/site/1/reports": 2,
    ...     "nianbao/site/1/new_reports": 1})
    'progress: 3 responses, 2 reports (1 new), 0 errors'
    """

    def total(suffix: str) -> int:
        return sum(
            v for k, v in stats.items() if k.startswith("nianbao/site/") and k.endswith(suffix)
        )

    return (
        f"progress: {stats.get('response_received_count', 0)} responses, "
        f"{total('/reports')} reports ({total('/new_reports')} new), {total('/errors')} errors"
    )


class Progress:
    """Logs :func:`progress_line` periodically (a Scrapy extension)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def log(self) -> None:
        logger.info(progress_line(self.crawler.stats.get_stats()))

    def opened(self) -> None:
        self.task = task.LoopingCall(self.log)
        self.task.start(self.interval, now=False)

    def closed(self) -> None:
        if self.task and self.task.running:
            self.task.stop()
        self.log()

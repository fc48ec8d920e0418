"""``county_shard``: the ``county`` spider as one Scrapyd job, doing what ``python -m crawler``
does around a crawl.

Scrapyd starts ``scrapy crawl county_shard -a sources=CSV -a data=DIR [-a shard=LABEL]
[-s NAME=VALUE …]``. Nothing runs before that command, so the spider does the run wiring
itself: in :meth:`ShardSpider.from_crawler` (settings are still mutable there) it reads the
sources, takes ``DATA/crawl.lock``, opens the run row and applies
:func:`crawler.run.build_settings`; when the spider closes it writes the per-site summary, the
removals, the ``sites`` rows and the finished run row, exactly like
:func:`crawler.run.crawl`, and releases the lock.

The run id carries the shard label (``20260130T080000Z-shard1``) so that the runs of several
shards stay distinct when their archives are merged (:mod:`archive.merge`).
"""

from __future__ import annotations

import io
import logging
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from archive import crawldb
from crawler.run import begin_run, crawl_lock, finish_run, print_summary, summary_line
from crawler.sources import read_sources
from crawler.spiders.county import CountySpider

logger = logging.getLogger(__name__)

CMDLINE = SETTINGS_PRIORITIES["cmdline"]


def _overrides(settings: BaseSettings) -> dict[str, Any]:
    """The settings given on the command line (Scrapyd's ``setting=NAME=VALUE``)."""
    return {k: settings[k] for k in settings if settings.getpriority(k) >= CMDLINE}


@dataclass
class ShardRun:
    """One crawl run of one data directory, opened before the spider and closed after it."""

    sources: Path
    data: Path
    sites: list[dict[str, str]]
    run_id: str
    settings: BaseSettings
    db: Any
    exit: ExitStack = field(default_factory=ExitStack)

    @classmethod
    def begin(cls, sources: Path, data: Path, label: str, given: BaseSettings) -> ShardRun:
        """Validate the sources, take the lock, open the run row and build the run's settings.

        :raises crawler.sources.SourcesError: on a bad sources file.
        :raises crawler.run.LockHeld: when another crawl holds ``DATA/crawl.lock``.
        """
        sites = read_sources(sources)
        exit_stack = ExitStack()
        exit_stack.enter_context(crawl_lock(data))
        try:
            db = crawldb.open_db(data / "archive.db")
            overrides = _overrides(given)
            if given.get("LOG_FILE"):
                # Scrapyd names the job's log (served at /logs/…); keep it there.
                overrides["LOG_FILE"] = given.get("LOG_FILE")
            run_id, settings = begin_run(db, sources, sites, data, overrides, label)
        except BaseException:
            exit_stack.close()
            raise
        return cls(sources, data, sites, run_id, settings, db, exit_stack)

    def finish(self, stats: dict[str, Any], reason: str) -> dict[str, Any]:
        """Record the run's outcome (as :func:`crawler.run.crawl` does) and release the lock;
        return the ``crawl_runs`` row written."""
        try:
            return self._finish(stats, reason)
        finally:
            self.exit.close()

    def _finish(self, stats: dict[str, Any], reason: str) -> dict[str, Any]:
        run, rows = finish_run(self.db, self.sites, self.run_id, self.settings, stats, reason)
        table = io.StringIO()
        print_summary(rows, table)
        logger.info("%s\n%s", summary_line(run, len(self.sites)), table.getvalue())
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return run


class ShardSpider(CountySpider):
    """The ``county`` spider, configured from spider arguments (see the module docstring).

    ``scrapy crawl county_shard -a sources=shard-0.csv -a data=data/shards/0 -a shard=shard0``
    """

    name = "county_shard"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ShardSpider:
        sources, data = kwargs.get("sources"), kwargs.get("data")
        if not sources or not data:
            raise ValueError("county_shard needs -a sources=CSV -a data=DIR")
        run = ShardRun.begin(
            Path(sources), Path(data), str(kwargs.get("shard") or ""), crawler.settings
        )
        try:
            # Only the run's wiring: the project-level values are already the egg's own.
            crawler.settings.update(_overrides(run.settings), priority="cmdline")
            spider = super().from_crawler(crawler, *args, **kwargs)
        except BaseException:
            run.finish({}, "failed")
            raise
        spider.nianbao_run = run

        reasons: list[str] = []

        def closed(spider: ShardSpider, reason: str) -> None:
            reasons.append(reason)

        def stopped() -> None:
            # After every spider_closed handler: SpiderState still writes into JOBDIR then.
            stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
            run.finish(stats, reasons[0] if reasons else str(stats.get("finish_reason", "")))

        crawler.signals.connect(closed, signal=signals.spider_closed, weak=False)
        crawler.signals.connect(stopped, signal=signals.engine_stopped, weak=False)
        return spider

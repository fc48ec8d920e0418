"""What the crawl's components share: the data directory, the archive database, site lookups.

One :class:`sqlite_utils.Database` per crawler, opened lazily and cached on the crawler, so the
middlewares and the pipeline write through the same connection (all of them run in the reactor
thread). Their writes are grouped into one transaction per ``NIANBAO_COMMIT_INTERVAL`` seconds
(:class:`CommitBatch`), committed again when the spider closes.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlite_utils
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from archive import crawldb
from archive.disk import is_write_failure

logger = logging.getLogger(__name__)

_ATTR = "_nianbao_db"
_BATCH = "_nianbao_commits"


class CommitBatch:
    """Keeps a write transaction open on the crawl's connection and commits it every
    ``interval`` seconds (checked on each :func:`database` call and by a timer), and when the
    spider closes.

    A commit per row was a fifth of a fast crawl's time. A crash loses at most the last
    interval's rows, never bytes: the WARC records and stored files are written before their
    rows, and a rerun that does not find the rows fetches those pages again. A batch that cannot
    be committed (a full disk) is given up the same way, so that the database is not left
    locked, and a full disk stops the crawl (:func:`stop_if_disk_full`). Code that commits on
    its own (``with db.conn``) only ends a batch early. ``interval <= 0`` commits each write.
    """

    def __init__(self, crawler: Crawler, db: sqlite_utils.Database, interval: float) -> None:
        self.crawler = crawler
        self.db = db
        self.interval = interval
        self.last = time.monotonic()
        self.timer = None
        if interval > 0:
            from twisted.internet import task

            self.timer = task.LoopingCall(self.tick)
            self.timer.start(interval, now=False)
        crawler.signals.connect(self.close, signal=signals.spider_closed)
        self.begin()

    def begin(self) -> None:
        if self.interval > 0 and not self.db.conn.in_transaction:
            self.db.conn.execute("BEGIN")

    def commit(self) -> None:
        """Commit what is pending now (and start the next batch); on failure give the batch
        up and raise."""
        self.last = time.monotonic()
        try:
            if self.db.conn.in_transaction:
                self.db.conn.commit()
        except sqlite3.Error:
            self.db.conn.rollback()
            raise
        self.begin()

    def tick(self) -> None:
        """Commit when the interval has passed. Never raises: it runs from a timer and from
        every :func:`database` call, whose callers did not write the batch."""
        if time.monotonic() - self.last < self.interval:
            return
        try:
            self.commit()
        except sqlite3.Error as exc:
            if not stop_if_disk_full(self.crawler, exc):
                logger.error("crawl database: a batch of rows could not be committed: %s", exc)
            self.begin()

    def close(self) -> None:
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        self.interval = 0
        try:
            self.commit()
        except sqlite3.Error as exc:
            logger.error("crawl database: the last rows could not be committed: %s", exc)


def data_dir(crawler: Crawler) -> Path:
    """``NIANBAO_DATA`` as a Path."""
    return Path(crawler.settings.get("NIANBAO_DATA") or "data")


def database(crawler: Crawler) -> sqlite_utils.Database:
    """The crawler's archive database (``DATA/archive.db``), opened once."""
    db = getattr(crawler, _ATTR, None)
    if db is None:
        db = crawldb.open_db(data_dir(crawler) / "archive.db")
        setattr(crawler, _ATTR, db)
        interval = crawler.settings.getfloat("NIANBAO_COMMIT_INTERVAL", 1.0)
        setattr(crawler, _BATCH, CommitBatch(crawler, db, interval))
    else:
        getattr(crawler, _BATCH).tick()
    return db


def now_iso() -> str:
    """The current UTC time, ISO 8601 with seconds, e.g. ``2026-01-30T08:00:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def site_of(request: Request) -> dict[str, Any]:
    """The sources row a request belongs to (empty dict when it belongs to none)."""
    return request.meta.get("nianbao_site") or {}


def adcode_of(request: Request) -> str:
    """The adcode a request belongs to, or ``"unknown"``."""
    return site_of(request).get("adcode") or "unknown"


def site_stat(adcode: str, name: str) -> str:
    """The stats key of a per-site counter, e.g. ``nianbao/site/330991/pages``."""
    return f"nianbao/site/{adcode}/{name}"


def stop_if_disk_full(crawler: Crawler, exc: BaseException) -> bool:
    """Close the spider with reason ``disk_full`` when ``exc`` says the disk is full (or that
    storage refused a write another way: :func:`archive.disk.is_write_failure`).

    Every further page would fail the same way; what is archived stays as it is, and the next
    run, with space again, goes on from there.
    """
    if not is_write_failure(exc):
        return False
    if crawler.stats and not crawler.stats.get_value("nianbao/disk_full"):
        crawler.stats.set_value("nianbao/disk_full", str(exc))
        if crawler.engine is not None:
            deferred_from_coro(crawler.engine.close_spider_async(reason="disk_full"))
    return True


def record_error(
    crawler: Crawler, request: Request, reason: str, status: int | None = None
) -> None:
    """Write a ``crawl_errors`` row and count it for the site."""
    adcode = adcode_of(request)
    crawldb.record_error(
        database(crawler),
        {
            "run_id": crawler.settings.get("NIANBAO_RUN_ID"),
            "adcode": adcode,
            "url": request.url,
            "method": request.method,
            "status": status,
            "reason": reason,
            "at": now_iso(),
        },
    )
    if crawler.stats:
        crawler.stats.inc_value(site_stat(adcode, "errors"))

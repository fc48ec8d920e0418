"""What the crawl's components share: the data directory, the archive database, site lookups.

One :class:`sqlite_utils.Database` per crawler, opened lazily and cached on the crawler, so the
middlewares and the pipeline write through the same connection (all of them run in the reactor
thread).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from scrapy import Request
from scrapy.crawler import Crawler

from archive import crawldb

_ATTR = "_nianbao_db"


def data_dir(crawler: Crawler) -> Path:
    """``NIANBAO_DATA`` as a Path."""
    return Path(crawler.settings.get("NIANBAO_DATA") or "data")


def database(crawler: Crawler) -> sqlite_utils.Database:
    """The crawler's archive database (``DATA/archive.db``), opened once."""
    db = getattr(crawler, _ATTR, None)
    if db is None:
        db = crawldb.open_db(data_dir(crawler) / "archive.db")
        setattr(crawler, _ATTR, db)
    return db


def now_iso() -> str:
    """The current UTC time, ISO 8601 with seconds, e.g. ``2026-01-30T08:00:00Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def site_of(request: Request) -> dict[str, Any]:
    """The sources row a request belongs to (empty dict when it belongs to none)."""
    return request.meta.get("nianbao_site") or {}


def adcode_of(request: Request) -> str:
    """The adcode a request belongs to, or ``"unknown"``."""
    return site_of(request).get("adcode") or "unknown"


def site_stat(adcode: str, name: str) -> str:
    """The stats key of a per-site counter, e.g. ``nianbao/site/330991/pages``."""
    return f"nianbao/site/{adcode}/{name}"


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

"""The archive pipeline: originals into the file store, rows into ``documents``/``report_links``.

Settings: ``NIANBAO_ARCHIVE_ENABLED``, ``NIANBAO_DATA``, ``NIANBAO_RUN_ID``. A
:class:`~crawler.items.DocumentItem` is stored by sha256 under ``DATA/files`` and gets a
``documents`` row (one per URL and version); a :class:`~crawler.items.ReportItem` is upserted into
``report_links`` by its stable id, so a report listed twice is one row. Stats: ``archive/new``
and ``archive/duplicate`` (files), ``attachment/<format>``, ``nianbao/site/<adcode>/reports``
(distinct reports seen this run) and ``…/new_reports``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from archive import crawldb
from archive.faults import maybe_crash
from archive.store import FileStore, sha256_hex
from crawler.attachments import extension
from crawler.context import data_dir, database, now_iso, site_stat, stop_if_disk_full
from crawler.items import DocumentItem, ReportItem


def _fields(item: DocumentItem | ReportItem, *skip: str) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every value, bodies included
    return {f.name: getattr(item, f.name) for f in fields(item) if f.name not in skip}


class ArchivePipeline:
    """Writes fetched documents and recognised reports to the store and the database."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NIANBAO_ARCHIVE_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.run_id = crawler.settings.get("NIANBAO_RUN_ID")
        self.store = FileStore(data_dir(crawler) / "files")
        self.seen: dict[str, set[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def process_item(self, item):
        try:
            if isinstance(item, DocumentItem):
                self.archive_document(item)
            elif isinstance(item, ReportItem):
                self.archive_report(item)
        except (OSError, sqlite3.Error) as exc:
            if stop_if_disk_full(self.crawler, exc):
                raise DropItem(f"disk full: {exc}") from exc
            raise
        return item

    def archive_document(self, item: DocumentItem) -> None:
        db = database(self.crawler)
        if item.stored:
            if item.revalidated:
                with db.conn:
                    db.execute(
                        "update documents set fetched_at = ? where url = ? and status = 200",
                        [now_iso(), item.url],
                    )
            return
        sha256 = item.sha256 or sha256_hex(item.body)
        new = self.store.add(item.body, sha256)
        maybe_crash("crawl.document_row")
        self.stats.inc_value("archive/new" if new else "archive/duplicate")
        if item.kind == "attachment":
            self.stats.inc_value(f"attachment/{extension(item.filename or item.url) or 'other'}")
        row = _fields(item, "body", "stored", "revalidated")
        row.update(
            id=crawldb.document_id(item.url, sha256),
            sha256=sha256,
            size=len(item.body),
            fetched_at=now_iso(),
            run_id=self.run_id,
        )
        crawldb.upsert_document(db, row)

    def archive_report(self, item: ReportItem) -> None:
        seen = now_iso()
        row = _fields(item) | {
            "first_seen": seen,
            "last_seen": seen,
            "last_run_id": self.run_id,
            "status": "online",
        }
        report_id, new = crawldb.upsert_report_link(database(self.crawler), row)
        seen_here = self.seen.setdefault(item.adcode, set())
        seen_here.add(report_id)
        self.stats.set_value(site_stat(item.adcode, "reports"), len(seen_here))
        if new:
            self.stats.inc_value(site_stat(item.adcode, "new_reports"))

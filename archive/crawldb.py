"""The crawl tables of ``DATA/archive.db``: schema and upserts (sqlite-utils, WAL mode).

Tables (see ARCHITECTURE.md):

- ``documents``: one row per fetched report page or attachment version, keyed by ``id`` =
  sha1 of ``url`` + ``sha256``.
- ``report_links``: one row per recognised report, keyed by :func:`report_link_id` (adcode and
  canonical document URL), so the same report listed in two columns is one row. ``status`` is
  ``online``, or ``removed`` once a complete crawl of the site no longer finds it
  (:func:`mark_removed`); ``last_run_id`` is the last run that saw it.
- ``crawl_runs``: one row per run with its per-site summary (JSON).
- ``sites``: one row per county (the sources row, unknown columns in ``extra``) with its health.
- ``crawl_errors``: failures (HTTP errors, timeouts, robots-forbidden, caps) with their reason.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import sqlite_utils
from w3lib.url import canonicalize_url

DOCUMENTS = {
    "id": str,
    "url": str,
    "final_url": str,
    "referrer": str,
    "adcode": str,
    "kind": str,
    "status": int,
    "fetched_at": str,
    "etag": str,
    "last_modified": str,
    "content_type": str,
    "filename": str,
    "size": int,
    "sha256": str,
    "warc_file": str,
    "warc_offset": int,
    "error": str,
    "run_id": str,
}

REPORT_LINKS = {
    "id": str,
    "adcode": str,
    "region": str,
    "publisher": str,
    "year": int,
    "title": str,
    "url": str,
    "published": str,
    "document_url": str,
    "document_sha256": str,
    "content_type": str,
    "listing_url": str,
    "first_seen": str,
    "last_seen": str,
    "last_run_id": str,
    "status": str,
}

CRAWL_RUNS = {
    "id": str,
    "started_at": str,
    "finished_at": str,
    "sources": str,
    "status": str,
    "finish_reason": str,
    "sites": int,
    "pages": int,
    "reports": int,
    "new_reports": int,
    "errors": int,
    "summary": str,
}

SITES = {
    "adcode": str,
    "name": str,
    "url": str,
    "province": str,
    "prefecture": str,
    "notes": str,
    "extra": str,
    "family": str,
    "last_run_id": str,
    "last_crawled": str,
    "last_status": str,
    "pages": int,
    "reports": int,
    "errors": int,
}

CRAWL_ERRORS = {
    "id": int,
    "run_id": str,
    "adcode": str,
    "url": str,
    "method": str,
    "status": int,
    "reason": str,
    "at": str,
}

TABLES: dict[str, tuple[dict[str, type], str]] = {
    "documents": (DOCUMENTS, "id"),
    "report_links": (REPORT_LINKS, "id"),
    "crawl_runs": (CRAWL_RUNS, "id"),
    "sites": (SITES, "adcode"),
    "crawl_errors": (CRAWL_ERRORS, "id"),
}

INDEXES = {
    "documents": [["url"], ["sha256"]],
    "report_links": [["adcode", "year"], ["document_sha256"]],
    "crawl_errors": [["run_id"], ["adcode"]],
}


def open_db(path: Path | str) -> sqlite_utils.Database:
    """Open (creating if needed) the archive database in WAL mode with the crawl tables.

    >>> db = open_db(tmp / "archive.db")  # doctest: +SKIP
    >>> "report_links" in db.table_names()  # doctest: +SKIP
    True
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.enable_wal()
    db.execute("PRAGMA busy_timeout = 30000")
    ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create the crawl tables and their indexes where missing; add missing columns."""
    for name, (columns, pk) in TABLES.items():
        table = db[name]
        if not table.exists():
            table.create(columns, pk=pk, not_null={pk})
        else:
            missing = {c: t for c, t in columns.items() if c not in table.columns_dict}
            for column, kind in missing.items():
                table.add_column(column, kind)
        for cols in INDEXES.get(name, []):
            table.create_index(cols, if_not_exists=True)


def report_link_id(adcode: str, document_url: str) -> str:
    """The stable id of a report: adcode plus sha1 of the canonical document URL.

    >>> report_link_id("330100", "http://a.example/x.pdf?b=2&a=1#top")
    '330100-c0d7054f7166'
    """
    canonical = canonicalize_url(document_url)
    return f"{adcode}-{hashlib.sha1(canonical.encode('utf-8')).hexdigest()[:12]}"


def document_id(url: str, sha256: str | None) -> str:
    """The id of one fetched version of a document (url + sha256)."""
    return hashlib.sha1(f"{canonicalize_url(url)}\n{sha256 or ''}".encode()).hexdigest()


def upsert_document(db: sqlite_utils.Database, row: dict[str, Any]) -> str:
    """Insert or update a ``documents`` row; ``id`` is derived from url and sha256 when absent."""
    row = {k: v for k, v in row.items() if k in DOCUMENTS}
    row.setdefault("id", document_id(row["url"], row.get("sha256")))
    db["documents"].upsert(row, pk="id")
    return row["id"]


def upsert_report_link(db: sqlite_utils.Database, row: dict[str, Any]) -> tuple[str, bool]:
    """Insert or refresh a ``report_links`` row; return (id, whether it is new).

    ``first_seen`` is kept from the existing row; ``last_seen`` and ``status`` are refreshed.
    """
    row = {k: v for k, v in row.items() if k in REPORT_LINKS}
    row.setdefault("id", report_link_id(row["adcode"], row["document_url"]))
    table = db["report_links"]
    existing = next(table.rows_where("id = ?", [row["id"]], limit=1), None)
    if existing:
        row["first_seen"] = existing["first_seen"] or row.get("first_seen")
        for key, value in existing.items():
            # A report reached again through a second column keeps what was learnt first.
            if key in ("publisher", "url", "listing_url", "published") and value:
                row[key] = value
    row.setdefault("status", "online")
    table.upsert(row, pk="id")
    return row["id"], existing is None


def mark_removed(db: sqlite_utils.Database, adcode: str, run_id: str) -> int:
    """Mark a site's reports not seen by run ``run_id`` as ``removed``; return how many changed.

    Call only after a complete crawl of the site (finished, no errors, not resumed): a report
    missing from an interrupted crawl has not been removed.
    """
    with db.conn:
        cursor = db.execute(
            "update report_links set status = 'removed' where adcode = ? and status = 'online'"
            " and (last_run_id is null or last_run_id != ?)",
            [adcode, run_id],
        )
    return cursor.rowcount


def record_error(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    """Append a ``crawl_errors`` row (run_id, adcode, url, method, status, reason, at)."""
    db["crawl_errors"].insert({k: v for k, v in row.items() if k in CRAWL_ERRORS and k != "id"})


def upsert_site(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    """Insert or update a ``sites`` row; columns not in the schema go to ``extra`` as JSON."""
    extra = {k: v for k, v in row.items() if k not in SITES}
    clean = {k: v for k, v in row.items() if k in SITES}
    if extra:
        clean["extra"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
    db["sites"].upsert(clean, pk="adcode")


def upsert_run(db: sqlite_utils.Database, row: dict[str, Any]) -> None:
    """Insert or update a ``crawl_runs`` row; a dict/list ``summary`` is stored as JSON."""
    row = {k: v for k, v in row.items() if k in CRAWL_RUNS}
    if not isinstance(row.get("summary", ""), str):
        row["summary"] = json.dumps(row["summary"], ensure_ascii=False)
    db["crawl_runs"].upsert(row, pk="id")


def latest_document(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The most recently fetched successful version of ``url``, or None."""
    if not db["documents"].exists():
        return None
    rows = db.query(
        "select * from documents where url = ? and sha256 is not null and status = 200"
        " order by fetched_at desc limit 1",
        [url],
    )
    return next(iter(rows), None)

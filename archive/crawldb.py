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
- ``events``: what changed between runs, one row per report and run: ``kind`` ``new``,
  ``changed`` (the document's bytes differ; the old version stays in ``documents`` and the store)
  or ``removed`` (404/410, or gone from a completely crawled site).
- ``warc_digests``: the latest payload digest archived per URL, so an unchanged response is
  written as a ``revisit`` record.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import sqlite_utils
from w3lib.url import canonicalize_url

from archive.faults import maybe_crash

DOCUMENTS = {
    "id": str,
    "url": str,
    "final_url": str,
    "referrer": str,
    "listing_url": str,
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
    "changed": int,
    "removed": int,
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
    "status": str,
    "last_success": str,
    "reports_by_year": str,
    "missing_years": str,
    "alert": str,
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

EVENTS = {
    "id": int,
    "kind": str,
    "report_id": str,
    "adcode": str,
    "run_id": str,
    "at": str,
    "detail": str,
}

WARC_DIGESTS = {
    "url": str,
    "digest": str,
    "record_id": str,
    "date": str,
    "warc_file": str,
}

TABLES: dict[str, tuple[dict[str, type], str]] = {
    "documents": (DOCUMENTS, "id"),
    "report_links": (REPORT_LINKS, "id"),
    "crawl_runs": (CRAWL_RUNS, "id"),
    "sites": (SITES, "adcode"),
    "crawl_errors": (CRAWL_ERRORS, "id"),
    "events": (EVENTS, "id"),
    "warc_digests": (WARC_DIGESTS, "url"),
}

INDEXES = {
    "documents": [["url"], ["sha256"]],
    "report_links": [["adcode", "year"], ["document_sha256"]],
    "crawl_errors": [["run_id"], ["adcode"]],
    "events": [["report_id"], ["run_id"]],
}


_UPSERTS: dict[tuple[str, tuple[str, ...]], str] = {}


def upsert_row(db: sqlite_utils.Database, table: str, row: dict[str, Any]) -> None:
    """Insert ``row`` into a crawl table, or update the given columns of the row with its key.

    The same as ``db[table].upsert(row, pk=...)`` for the tables of :data:`TABLES`, as one
    prepared statement: sqlite-utils re-reads the table's schema on every call, which on a
    crawl cost more than the write itself.

    >>> db = sqlite_utils.Database(memory=True); ensure_schema(db)
    >>> upsert_row(db, "warc_digests", {"url": "http://a.example/", "digest": "sha1:A"})
    >>> upsert_row(db, "warc_digests", {"url": "http://a.example/", "record_id": "<r>"})
    >>> db.execute("select digest, record_id from warc_digests").fetchall()
    [('sha1:A', '<r>')]
    """
    pk = TABLES[table][1]
    columns = tuple(row)
    sql = _UPSERTS.get((table, columns))
    if sql is None:
        names = ", ".join(f"[{c}]" for c in columns)
        marks = ", ".join("?" * len(columns))
        updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != pk)
        action = f"update set {updates}" if updates else "nothing"
        sql = f"insert into [{table}] ({names}) values ({marks}) on conflict([{pk}]) do {action}"
        _UPSERTS[(table, columns)] = sql
    params = [row[c] for c in columns]
    if db.conn.in_transaction:
        # one statement is atomic on its own: a savepoint around it cost two more per row
        db.conn.execute(sql, params)
        return
    with db.atomic():
        db.conn.execute(sql, params)


def _one(db: sqlite_utils.Database, sql: str, params: list[Any]) -> dict[str, Any] | None:
    cursor = db.conn.execute(sql, params)
    found = cursor.fetchone()
    if found is None:
        return None
    return dict(zip([d[0] for d in cursor.description], found, strict=True))


def open_db(path: Path | str) -> sqlite_utils.Database:
    """Open (creating if needed) the archive database in WAL mode with the crawl tables.

    >>> db = open_db(tmp / "archive.db")  # doctest: +SKIP
    >>> "report_links" in db.table_names()  # doctest: +SKIP
    True
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.enable_wal()
    # every item is its own commit; in WAL mode NORMAL syncs at checkpoints, not at each commit.
    # A process crash loses nothing committed; only a power cut or OS crash can lose the last
    # commits (the database stays consistent either way), and a rerun crawl refetches them.
    db.execute("PRAGMA synchronous = NORMAL")
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


@functools.lru_cache(maxsize=8192)
def canonical_url(url: str) -> str:
    """w3lib's ``canonicalize_url``, remembered for the last 8,192 URLs.

    A report's URL is canonicalised when it is listed, when its document is archived and when
    its row is written; w3lib splits, unquotes and requotes it every time.

    >>> canonical_url("http://a.example/x.pdf?b=2&a=1#top")
    'http://a.example/x.pdf?a=1&b=2'
    """
    return canonicalize_url(url)


def report_link_id(adcode: str, document_url: str) -> str:
    """The stable id of a report: adcode plus sha1 of the canonical document URL.

    >>> report_link_id("330100", "http://a.example/x.pdf?b=2&a=1#top")
    '330100-c0d7054f7166'
    """
    canonical = canonical_url(document_url)
    return f"{adcode}-{hashlib.sha1(canonical.encode('utf-8')).hexdigest()[:12]}"


def document_id(url: str, sha256: str | None) -> str:
    """The id of one fetched version of a document (url + sha256)."""
    return hashlib.sha1(f"{canonical_url(url)}\n{sha256 or ''}".encode()).hexdigest()


def upsert_document(db: sqlite_utils.Database, row: dict[str, Any]) -> str:
    """Insert or update a ``documents`` row; ``id`` is derived from url and sha256 when absent."""
    row = {k: v for k, v in row.items() if k in DOCUMENTS}
    if "id" not in row:
        row["id"] = document_id(row["url"], row.get("sha256"))
    upsert_row(db, "documents", row)
    return row["id"]


def record_event(
    db: sqlite_utils.Database,
    kind: str,
    report_id: str,
    adcode: str,
    run_id: str,
    at: str,
    detail: str | None = None,
) -> None:
    """Append an ``events`` row (``new``, ``changed`` or ``removed``)."""
    with db.atomic():
        db.conn.execute(
            "insert into events (kind, report_id, adcode, run_id, at, detail)"
            " values (?, ?, ?, ?, ?, ?)",
            [kind, report_id, adcode, run_id, at, detail],
        )


def upsert_report_link(db: sqlite_utils.Database, row: dict[str, Any]) -> tuple[str, bool]:
    """Insert or refresh a ``report_links`` row; return (id, whether it is new).

    ``first_seen`` is kept from the existing row; ``last_seen`` and ``status`` are refreshed. A
    new report gets a ``new`` event, a report whose document bytes differ a ``changed`` event
    (both need ``last_run_id`` in ``row``); a report seen again after removal comes back online.
    """
    row = {k: v for k, v in row.items() if k in REPORT_LINKS}
    row.setdefault("id", report_link_id(row["adcode"], row["document_url"]))
    existing = _one(db, "select * from report_links where id = ?", [row["id"]])
    if existing:
        row["first_seen"] = existing["first_seen"] or row.get("first_seen")
        for key, value in existing.items():
            # A report reached again through a second column keeps what was learnt first.
            if key in ("publisher", "url", "listing_url", "published") and value:
                row[key] = value
    row.setdefault("status", "online")
    run_id, at = row.get("last_run_id"), row.get("last_seen") or ""
    # The row and its event commit together: a kill between them would lose the ``new`` event
    # for good (the next run finds the row and takes the report as known).
    with db.atomic():
        upsert_row(db, "report_links", row)
        maybe_crash("crawl.report_txn")
        if run_id and existing is None:
            record_event(db, "new", row["id"], row["adcode"], run_id, at)
        elif (
            run_id
            and existing.get("last_run_id") != run_id
            and existing.get("document_sha256")
            and existing["document_sha256"] != row.get("document_sha256")
        ):
            detail = f"{existing['document_sha256']} -> {row.get('document_sha256')}"
            record_event(db, "changed", row["id"], row["adcode"], run_id, at, detail)
    return row["id"], existing is None


def mark_removed(
    db: sqlite_utils.Database,
    adcode: str,
    run_id: str,
    at: str = "",
    urls: list[str] | None = None,
) -> int:
    """Mark reports ``removed`` and record a ``removed`` event for each; return how many.

    With ``urls``, the reports whose page or document is one of them (they answered 404/410);
    without, the site's reports not seen by run ``run_id``. Call the latter only after a
    complete crawl of the site (finished, not resumed): a report missing from an interrupted
    crawl has not been removed.
    """
    if urls is not None:
        marks = ",".join("?" * len(urls)) or "''"
        where = (
            f"adcode = ? and status = 'online' and (url in ({marks}) or document_url in ({marks}))"
        )
        params: list[Any] = [adcode, *urls, *urls]
    else:
        where = "adcode = ? and status = 'online' and (last_run_id is null or last_run_id != ?)"
        params = [adcode, run_id]
    ids = [r[0] for r in db.execute(f"select id from report_links where {where}", params)]
    with db.conn:
        for report_id in ids:
            db.execute("update report_links set status = 'removed' where id = ?", [report_id])
    for report_id in ids:
        record_event(db, "removed", report_id, adcode, run_id, at)
    return len(ids)


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


def warc_digest_of(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The last archived payload digest of ``url`` (for ``revisit`` records), or None."""
    return _one(db, "select * from warc_digests where url = ?", [url])


def latest_document(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The most recently fetched successful version of ``url``, or None."""
    return _one(
        db,
        "select * from documents where url = ? and sha256 is not null and status = 200"
        " order by fetched_at desc limit 1",
        [url],
    )

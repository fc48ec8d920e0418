"""The content-addressed file store and the crawl tables."""

from __future__ import annotations

import hashlib

import pytest

from archive import crawldb
from archive.store import FileStore


def test_put_and_path(tmp_path):
    store = FileStore(tmp_path / "files")
    data = "青岚县年报".encode() + b"\x00\xff"
    digest = store.put(data)
    assert digest == hashlib.sha256(data).hexdigest()
    path = store.path(digest)
    assert path == tmp_path / "files" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == data
    assert store.put(data) == digest  # idempotent
    assert [p.name for p in path.parent.iterdir()] == [digest]  # no temp files left


def test_add_says_whether_the_file_was_new(tmp_path):
    store = FileStore(tmp_path / "files")
    data = b"%PDF-1.7 report"
    digest = hashlib.sha256(data).hexdigest()
    assert store.add(data, digest) is True
    assert store.add(data, digest) is False  # the archive pipeline counts it as a duplicate
    assert store.path(digest).read_bytes() == data
    assert [p.name for p in store.path(digest).parent.iterdir()] == [digest]


def test_path_rejects_non_digests(tmp_path):
    with pytest.raises(ValueError):
        FileStore(tmp_path).path("../../etc/passwd")


def test_crawl_tables_wal_and_one_row_per_report(tmp_path):
    db = crawldb.open_db(tmp_path / "archive.db")
    assert db.journal_mode == "wal"
    assert {"documents", "report_links", "crawl_runs", "sites", "crawl_errors"} <= set(
        db.table_names()
    )
    row = {
        "adcode": "330991",
        "publisher": "青岚县教育局",
        "year": 2023,
        "document_url": "http://127.0.0.11/a.pdf?b=2&a=1",
        "url": "http://127.0.0.11/col/1/art.html",
        "first_seen": "2026-01-01T00:00:00Z",
        "last_seen": "2026-01-01T00:00:00Z",
    }
    first_id, first_new = crawldb.upsert_report_link(db, row)
    # The same report listed in a second column, reached through another URL spelling.
    again = row | {
        "document_url": "http://127.0.0.11/a.pdf?a=1&b=2#page=1",
        "url": "http://127.0.0.11/col/2/art.html",
        "first_seen": "2026-02-01T00:00:00Z",
        "last_seen": "2026-02-01T00:00:00Z",
    }
    second_id, second_new = crawldb.upsert_report_link(db, again)
    assert (first_new, second_new) == (True, False)
    assert first_id == second_id == crawldb.report_link_id("330991", row["document_url"])
    (stored,) = db["report_links"].rows
    assert stored["first_seen"] == "2026-01-01T00:00:00Z"
    assert stored["last_seen"] == "2026-02-01T00:00:00Z"
    assert stored["url"] == "http://127.0.0.11/col/1/art.html"
    assert crawldb.report_link_id("430991", row["document_url"]) != first_id


def test_reports_not_seen_by_a_complete_run_are_marked_removed(tmp_path):
    db = crawldb.open_db(tmp_path / "archive.db")
    for n, run in ((1, "run1"), (2, "run2")):
        crawldb.upsert_report_link(
            db,
            {"adcode": "330991", "document_url": f"http://x/{n}.pdf", "last_run_id": run},
        )
    crawldb.upsert_report_link(
        db, {"adcode": "430991", "document_url": "http://y/1.pdf", "last_run_id": "run1"}
    )
    assert crawldb.mark_removed(db, "330991", "run2") == 1
    status = {r["document_url"]: r["status"] for r in db["report_links"].rows}
    assert status == {
        "http://x/1.pdf": "removed",
        "http://x/2.pdf": "online",
        "http://y/1.pdf": "online",  # another site is not touched
    }
    # Seen again later: online again.
    crawldb.upsert_report_link(
        db, {"adcode": "330991", "document_url": "http://x/1.pdf", "last_run_id": "run3"}
    )
    assert (
        db["report_links"].get(crawldb.report_link_id("330991", "http://x/1.pdf"))["status"]
        == "online"
    )


def test_events_record_new_changed_and_removed_reports(tmp_path):
    db = crawldb.open_db(tmp_path / "archive.db")
    base = {"adcode": "330991", "url": "http://x/art.html", "document_url": "http://x/1.pdf"}
    crawldb.upsert_report_link(db, base | {"document_sha256": "a" * 64, "last_run_id": "r1"})
    crawldb.upsert_report_link(db, base | {"document_sha256": "a" * 64, "last_run_id": "r1"})
    crawldb.upsert_report_link(db, base | {"document_sha256": "a" * 64, "last_run_id": "r2"})
    crawldb.upsert_report_link(db, base | {"document_sha256": "b" * 64, "last_run_id": "r3"})
    # The page answered 404 in run r4: removed, whatever the lists say.
    assert crawldb.mark_removed(db, "330991", "r4", "t", urls=["http://x/art.html"]) == 1
    assert crawldb.mark_removed(db, "330991", "r4", "t", urls=["http://x/art.html"]) == 0
    events = [(e["kind"], e["run_id"]) for e in db["events"].rows_where(order_by="id")]
    assert events == [("new", "r1"), ("changed", "r3"), ("removed", "r4")]
    (changed,) = db["events"].rows_where("kind = 'changed'")
    assert changed["detail"] == f"{'a' * 64} -> {'b' * 64}"


def test_sites_keep_health_and_flag_a_site_that_stopped_yielding(tmp_path):
    from crawler.run import record_sites

    db = crawldb.open_db(tmp_path / "archive.db")
    for year in (2019, 2020, 2022):
        crawldb.upsert_report_link(
            db, {"adcode": "330991", "document_url": f"http://x/{year}.pdf", "year": year}
        )
    site = {"adcode": "330991", "name": "青岚县", "url": "http://x/"}
    row = {"family": "hanweb", "status": "ok", "pages": 9, "reports": 3, "errors": 0}
    record_sites(db, [site], [dict(row)], "r1", "2026-01-01T00:00:00Z")
    record_sites(
        db, [site], [row | {"status": "empty", "reports": 0}], "r2", "2026-02-01T00:00:00Z"
    )
    health = db["sites"].get("330991")
    assert health["status"] == "empty"
    assert health["last_success"] == "2026-01-01T00:00:00Z"
    assert health["reports_by_year"] == '{"2019": 1, "2020": 1, "2022": 1}'
    assert health["missing_years"] == "[2021]"
    assert health["alert"] == "had 3 reports, now empty"

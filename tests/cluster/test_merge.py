"""archive.merge on small hand-made shards: natural keys, newest wins, renames, idempotence."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

from archive import crawldb
from archive.db import open_archive
from archive.merge import main, merge
from archive.store import FileStore
from extract.template import DIMENSIONS

WARC = "nianbao-20260101T000000Z-00001.warc.gz"
ROW, APPLICANT = DIMENSIONS["row"][0].code, DIMENSIONS["applicant"][0].code


def make_shard(root: Path, label: str, seen: str, value: int, extracted: str) -> dict[str, str]:
    """A shard that fetched report R1 (and a document of its own) on day ``seen``."""
    files = FileStore(root / "files")
    shared, own = files.put(b"report R1 bytes"), files.put(f"page of {label}".encode())
    (root / "warc").mkdir(parents=True)
    (root / "warc" / WARC).write_bytes(gzip.compress(f"warc of {label}".encode(), mtime=0))
    db = open_archive(root / "archive.db")
    crawldb.ensure_schema(db)
    run = f"{seen[:10].replace('-', '')}T000000Z-{label}"
    crawldb.upsert_run(db, {"id": run, "started_at": seen, "finished_at": seen, "status": "ok"})
    for url, digest in (("http://a.gov.cn/r1.pdf", shared), (f"http://a.gov.cn/{label}", own)):
        crawldb.upsert_document(
            db,
            {"url": url, "sha256": digest, "fetched_at": seen, "warc_file": WARC, "run_id": run},
        )
    crawldb.upsert_report_link(
        db,
        {
            "adcode": "330991",
            "year": 2023,
            "publisher": "青岚县人民政府",
            "title": f"title seen by {label}",
            "url": "http://a.gov.cn/r1.html",
            "document_url": "http://a.gov.cn/r1.pdf",
            "document_sha256": shared,
            "first_seen": seen,
            "last_seen": seen,
            "last_run_id": run,
        },
    )
    crawldb.record_error(
        db, {"run_id": "same", "adcode": "330991", "url": "http://a.gov.cn/x", "status": 404}
    )
    crawldb.record_error(db, {"run_id": run, "adcode": "330991", "url": f"http://a.gov.cn/{label}"})
    report_id = crawldb.report_link_id("330991", "http://a.gov.cn/r1.pdf")
    db["reports"].insert(
        {"id": report_id, "adcode": "330991", "year": 2023, "sha256": shared},
        replace=True,
    )
    db["reports"].update(report_id, {"extracted_at": extracted, "extractor_version": "1"})
    db["request_stats"].insert(
        {"report_id": report_id, "row": ROW, "applicant": APPLICANT, "value": value, "blank": 0}
    )
    db.close()
    return {"report": report_id, "shared": shared, "own": own}


def rows(path: Path, sql: str) -> list[tuple]:
    return sorted(sqlite3.connect(path / "archive.db").execute(sql).fetchall())


def dump(path: Path) -> dict[str, list]:
    db = sqlite3.connect(path / "archive.db")
    tables = [t for (t,) in db.execute("select name from sqlite_master where type = 'table'")]
    out = {t: sorted(map(repr, db.execute(f"select * from [{t}]"))) for t in tables}
    out["files"] = sorted(p.name for p in (path / "files").glob("*/*/*"))
    out["warc"] = sorted(p.name for p in (path / "warc").iterdir())
    return out


def shards(tmp_path: Path) -> tuple[Path, Path, dict[str, str], dict[str, str]]:
    a, b = tmp_path / "a", tmp_path / "b"
    ka = make_shard(a, "a", "2026-01-01T00:00:00Z", 5, "2026-01-01T01:00:00+00:00")
    kb = make_shard(b, "b", "2026-02-01T00:00:00Z", 7, "2026-02-01T01:00:00+00:00")
    return a, b, ka, kb


def test_a_report_seen_by_two_shards_is_one_report(tmp_path):
    a, b, ka, _ = shards(tmp_path)
    out = tmp_path / "out"
    summary = merge([a, b], out)
    assert rows(out, "select id, first_seen, last_seen, title from report_links") == [
        (ka["report"], "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", "title seen by b")
    ]
    # the newer extraction wins, with its own stats rows only
    assert rows(out, "select report_id, value from request_stats") == [(ka["report"], 7)]
    assert rows(out, "select count(*) from reports") == [(1,)]
    assert summary.rows["report_links"] == 2  # inserted from a, refreshed from b


def test_files_by_sha256_and_clashing_warcs_renamed(tmp_path):
    a, b, ka, kb = shards(tmp_path)
    out = tmp_path / "out"
    summary = merge([a, b], out)
    assert summary.files == 3  # the shared report once, each shard's own page
    assert {p.name for p in (out / "files").glob("*/*/*")} == {ka["shared"], ka["own"], kb["own"]}
    renamed = WARC.replace(".warc.gz", "-m1.warc.gz")
    assert sorted(p.name for p in (out / "warc").iterdir()) == sorted([WARC, renamed])
    assert (out / "warc" / renamed).read_bytes() == (b / "warc" / WARC).read_bytes()
    assert rows(
        out, "select url, warc_file from documents where url like '%/a' or url like '%/b'"
    ) == [
        ("http://a.gov.cn/a", WARC),
        ("http://a.gov.cn/b", renamed),
    ]
    # the shared document: one row per (url, sha256), from the later fetch
    assert rows(out, "select fetched_at, warc_file from documents where url like '%r1.pdf'") == [
        ("2026-02-01T00:00:00Z", renamed)
    ]


def test_appended_tables_take_identical_rows_once(tmp_path):
    a, b, _, _ = shards(tmp_path)
    out = tmp_path / "out"
    merge([a, b], out)
    assert rows(out, "select run_id, url from crawl_errors") == [
        ("20260101T000000Z-a", "http://a.gov.cn/a"),
        ("20260201T000000Z-b", "http://a.gov.cn/b"),
        ("same", "http://a.gov.cn/x"),
    ]
    assert rows(out, "select id from crawl_runs") == [
        ("20260101T000000Z-a",),
        ("20260201T000000Z-b",),
    ]


def test_merging_again_or_in_another_order_gives_the_same_archive(tmp_path):
    a, b, _, _ = shards(tmp_path)
    out, reverse = tmp_path / "out", tmp_path / "reverse"
    merge([a, b], out)
    first = dump(out)
    again = merge([a, b], out)
    assert not again.changed
    assert dump(out) == first
    merge([b, a], reverse)
    keyed = "select * from report_links"
    assert rows(reverse, keyed) == rows(out, keyed)
    assert rows(reverse, "select value from request_stats") == [(7,)]


def test_a_file_whose_bytes_do_not_match_its_name_is_not_copied(tmp_path, capsys):
    a, b, _, _ = shards(tmp_path)
    fake = "0" * 64
    bad = a / "files" / "00" / "00" / fake
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not the zero hash")
    code = main(["--out", str(tmp_path / "out"), str(a), str(b)])
    assert code == 1
    assert not (tmp_path / "out" / "files" / "00" / "00" / fake).exists()
    assert str(bad) in capsys.readouterr().out

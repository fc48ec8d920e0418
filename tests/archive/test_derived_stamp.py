"""Derived tables are rebuilt on serve only when the contract tables changed; query plans."""

from __future__ import annotations

from archive import serve as serve_module
from archive.crawldb import open_db
from archive.db import open_archive, save_report
from archive.derived import STAMP_TABLE, is_current, rebuild, rebuild_if_stale
from tests.archive.conftest import link
from tests.archive.sample import parsed_report

OLD = "2020-01-01T00:00:00+00:00"


def _age(db) -> None:
    """Date every extraction in the past, as in an archive extracted before the serve."""
    db.execute("update reports set extracted_at = ?", [OLD])
    db.conn.commit()


def test_rebuild_if_stale_skips_until_a_report_changes(filled_archive):
    db = open_archive(filled_archive)
    # a stamp taken in the same second as the latest extraction is not trusted (set here, not
    # left to whether the fixture's rebuild fell in the second of its last save)
    latest = db.execute("select max(extracted_at) from reports").fetchone()[0]
    db.execute(f"update [{STAMP_TABLE}] set built_at = ?", [latest])
    db.conn.commit()
    assert not is_current(db)
    _age(db)
    assert rebuild_if_stale(db) is True
    assert rebuild_if_stale(db) is False
    stamp = db.execute(f"select fingerprint from [{STAMP_TABLE}]").fetchone()[0]
    assert "reports=4 " in stamp and "checks=" in stamp
    # a new report (extracted now) makes the tables stale, and the rebuild includes it
    parsed = parsed_report(new=11, year=2023, publisher="乙县教育局")
    save_report(
        db, link("r-new", "990102", "乙县", "乙县教育局", 2023), parsed, extractor_version="t1"
    )
    assert not is_current(db)
    _age(db)
    assert rebuild_if_stale(db) is True
    assert db.execute("select count(*) from report_figures").fetchone()[0] == 5
    assert rebuild_if_stale(db) is False


def test_re_extraction_with_the_same_counts_is_stale(filled_archive):
    db = open_archive(filled_archive)
    _age(db)
    rebuild(db)
    assert is_current(db)
    # same reports, same checks: only the report's extraction time differs
    db.execute("update reports set extracted_at = ? where id = 'r-fin-2023'", [OLD[:-9] + "1:00"])
    db.conn.commit()
    assert not is_current(db)


def test_missing_derived_table_or_stamp_is_stale(filled_archive):
    db = open_archive(filled_archive)
    _age(db)
    rebuild(db)
    db["counties"].drop()
    assert not is_current(db)
    rebuild(db)
    assert is_current(db)
    db.execute(f"delete from [{STAMP_TABLE}]")
    db.conn.commit()
    assert not is_current(db)


def test_prepare_rebuilds_only_when_stale(filled_archive, monkeypatch):
    db = open_archive(filled_archive)
    _age(db)
    rebuild(db)
    db.close()
    calls = []
    monkeypatch.setattr("archive.derived.rebuild", lambda db: calls.append(db))
    serve_module.prepare(filled_archive.parent)
    assert calls == []
    db = open_archive(filled_archive)
    db.execute("update reports set extracted_at = ? where id = 'r-fin-2023'", ["2021-01-01"])
    db.conn.commit()
    db.close()
    serve_module.prepare(filled_archive.parent)
    assert len(calls) == 1


def test_rebuild_leaves_statistics_and_the_failed_checks_index(filled_archive):
    db = open_archive(filled_archive)
    assert db.execute("select count(*) from sqlite_stat1").fetchone()[0] > 0
    index_sql = db.execute(
        "select sql from sqlite_master where name = 'idx_checks_failed'"
    ).fetchone()[0]
    assert "where passed = 0" in index_sql.lower()
    plan = " ".join(
        r[3]
        for r in db.execute(
            "explain query plan select report_id from checks where passed = 0 and report_id = ?",
            ["r-edu-2023"],
        )
    )
    assert "idx_checks_passed " not in plan + " "
    failed = dict(db.execute("select report_id, failed_checks from report_figures").fetchall())
    assert failed == {"r-edu-2022": 0, "r-edu-2023": 1, "r-gov-2023": 0, "r-fin-2023": 0}


def test_crawl_db_syncs_normal_in_wal(tmp_path):
    db = open_db(tmp_path / "archive.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # 1 = NORMAL (2 = FULL, the default)
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1

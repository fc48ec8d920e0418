"""Scale-out on loopback: two Scrapyd daemons crawl the sample web in two shards, the shards are
merged, a two-worker Dask cluster extracts, and the archive equals a single-machine run's.

Every server is real and started here (see conftest.py); nothing is mocked.
"""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from crawler.shards import shard_of
from sampleweb import serve_sample_web
from tests.cluster.servers import get_json, start_dask, start_scrapyd
from tests.helpers import PYTHON, REPO

FAST = ["-s", "DOWNLOAD_DELAY=0.02", "-s", "AUTOTHROTTLE_ENABLED=False"]
STATS = {
    "proactive_stats": ("item", "measure"),
    "request_stats": ("row", "applicant"),
    "appeal_stats": ("proceeding", "result"),
}


def run(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(PYTHON), "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def snapshot(data: Path) -> dict[str, object]:
    """What must not depend on how the archive was made: reports, numbers, checks, links."""
    db = sqlite3.connect(data / "archive.db")
    report = "r.adcode, r.publisher, r.year"
    stats = {
        (table, *row[:5]): row[5:]
        for table, (a, b) in STATS.items()
        for row in db.execute(
            f"select {report}, s.[{a}], s.[{b}], s.value, s.blank from {table} s"
            " join reports r on r.id = s.report_id"
        )
    }
    return {
        "reports": set(db.execute(f"select {report} from reports r")),
        "stats": stats,
        "checks": set(
            db.execute(
                f"select {report}, c.[check], c.scope, c.passed from checks c"
                " join reports r on r.id = c.report_id"
            )
        ),
        "sections": set(db.execute("select report_id, section, text from sections")),
        "links": set(
            db.execute("select id, adcode, year, document_url, document_sha256 from report_links")
        ),
        "documents": set(db.execute("select url, sha256, status from documents")),
        "sites": set(db.execute("select adcode, status, pages, reports from sites")),
        "figures": db.execute("select count(*) from report_figures").fetchone()[0],
    }


def dump(data: Path) -> dict[str, list]:
    """Every row of every table, and the file and WARC names: for idempotence."""
    db = sqlite3.connect(data / "archive.db")
    tables = [t for (t,) in db.execute("select name from sqlite_master where type = 'table'")]
    rows = {t: sorted(map(repr, db.execute(f"select * from [{t}]"))) for t in tables}
    rows["files"] = sorted(p.name for p in (data / "files").glob("*/*/*"))
    rows["warc"] = sorted(p.name for p in (data / "warc").glob("*"))
    return rows


@pytest.fixture(scope="module")
def archives(servers, tmp_path_factory):
    """(single-machine DATA, merged DATA, cluster DATA root, sources, node URLs)."""
    tmp = tmp_path_factory.mktemp("cluster")
    nodes = [start_scrapyd(servers, tmp / f"scrapyd{k}") for k in range(2)]
    scheduler = start_dask(servers, tmp / "dask", workers=2)
    with serve_sample_web(tmp / "web") as web:
        sources = web.write_sources(tmp / "sources.csv")
        single, cluster = tmp / "single", tmp / "cluster"
        # the single-machine crawl runs beside the cluster's: same web, same moment
        alone = subprocess.Popen(
            [str(PYTHON), "-m", "crawler", "--sources", str(sources), "--data", str(single)] + FAST,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        crawl = run(
            "crawler.scrapyd",
            "crawl",
            "--sources",
            str(sources),
            "--data",
            str(cluster),
            "--nodes",
            ",".join(nodes),
            "--timeout",
            "120",
            *FAST,
        )
        alone_out = alone.communicate(timeout=300)[0]
        assert alone.returncode == 0, alone_out
        truth = web.truth
    run("extract.batch", "--data", str(single))
    shards = [cluster / "shards" / str(k) for k in range(2)]
    merged = cluster / "merged"
    run("archive.merge", "--out", str(merged), *map(str, shards))
    extracted = run("extract.cluster", "--data", str(merged), "--scheduler", scheduler)
    again = run("extract.cluster", "--data", str(merged), "--scheduler", scheduler)
    return {
        "extract_out": extracted.stdout,
        "extract_again": again.stdout,
        "single": single,
        "merged": merged,
        "shards": shards,
        "sources": sources,
        "nodes": nodes,
        "truth": truth,
        "crawl_out": crawl.stdout,
    }


def test_each_shard_ran_as_a_scrapyd_job_on_its_own_node(archives):
    for k, node in enumerate(archives["nodes"]):
        jobs = get_json(f"{node}/listjobs.json?project=nianbao")
        assert [j["spider"] for j in jobs["finished"]] == ["county_shard"]
        shard = archives["shards"][k]
        db = sqlite3.connect(shard / "archive.db")
        (run_id, status) = db.execute("select id, status from crawl_runs").fetchone()
        assert run_id.endswith(f"-shard{k}") and status == "ok"
        adcodes = {a for (a,) in db.execute("select distinct adcode from report_links")}
        sites = {a for (a,) in db.execute("select adcode from sites")}
        assert adcodes == sites
        urls = dict(db.execute("select adcode, url from sites"))
        assert all(shard_of(url, 2) == k for url in urls.values())
    # the sample web's three hosts fall into both shards, so both nodes did real work
    assert sum(1 for s in archives["shards"] for _ in (s / "files").glob("*/*/*")) > 0
    assert "shard 0" in archives["crawl_out"] and "shard 1" in archives["crawl_out"]


def test_merged_archive_equals_the_single_machine_run(archives):
    single, merged = snapshot(archives["single"]), snapshot(archives["merged"])
    assert len(single["reports"]) == 78
    assert len(single["stats"]) > 3000
    for key in single:
        assert merged[key] == single[key], key
    truth = {(r["adcode"], r["publisher"], r["year"]) for r in archives["truth"]["reports"]}
    assert merged["reports"] == truth


def test_cluster_extraction_parses_each_document_once(archives):
    assert "extract: 78 documents to parse" in archives["extract_out"]
    assert "parsed 78, failed 0, missing from store 0; reports saved 78" in archives["extract_out"]
    assert "extract: 0 documents to parse" in archives["extract_again"]


def test_merged_store_and_warcs_hold_every_shard_file(archives):
    merged = archives["merged"]
    names = {p.name for p in (merged / "files").glob("*/*/*")}
    for shard in archives["shards"]:
        assert {p.name for p in (shard / "files").glob("*/*/*")} <= names
    db = sqlite3.connect(merged / "archive.db")
    warcs = {w for (w,) in db.execute("select distinct warc_file from documents")}
    assert warcs and all((merged / "warc" / w).is_file() for w in warcs)
    assert len(list((merged / "warc").glob("*.warc.gz"))) == sum(
        len(list((s / "warc").glob("*.warc.gz"))) for s in archives["shards"]
    )


def test_merging_again_changes_nothing(archives):
    merged = archives["merged"]
    before = dump(merged)
    again = run("archive.merge", "--out", str(merged), *map(str, archives["shards"]))
    assert "0 files, 0 WARC files copied" in again.stdout
    assert "rows written: none" in again.stdout
    assert dump(merged) == before


def test_a_report_seen_by_two_shards_is_one_report(archives, tmp_path):
    """The same shard merged under two names, the copy seen later: still one row per report,
    first seen from the earlier sighting, last seen from the later one."""
    merged = tmp_path / "merged"
    shutil.copytree(archives["merged"], merged)
    shard = archives["shards"][1]
    later = tmp_path / "later"
    shutil.copytree(shard, later)
    db = sqlite3.connect(later / "archive.db")
    with db:
        db.execute("update report_links set last_seen = '2099-01-01T00:00:00Z'")
    db.close()
    count = sqlite3.connect(merged / "archive.db").execute("select count(*) from reports")
    reports_before = count.fetchone()[0]
    run("archive.merge", "--out", str(merged), str(shard), str(later))
    out = sqlite3.connect(merged / "archive.db")
    assert out.execute("select count(*) from reports").fetchone()[0] == reports_before
    rows = out.execute(
        "select count(*), count(distinct id) from report_links where last_seen = ?",
        ["2099-01-01T00:00:00Z"],
    ).fetchone()
    assert rows == (30, 30)  # the Hanweb county's 30 reports, once each
    first = dict(out.execute("select id, first_seen from report_links"))
    original = sqlite3.connect(shard / "archive.db")
    assert all(
        first[i] == f for i, f in original.execute("select id, first_seen from report_links")
    )


def test_a_shard_whose_data_is_locked_fails_the_crawl(archives, tmp_path):
    """A job that cannot take its shard's crawl.lock records no run: the driver says so."""
    data = tmp_path / "data"
    locks = []
    for k in range(2):
        (data / "shards" / str(k)).mkdir(parents=True)
        lock = open(data / "shards" / str(k) / "crawl.lock", "a+")
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        locks.append(lock)
    try:
        done = subprocess.run(
            [str(PYTHON), "-m", "crawler.scrapyd", "crawl", "--sources", str(archives["sources"])]
            + ["--data", str(data), "--nodes", ",".join(archives["nodes"]), "--no-deploy"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        for lock in locks:
            lock.close()
    assert done.returncode == 1, done.stdout + done.stderr
    for k in range(2):
        assert f"crawl: shard {k} recorded no run; see http://127.0.0.1:" in done.stdout
    assert not (data / "shards" / "0" / "archive.db").exists()

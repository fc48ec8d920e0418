"""The whole crawler against the sample web, run as users run it (a subprocess per crawl)."""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.store import FileStore
from crawler.parsing import usable_cpus
from sampleweb import serve_sample_web
from tests.helpers import PYTHON, REPO

FAST = ["-s", "DOWNLOAD_DELAY=0.01", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=0"]


def crawl_args(sources: Path, data: Path, *extra: str) -> list[str]:
    """The command line of ``python -m crawler`` over ``sources`` into ``data``."""
    return [str(PYTHON), "-m", "crawler", "--sources", str(sources), "--data", str(data), *extra]


def run_crawl(sources: Path, data: Path, *extra: str, timeout: float = 120, env=None):
    return subprocess.run(
        crawl_args(sources, data, *extra),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The sample web crawled once, then crawled again (incremental)."""
    root = tmp_path_factory.mktemp("sampleweb")
    data = tmp_path_factory.mktemp("data")
    # where Scrapy would put per-user files (platformdirs' state directory)
    state = tmp_path_factory.mktemp("state")
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    with serve_sample_web(root) as web:
        sources = web.write_sources(root / "sources.csv")
        first = run_crawl(sources, data, *FAST, env=env)
        first_requests = web.requests()
        second = run_crawl(sources, data, *FAST, env=env)
        second_requests = web.requests()[len(first_requests) :]
        robots = {
            site["base_url"]: urllib.request.urlopen(site["base_url"] + "robots.txt").read()
            for site in web.sites
        }
        yield {
            "web": web,
            "data": data,
            "first": first,
            "second": second,
            "first_requests": first_requests,
            "second_requests": second_requests,
            "robots": robots,
            "truth": web.truth,
            "state": state,
        }


def test_crawl_exits_zero_with_a_summary(crawled):
    first = crawled["first"]
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert (
        lines[0].startswith("crawl: run ")
        and "78 reports (78 new, 0 changed, 0 removed), 0 errors" in lines[0]
    )
    assert lines[1].split() == [
        "adcode",
        "name",
        "family",
        "pages",
        "reports",
        "new",
        "changed",
        "removed",
        "errors",
        "status",
    ]
    families = {line.split()[0]: line.split()[2] for line in lines[2:]}
    assert families == {"330991": "hanweb", "430991": "trs", "620991": "standard"}
    db = sqlite3.connect(crawled["data"] / "archive.db")
    runs = db.execute("select status, reports, new_reports from crawl_runs order by id").fetchall()
    assert runs == [("ok", 78, 78), ("ok", 78, 0)]
    assert (crawled["data"] / "logs").is_dir() and list((crawled["data"] / "logs").iterdir())


def test_crawl_writes_nothing_outside_data_and_warns_of_nothing(crawled):
    # Scrapy's remote control would leave a job file per run in the user's state directory
    assert list(crawled["state"].rglob("*")) == []
    for log in (crawled["data"] / "logs").glob("crawl-*.log"):
        text = log.read_text(encoding="utf-8")
        assert "Warning" not in text and "Remote control" not in text, log.name


def test_report_links_equal_the_truth(crawled):
    truth = crawled["truth"]
    db = sqlite3.connect(crawled["data"] / "archive.db")
    got = {
        (adcode, publisher, year, path_of(document))
        for adcode, publisher, year, document in db.execute(
            "select adcode, publisher, year, document_url from report_links"
        )
    }
    expected = {(r["adcode"], r["publisher"], r["year"], r["document"]) for r in truth["reports"]}
    assert got == expected
    pages = {path_of(u) for (u,) in db.execute("select url from report_links")}
    assert pages == {r["page"] for r in truth["reports"]}
    assert not pages & {d["page"] for d in truth["distractors"]}


def test_documents_are_in_the_store_byte_for_byte(crawled):
    store = FileStore(crawled["data"] / "files")
    db = sqlite3.connect(crawled["data"] / "archive.db")
    rows = db.execute(
        "select r.document_sha256, d.size from report_links r"
        " join documents d on d.sha256 = r.document_sha256"
    ).fetchall()
    assert len({sha for sha, _ in rows}) == 78
    for sha, size in rows:
        assert store.path(sha).stat().st_size == size
    pdfs = db.execute(
        "select count(*) from documents where kind = 'attachment' and filename like '%.pdf'"
    ).fetchone()[0]
    assert pdfs == sum(r["format"] == "pdf" for r in crawled["truth"]["reports"])


def test_robots_disallowed_paths_are_never_requested(crawled):
    disallowed = [
        line.split(":", 1)[1].strip()
        for body in crawled["robots"].values()
        for line in body.decode().splitlines()
        if line.lower().startswith("disallow:") and line.split(":", 1)[1].strip()
    ]
    assert disallowed  # the sample web does disallow something
    requested = [r["path"] for r in crawled["first_requests"] + crawled["second_requests"]]
    assert not [p for p in requested if any(p.startswith(d) for d in disallowed)]


def test_every_warc_file_reads_cleanly(crawled):
    files = sorted((crawled["data"] / "warc").glob("*.warc.gz"))
    assert len(files) == 2  # one per run
    kinds: dict[str, int] = {}
    posts = 0
    for path in files:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, check_digests="raise"):
                kinds[record.rec_type] = kinds.get(record.rec_type, 0) + 1
                if record.rec_type == "request" and record.http_headers.protocol == "POST":
                    posts += 1
                    assert b"columnid=" in record.content_stream().read()
    assert kinds["warcinfo"] == 2
    # The second run finds most pages unchanged (or 304): revisit records, not copies.
    assert kinds["revisit"] > kinds["response"] / 2
    assert kinds["request"] == kinds["response"] + kinds["revisit"]
    sent = len(crawled["first_requests"]) + len(crawled["second_requests"])
    assert kinds["response"] + kinds["revisit"] == sent
    assert posts == sum(r["method"] == "POST" for r in crawled["first_requests"]) * 2


def test_rerun_does_not_download_known_attachments(crawled):
    second = crawled["second"]
    assert second.returncode == 0, second.stderr
    assert "78 reports (0 new," in second.stdout.splitlines()[0]
    attachments = {
        path_of(r["document"]) for r in crawled["truth"]["reports"] if r["format"] == "pdf"
    }
    again = [r for r in crawled["second_requests"] if path_of_req(r) in attachments]
    assert again == []
    assert not (crawled["data"] / "state" / "job").exists()  # finished: nothing to resume
    db = sqlite3.connect(crawled["data"] / "archive.db")
    assert db.execute("select status, count(*) from report_links group by status").fetchall() == [
        ("online", 78)
    ]


def path_of_req(entry: dict) -> str:
    return entry["path"] + (f"?{entry['query']}" if entry["query"] else "")


def test_bad_sources_exit_2_with_one_line(tmp_path):
    sources = tmp_path / "sources.csv"
    sources.write_text("adcode,name,url\n330991,青岚县,http://127.0.0.1:9/\n33010,x,http://a/\n")
    result = run_crawl(sources, tmp_path / "data")
    assert result.returncode == 2
    assert result.stderr == "sources.csv:3: adcode '33010' is not a 6-digit GB/T 2260 code\n"
    assert not (tmp_path / "data").exists()


def lock_is_held(path: Path) -> bool:
    if not path.exists():
        return False
    with open(path, "a") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return False


def report_keys(data: Path) -> set[tuple]:
    db = sqlite3.connect(data / "archive.db")
    try:
        rows = db.execute("select adcode, publisher, year, document_url from report_links")
    except sqlite3.OperationalError:  # the crawl has not created its tables yet
        return set()
    return {(a, p, y, path_of(d)) for a, p, y, d in rows}


def test_second_concurrent_run_exits_zero_and_a_stopped_run_resumes(tmp_path):
    data = tmp_path / "data"
    with serve_sample_web(tmp_path / "web") as web:
        sources = web.write_sources(tmp_path / "sources.csv")
        slow = subprocess.Popen(
            crawl_args(
                sources, data, "-s", "DOWNLOAD_DELAY=0.3", "-s", "AUTOTHROTTLE_ENABLED=False"
            ),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 30
            while not lock_is_held(data / "crawl.lock"):
                assert time.monotonic() < deadline, "the first crawl never took the lock"
                time.sleep(0.1)
            second = run_crawl(sources, data, *FAST)
            while not (data / "archive.db").exists() or not report_keys(data):
                # Let the slow run archive something before it is stopped.
                assert time.monotonic() < deadline + 30, "the first crawl found no report"
                time.sleep(0.2)
        finally:
            slow.terminate()  # what cron's timeout or a reboot does: SIGTERM
            slow.wait(timeout=30)
        assert second.returncode == 0
        assert second.stdout == f"crawl: another crawl is running ({data}/crawl.lock); exiting\n"
        assert (data / "state" / "job" / "spider.state").exists()  # the queue was saved
        seen_before = len(report_keys(data))
        resumed = run_crawl(sources, data, *FAST)
        assert resumed.returncode == 0, resumed.stderr
        # the resumed run took the saved queue (an empty one would have started afresh)
        (log,) = [p for p in (data / "logs").glob("crawl-*.log") if "'finished'" in p.read_text()]
        from_disk = re.search(r"'scheduler/dequeued/disk': (\d+)", log.read_text())
        assert from_disk and int(from_disk.group(1)) > 0
        truth = web.truth
    db = sqlite3.connect(data / "archive.db")
    assert [r for (r,) in db.execute("select finish_reason from crawl_runs order by id")] == [
        "shutdown",
        "finished",
    ]
    assert 0 < seen_before < len(truth["reports"])
    expected = {(r["adcode"], r["publisher"], r["year"], r["document"]) for r in truth["reports"]}
    assert report_keys(data) == expected
    assert not (data / "state" / "job").exists()


def crawl_stats(data: Path) -> dict[str, int]:
    """The integer stats of the newest crawl log of ``data``."""
    log = max((data / "logs").glob("crawl-*.log"))
    return {k: int(v) for k, v in re.findall(r"'([\w/]+)': (\d+)\b", log.read_text("utf-8"))}


needs_two_cpus = pytest.mark.skipif(usable_cpus() < 2, reason="the parse worker needs two CPUs")


@needs_two_cpus
def test_article_pages_are_read_in_the_parse_worker(crawled):
    stats = crawl_stats(crawled["data"])
    truth_pages = {r["page"] for r in crawled["truth"]["reports"]}
    html_pages = {p for p in truth_pages if not p.endswith((".pdf", ".doc", ".docx", ".wps"))}
    # every article page of the second run came back from the worker (or was read here when the
    # worker held its fill); none was lost
    assert stats["parse/worker"] > 0
    assert stats["parse/worker"] + stats.get("parse/local", 0) >= len(html_pages) > 0
    assert "parse/worker_lost" not in stats


@needs_two_cpus
def test_a_parse_worker_that_dies_mid_crawl_loses_nothing(tmp_path, crawled):
    data = tmp_path / "data"
    env = {**os.environ, "NIANBAO_CRASH_AT": "crawl.parse_worker:5"}
    with serve_sample_web(tmp_path / "web") as web:
        sources = web.write_sources(tmp_path / "sources.csv")
        done = run_crawl(sources, data, *FAST, env=env)
    assert done.returncode == 0, done.stderr
    assert "78 reports (78 new, 0 changed, 0 removed), 0 errors" in done.stdout.splitlines()[0]
    assert report_keys(data) == report_keys(crawled["data"])
    stats = crawl_stats(data)
    assert (stats["parse/worker"], stats["parse/worker_lost"]) == (4, 1)
    log = max((data / "logs").glob("crawl-*.log")).read_text("utf-8")
    assert "the parse worker has gone" in log and "read in the crawl's process" in log

"""The whole slice as a user runs it: `make crawl`, `make extract`, then Datasette over HTTP.

The sample web is started by the test on loopback; numbers are compared with the generator's truth.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
import urllib.request

import pytest

from sampleweb import serve_sample_web
from sampleweb.crossyear import cross_year_results
from tests.helpers import REPO, free_port

pytestmark = pytest.mark.e2e


def make(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Crawl and extract the sample web once; yield (data dir, truth)."""
    root = tmp_path_factory.mktemp("sampleweb")
    data = tmp_path_factory.mktemp("data")
    with serve_sample_web(root) as web:
        sources = web.write_sources(root / "sources.csv")
        crawl = make(
            "crawl",
            f"SOURCES={sources}",
            f"DATA={data}",
            "CRAWL_OPTS=-s DOWNLOAD_DELAY=0.02 -s AUTOTHROTTLE_ENABLED=False",
        )
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        truth = web.truth
    extract = make("extract", f"DATA={data}")
    assert extract.returncode == 0, extract.stdout + extract.stderr
    yield data, truth


def report_key(report: dict) -> tuple:
    return (report["adcode"], report["publisher"], report["year"])


def test_every_report_is_in_the_archive(pipeline):
    data, truth = pipeline
    db = sqlite3.connect(data / "archive.db")
    got = set(db.execute("select adcode, publisher, year from reports"))
    assert got == {report_key(r) for r in truth["reports"]}


def test_numbers_match_truth(pipeline):
    data, truth = pipeline
    db = sqlite3.connect(data / "archive.db")
    mismatches = []
    total = 0
    for report in truth["reports"]:
        (rid,) = db.execute(
            "select id from reports where adcode=? and publisher=? and year=?",
            report_key(report),
        ).fetchone()
        for table, cols in (
            ("proactive_stats", ("item", "measure")),
            ("request_stats", ("row", "applicant")),
            ("appeal_stats", ("proceeding", "result")),
        ):
            got = {
                tuple(row[:2]): row[2]
                for row in db.execute(
                    f"select {cols[0]}, {cols[1]}, value from {table} where report_id=?", (rid,)
                )
            }
            for a, b, value in report[table]:
                total += 1
                if got.get((a, b)) != (value or 0):
                    mismatches.append((report["title"], table, a, b, value, got.get((a, b))))
    assert total > 3000
    assert mismatches == []


def test_a_known_report_reads_back_through_datasette(pipeline):
    data, truth = pipeline
    report = next(
        r for r in truth["reports"] if r["format"] == "pdf" and r["form_version"] == "2021"
    )
    db = sqlite3.connect(data / "archive.db")
    (rid,) = db.execute(
        "select id from reports where adcode=? and publisher=? and year=?", report_key(report)
    ).fetchone()
    port = free_port()
    server = subprocess.Popen(
        [
            str(REPO / ".venv/bin/python"),
            "-m",
            "archive",
            "serve",
            "--data",
            str(data),
            "--port",
            str(port),
        ],
        cwd=REPO,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/archive/request_stats.json?report_id={rid}&_shape=array&_size=max"
        rows = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    rows = json.load(response)
                break
            except OSError:
                time.sleep(0.2)
        assert rows is not None, "datasette did not answer"
        got = {(r["row"], r["applicant"]): r["value"] for r in rows}
        expected = {(a, b): v or 0 for a, b, v in report["request_stats"]}
        assert got == expected
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def test_failing_checks_match_truth(pipeline):
    data, truth = pipeline
    db = sqlite3.connect(data / "archive.db")
    got = set(
        db.execute(
            "select r.adcode, r.publisher, r.year, c.[check], c.scope from checks c"
            " join reports r on r.id = c.report_id where c.passed = 0"
        )
    )
    expected = {
        (*report_key(r), check, scope)
        for r in truth["reports"]
        for check, scope in r["failing_checks"]
    }
    # the archive also checks carried_out of year N against carried_in of N+1
    expected |= {
        (e["adcode"], e["publisher"], e["year"], e["check"], e["scope"])
        for e in cross_year_results(truth["reports"])
        if not e["passed"]
    }
    assert got == expected

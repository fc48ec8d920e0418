"""The crawler against the sample web's full profile, over real HTTP, as cron runs it.

One module-scoped fixture serves the full profile, crawls it, advances the web (2025 reports
added, one report removed) and crawls again; the tests read the server's request log, the
database, the file store and the WARC files of those two runs.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter, defaultdict
from itertools import pairwise
from operator import itemgetter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.titles import normalise
from sampleweb import serve_sample_web
from tests.crawler.test_crawl import crawl_args, path_of, path_of_req, run_crawl
from tests.helpers import REPO

FAST = ["-s", "DOWNLOAD_DELAY=0.01", "-s", "AUTOTHROTTLE_ENABLED=False"]
BLOCKED, GKMLPT, SLOW = "320991", "440991", "510991"


def report_set(data: Path) -> set[tuple]:
    db = sqlite3.connect(data / "archive.db")
    rows = db.execute(
        "select adcode, publisher, year, document_url from report_links where status = 'online'"
    )
    return {(a, p, y, path_of(d)) for a, p, y, d in rows}


def truth_set(reports: list[dict]) -> set[tuple]:
    return {(r["adcode"], r["publisher"], r["year"], r["document"]) for r in reports}


def warc_payload_bytes(data: Path) -> dict[str, int]:
    """Response payload bytes per crawl run (``isPartOf`` of each file's warcinfo)."""
    totals: dict[str, int] = defaultdict(int)
    for path in sorted((data / "warc").glob("*.warc.gz")):
        run = None
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh, check_digests="raise"):
                if record.rec_type == "warcinfo":
                    info = record.content_stream().read().decode()
                    run = next(
                        v
                        for k, _, v in (ln.partition(": ") for ln in info.splitlines())
                        if k == "isPartOf"
                    )
                elif record.rec_type == "response":
                    totals[run] += len(record.content_stream().read())
    return dict(totals)


def write_sources(web, path: Path, adcodes: set[str]) -> Path:
    full = web.write_sources(path)
    with open(full, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["adcode"] in adcodes]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    root = tmp_path_factory.mktemp("fullweb")
    data = tmp_path_factory.mktemp("fulldata")
    with serve_sample_web(root, profile="full") as web:
        sources = web.write_sources(root / "sources.csv")
        first = run_crawl(sources, data, *FAST)
        first_requests = web.requests()
        truth0 = copy.deepcopy(web.truth)
        first_reports = report_set(data)
        first_db = {
            "errors": sqlite3.connect(data / "archive.db")
            .execute("select adcode, url, status, reason from crawl_errors")
            .fetchall()
        }
        truth1 = web.advance()
        second = run_crawl(sources, data, *FAST)
        second_requests = web.requests()[len(first_requests) :]
        yield {
            "web": web,
            "root": root,
            "data": data,
            "sources": sources,
            "first": first,
            "second": second,
            "first_requests": first_requests,
            "second_requests": second_requests,
            "first_reports": first_reports,
            "first_db": first_db,
            "truth0": truth0,
            "truth1": copy.deepcopy(truth1),
        }


def db_of(full) -> sqlite3.Connection:
    return sqlite3.connect(full["data"] / "archive.db")


def test_first_crawl_finds_exactly_the_truth(full):
    assert full["first"].returncode == 0, full["first"].stderr
    assert full["first_reports"] == truth_set(full["truth0"]["reports"])
    # 107 templated reports, 6 free-form (2015–2018) reports and one 图片版-only report of 440991
    assert len(full["first_reports"]) == len(full["truth0"]["reports"]) == 114


def test_excluded_reports_and_distractors_are_not_reports(full):
    db = db_of(full)
    pages = {path_of(u) for (u,) in db.execute("select url from report_links")}
    assert not pages & {d["page"] for d in full["truth0"]["distractors"]}
    assert not pages & {e["page"] for e in full["truth0"]["excluded"]}
    # The attachment that answers 404 is recorded as a failure with its status.
    (hazard,) = [h for h in full["truth0"]["hazards"] if h["kind"] == "attachment_404"]
    errors = [(path_of(u), s) for a, u, s, _ in full["first_db"]["errors"] if a == GKMLPT]
    assert (hazard["paths"][1], 404) in errors


def test_sites_get_their_expected_status_and_health(full):
    summary = full["first"].stdout.splitlines()
    statuses = {line.split()[0]: line.split()[-1] for line in summary[2:]}
    expected = {s["adcode"]: s["expected_status"] for s in full["truth0"]["sites"]}
    assert statuses == expected
    assert (
        summary[2:][[s["adcode"] for s in full["truth0"]["sites"]].index(GKMLPT)].split()[2]
        == "gkmlpt"
    )
    db = db_of(full)
    db.row_factory = sqlite3.Row
    sites = {r["adcode"]: dict(r) for r in db.execute("select * from sites")}
    assert sites[BLOCKED]["status"] == "blocked" and sites[BLOCKED]["last_success"] is None
    assert sites[GKMLPT]["status"] == "ok" and sites[GKMLPT]["last_success"]
    assert sites[SLOW]["reports_by_year"] == '{"2023": 3, "2024": 3}'
    assert sites[SLOW]["missing_years"] == "[]"
    assert all(s["alert"] is None for s in sites.values())
    (run,) = db.execute("select * from crawl_runs order by id limit 1")
    per_site = {r["adcode"]: r for r in json.loads(run["summary"])}
    assert per_site[GKMLPT]["reports"] == 30 and per_site[BLOCKED]["status"] == "blocked"
    assert set(per_site[GKMLPT]) >= {"pages", "new", "changed", "removed", "errors", "status"}
    logs = sorted((full["data"] / "logs").glob("crawl-*.log"))
    assert len(logs) == 2 and "progress: " in logs[0].read_text(encoding="utf-8")


def test_the_blocked_site_is_left_alone_after_its_challenge(full):
    for requests in (full["first_requests"], full["second_requests"]):
        to_blocked = [r for r in requests if r["host"] == "127.0.0.16"]
        assert len(to_blocked) == 1 and to_blocked[0]["status"] == 412


def test_no_request_to_a_robots_disallowed_path(full):
    disallowed = []
    for robots in (full["root"] / "sites").glob("*/robots.txt"):
        for line in robots.read_text().splitlines():
            if line.lower().startswith("disallow:") and line.split(":", 1)[1].strip():
                disallowed.append(line.split(":", 1)[1].strip())
    assert "/jgjg/archive/" in disallowed
    requested = [r["path"] for r in full["first_requests"] + full["second_requests"]]
    assert [p for p in requested if any(p.startswith(d) for d in disallowed)] == []


def test_never_two_requests_at_once_to_one_site(full):
    by_host = defaultdict(list)
    for r in full["first_requests"] + full["second_requests"]:
        by_host[r["host"]].append((r["start"], r["end"]))
    assert len(by_host) == 6
    for host, spans in by_host.items():
        spans.sort()
        overlaps = [(a, b) for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1]]
        assert overlaps == [], host


def test_the_crawl_trap_is_not_followed_without_bound(full):
    (trap,) = [h for h in full["truth0"]["hazards"] if h["kind"] == "crawl_trap"]
    path = trap["paths"][0].split("?")[0]
    hits = [r for r in full["first_requests"] if r["path"] == path]
    assert len(hits) <= 3


def test_hazards_of_the_gkmlpt_county(full):
    hazards = {h["kind"]: h for h in full["truth0"]["hazards"] if h["adcode"] == GKMLPT}
    db = db_of(full)
    requests = full["first_requests"]
    # 503 twice, then 200: retried, and the report is there.
    retried = hazards["retry_503"]["paths"][0]
    attempts = [r for r in requests if r["path"] == retried]
    assert [r["status"] for r in attempts] == [503, 503, 200]
    # Retry-After: 1 is honoured: after each 503 the site's next request, whichever page it
    # asks for, waits at least that long (pages were queued for it, so one could go at once)
    host = sorted(
        (r for r in requests if r["host"] == attempts[0]["host"]), key=itemgetter("start")
    )
    gaps = [b["start"] - a["end"] for a, b in pairwise(host) if a["status"] == 503]
    assert len(gaps) == 2 and min(gaps) >= 0.95, gaps
    # Redirect chain: the report's page is the final URL; documents keeps both.
    first_url, *_, final = hazards["redirect_chain"]["paths"]
    (row,) = db.execute(
        "select url, final_url, etag, listing_url from documents where final_url like ?",
        [f"%{final}"],
    ).fetchall()
    assert path_of(row[0]) == first_url and path_of(row[1]) == final and row[2]
    assert "/gkmlpt/api/all/2581?page=" in row[3]
    listing = db.execute(
        "select listing_url from report_links where url like ?", [f"%{final}"]
    ).fetchone()[0]
    assert "/gkmlpt/api/all/2581?page=" in listing
    # Header says UTF-8, bytes are GBK: the title still reads right.
    mismatch = hazards["charset_mismatch"]
    titles = [t for (t,) in db.execute("select title from report_links where adcode = ?", [GKMLPT])]
    assert mismatch["title"] in titles
    # 图片版 next to 文字版: both pages and the PNG archived, one report.
    image_page, png, text_page = hazards["image_version"]["paths"]
    archived = {path_of(u) for (u,) in db.execute("select url from documents")}
    assert {image_page, png, text_page} <= archived
    assert db.execute(
        "select count(*) from report_links where url like ? or url like ?",
        [f"%{image_page}", f"%{text_page}"],
    ).fetchone() == (1,)
    # Listed in two columns: one report.
    dup = hazards["duplicate_listing"]["paths"][-1]
    assert db.execute(
        "select count(*) from report_links where url like ?", [f"%{dup}"]
    ).fetchone() == (1,)


def test_an_image_only_report_is_a_report_with_its_image_as_document(full):
    [truth] = [r for r in full["truth0"]["reports"] if r["format"] == "png"]
    db = db_of(full)
    rows = db.execute(
        "select publisher, year, title, url, document_url from report_links where adcode = ?"
        " and title like '%图片版%'",
        [GKMLPT],
    ).fetchall()
    # the 图片版 beside its 文字版 is not a report; the one alone is, its PNG the document
    assert [(p, y, path_of(u), path_of(d)) for p, y, _, u, d in rows] == [
        (truth["publisher"], truth["year"], truth["page"], truth["document"])
    ]
    assert rows[0][2] == normalise(truth["title"])
    [sha] = db.execute("select sha256 from documents where url = ?", [rows[0][4]]).fetchone()
    stored = full["data"] / "files" / sha[:2] / sha[2:4] / sha
    assert stored.read_bytes() == (full["root"] / truth["file"]).read_bytes()


def test_a_report_listed_in_two_columns_is_one_report(full):
    dup = next(h for h in full["truth0"]["hazards"] if h["kind"] == "duplicate_listing")
    nb_api, tz_api, page = dup["paths"]
    asked = {e["path"] for e in full["first_requests"] if e["host"] == dup["host"]}
    assert {nb_api, tz_api} <= asked  # 年报 and 通知公告 are both read
    db = db_of(full)
    rows = db.execute(
        "select listing_url from report_links where adcode = ? and url like ?",
        [GKMLPT, f"%{page}"],
    ).fetchall()
    assert len(rows) == 1 and path_of(rows[0][0]).split("?")[0] in (nb_api, tz_api)
    # both listings are archived (WARC response records), and each lists the report's page
    listed_in = set()
    for path in sorted((full["data"] / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type == "response" and "/gkmlpt/api/all/" in uri:
                    if page.encode() in record.content_stream().read():
                        listed_in.add(path_of(uri).split("?")[0])
    assert listed_in == {nb_api, tz_api}
    pages = db.execute(
        "select count(*) from documents where url like ? and run_id = (select min(id) from"
        " crawl_runs)",
        [f"%{page}"],
    ).fetchone()[0]
    assert pages == 1  # fetched once, though listed twice


def test_another_countys_report_is_never_filed_under_this_one(full):
    (link,) = [h for h in full["truth0"]["hazards"] if h["kind"] == "cross_county_link"]
    db = db_of(full)
    offsite = db.execute(
        "select count(*) from report_links where adcode = ? and url like 'http://127.0.0.15%'",
        [GKMLPT],
    ).fetchone()[0]
    assert offsite == 0
    assert link["target_adcode"] == SLOW
    assert {r for r in full["first_reports"] if r[0] == SLOW} == truth_set(
        [r for r in full["truth0"]["reports"] if r["adcode"] == SLOW]
    )


def test_second_crawl_downloads_little_and_no_known_attachment(full):
    assert full["second"].returncode == 0, full["second"].stderr
    payload = warc_payload_bytes(full["data"])
    first, second = (payload[k] for k in sorted(payload))
    assert second <= 0.10 * first, (first, second)
    attachments = {r["document"] for r in full["truth0"]["reports"] if r["document"] != r["page"]}
    again = [path_of_req(r) for r in full["second_requests"] if path_of_req(r) in attachments]
    assert again == []


def test_second_crawl_finds_the_new_reports_and_records_the_removed_one(full):
    truth1 = full["truth1"]
    assert report_set(full["data"]) == truth_set(truth1["reports"])
    db = db_of(full)
    second_run = db.execute("select id from crawl_runs order by id").fetchall()[-1][0]
    events = Counter(
        (kind, run == second_run) for kind, run in db.execute("select kind, run_id from events")
    )
    assert events[("new", True)] == len(truth1["added"]) == 3
    assert events[("removed", True)] == len(truth1["removed"]) == 2
    assert events[("new", False)] == 114
    for removed in truth1["removed"]:
        (row,) = db.execute(
            "select id, status from report_links where url like ?", [f"%{removed['page']}"]
        ).fetchall()
        assert row[1] == "removed"
        (kind,) = db.execute(
            "select kind from events where report_id = ? and run_id = ?", [row[0], second_run]
        ).fetchone()
        assert kind == "removed"
        # Its old bytes stay in the archive.
        shas = db.execute(
            "select sha256 from documents where url like ? and status = 200",
            [f"%{removed['page']}"],
        ).fetchall()
        assert shas and all(
            (full["data"] / "files" / s[:2] / s[2:4] / s).is_file() for (s,) in shas
        )
    assert "3 new, 0 changed, 2 removed" in full["second"].stdout.splitlines()[0]


def test_a_still_listed_page_answering_410_is_removed(full):
    [gone] = [r for r in full["truth1"]["removed"] if r.get("reason") == "gone_410"]
    # it was crawled in the first run, asked for again (still listed) and answered 410
    assert (gone["adcode"], gone["publisher"], gone["year"], gone["document"]) in full[
        "first_reports"
    ]
    answers = [e["status"] for e in full["second_requests"] if e["path"] == gone["page"]]
    assert answers and set(answers) == {410}
    db = db_of(full)
    second_run = db.execute("select id from crawl_runs order by id").fetchall()[-1][0]
    errors = db.execute(
        "select status from crawl_errors where run_id = ? and url like ?",
        [second_run, f"%{gone['page']}"],
    ).fetchall()
    assert (410,) in errors


def test_no_duplicate_rows_and_every_warc_reads(full):
    db = db_of(full)
    assert db.execute(
        "select count(*) from (select url, sha256 from documents group by 1, 2 having count(*) > 1)"
    ).fetchone() == (0,)
    assert db.execute(
        "select count(*) from (select report_id from events where kind = 'new'"
        " group by 1 having count(*) > 1)"
    ).fetchone() == (0,)
    assert len(warc_payload_bytes(full["data"])) == 2
    assert not list((full["data"] / "warc").glob("*.open"))


def test_requests_are_at_least_the_delay_apart(full, tmp_path):
    web = full["web"]
    sources = write_sources(web, tmp_path / "one.csv", {"620991"})
    before = len(web.requests())
    result = run_crawl(
        sources,
        tmp_path / "data",
        "-s",
        "DOWNLOAD_DELAY=0.3",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "NIANBAO_MAX_PAGES_PER_SITE=10",
    )
    assert result.returncode == 0, result.stderr
    starts = sorted(r["start"] for r in web.requests()[before:])
    assert len(starts) >= 8
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    # the server stamps a request when it reads it, which a loaded machine can delay; without
    # the delay the gaps would be a few hundredths of a second
    assert min(gaps) >= 0.3 - 0.1, gaps


def test_a_slow_site_stops_at_its_time_budget(full, tmp_path):
    web = full["web"]
    sources = write_sources(web, tmp_path / "slow.csv", {SLOW})
    before = len(web.requests())
    result = run_crawl(sources, tmp_path / "data", *FAST, "-s", "NIANBAO_SITE_TIME_BUDGET=1.5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2].split()[-1] == "broken"
    # the budget, not the page cap, ended it: robots.txt and a few 0.5 s pages (no wall-clock
    # bound, which a loaded machine would break)
    assert len(web.requests()[before:]) <= 5


def stored_files(data: Path) -> set[str]:
    return {p.name for p in (data / "files").glob("*/*/*") if len(p.name) == 64}


def test_kill_9_then_rerun_equals_an_uninterrupted_crawl(full, tmp_path):
    web = full["web"]
    sources = write_sources(web, tmp_path / "four.csv", {"330991", "430991", "620991", GKMLPT})
    reference = tmp_path / "reference"
    assert run_crawl(sources, reference, *FAST).returncode == 0
    data = tmp_path / "killed"
    proc = subprocess.Popen(
        crawl_args(sources, data, "-s", "DOWNLOAD_DELAY=0.1", "-s", "AUTOTHROTTLE_ENABLED=False"),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    try:
        while True:
            assert time.monotonic() < deadline, "the crawl found nothing in time"
            try:
                found = (
                    sqlite3.connect(data / "archive.db")
                    .execute("select count(*) from report_links")
                    .fetchone()[0]
                )
            except sqlite3.OperationalError:
                found = 0
            if found >= 20:
                break
            time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert 20 <= found < 98
    rerun = run_crawl(sources, data, *FAST)
    assert rerun.returncode == 0, rerun.stderr
    assert report_set(data) == report_set(reference)
    assert stored_files(data) == stored_files(reference)
    db = sqlite3.connect(data / "archive.db")
    assert [s for (s,) in db.execute("select status from crawl_runs order by id")] == [
        "killed",
        "ok",
    ]
    assert db.execute(
        "select count(*) from (select report_id from events where kind = 'new'"
        " group by 1 having count(*) > 1)"
    ).fetchone() == (0,)
    assert db.execute("select count(*) from events where kind = 'new'").fetchone()[0] == len(
        report_set(reference)
    )
    for path in (data / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            assert sum(1 for _ in ArchiveIterator(fh, check_digests="raise")) > 0
    assert not list((data / "warc").glob("*.open"))

"""Smoke tests of the benchmarks at tiny sizes: each part runs and writes the fields it promises,
with positive numbers. No timing is asserted: timings belong to the machine, not to the code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

from archive.search import like_rows
from bench import crawl, serve
from bench.__main__ import command
from bench.machine import machine, write_result
from tests.helpers import REPO, archive_get


def test_machine_describes_cpus_and_memory():
    info = machine()
    assert info["cpu_count"] >= 1
    assert info["ram_gib"] > 0
    assert info["python"].startswith("3.")


def test_write_result_adds_the_machine(tmp_path):
    path = write_result("serve", {"reports": 3}, tmp_path / "serve.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["part"] == "serve"
    assert document["reports"] == 3
    assert document["machine"]["cpu_count"] >= 1


def test_fleet_serves_copies_on_distinct_hosts_and_adcodes(tmp_path):
    with crawl.serve_fleet(tmp_path / "web", 7) as fleet:
        hosts = {s["url"] for s in fleet.sources}
        adcodes = {s["adcode"] for s in fleet.sources}
        assert len(hosts) == len(adcodes) == 7
        # copy 2 of the first county answers its home page from its own address
        url = fleet.sources[6]["url"]
        status, _ = serve._get(url)
        assert status == 200
        assert fleet.requests()[-1]["host"] == crawl.host_of(6)
        replay = fleet.replay_list(fleet.requests())
        assert replay == [{"method": "GET", "url": url, "body": ""}]


def test_crawl_bench_quick(tmp_path):
    out = tmp_path / "crawl.json"
    subprocess.run(command("crawl", "quick", tmp_path), cwd=REPO, check=True, timeout=120)
    document = json.loads(out.read_text(encoding="utf-8"))
    a, b = document["throughput"], document["politeness"]
    assert a["sites"] == b["sites"] == 3
    # the bare spider replays exactly the requests our crawl made
    assert a["bare_requests"] == a["requests"] > 3 * 10
    for key in ("ours_pages_per_s", "bare_pages_per_s", "ratio", "ours_peak_mib", "bare_peak_mib"):
        assert a[key] > 0, key
    # the crawl without archiving makes the same requests, and the two ratios multiply out
    assert a["no_archiving"]["requests"] == a["requests"]
    assert a["rounds"] == 1 and len(a["ours_seconds_all"]) == len(a["bare_seconds_all"]) == 1
    assert a["no_archiving"]["settings"]["NIANBAO_WARC_ENABLED"] == "False"
    assert a["archiving_ratio"] * a["no_archiving_ratio"] == pytest.approx(
        a["ratio"], rel=0.05, abs=0.02
    )
    # every HTML answer, and only those: not robots.txt, the PDFs or the list APIs' XML
    assert 0 < a["html_parse"]["pages"] < a["requests"]
    assert a["html_parse"]["seconds"] > 0
    assert b["bound_seconds"] == pytest.approx(b["busiest_site_requests"] * b["delay"])
    for key in ("seconds", "ratio", "peak_mib", "busiest_site_requests"):
        assert b[key] > 0, key
    assert document["machine"]["cpu_count"] >= 1


def test_serve_bench_quick(tmp_path):
    out = tmp_path / "serve.json"
    subprocess.run(command("serve", "quick", tmp_path), cwd=REPO, check=True, timeout=120)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["reports"] == 1000
    rows = document["rows"]
    assert rows["reports"] == rows["report_links"] == rows["documents"] == 1000
    assert rows["report_figures"] == 1000
    assert rows["sections"] == 1000 * 6
    assert rows["request_stats"] > 1000 * 150
    assert document["db_bytes"] > 0
    assert all(v >= 0 for v in document["build_seconds"].values())
    pages = {p["page"]: p for p in document["pages"]}
    expected = {f"query:{name}" for name in serve.canned_queries()}
    expected |= {"facet:reports", "row:reports", "search:sections"}
    assert set(pages) == expected
    for page in pages.values():
        assert page["statuses"] == [200], page
        assert 0 < page["p50_ms"] <= page["p95_ms"] <= page["max_ms"]


def test_extract_bench_quick_through_the_main_command(tmp_path):
    # python -m bench stamps the extraction helper's JSON with the full machine description
    subprocess.run(
        [sys.executable, "-m", "bench", "extract", "--quick", "--results", str(tmp_path)],
        cwd=REPO,
        check=True,
        timeout=120,
    )
    document = json.loads((tmp_path / "extract.json").read_text(encoding="utf-8"))
    assert document["part"] == "extract"
    assert document["machine"]["ram_gib"] > 0
    (pdf,) = [r for r in document["rows"] if r["format"] == "pdf"]
    assert pdf["files"] == 2 and pdf["pages"] >= 2
    for key in ("ours_pages_per_s", "baseline_pages_per_s", "ratio", "ours_peak_mib"):
        assert pdf[key] > 0, key


def test_generated_archive_answers_the_canned_search(tmp_path):
    serve.build_archive(tmp_path / "data", 300)
    db = Database(tmp_path / "data" / "archive.db")
    # every section text is built from the vocabulary, so the bigram index finds its words, and
    # finds exactly the rows a LIKE scan of heading and text finds
    hits = [
        r[0]
        for r in db.execute(
            "select rowid from sections_fts where sections_fts match ? order by rowid",
            ['"行政 政复 复议"'],
        )
    ]
    assert hits == like_rows(db, "sections", "行政复议")
    assert len(hits) > 300
    conn = db.conn
    # every index the archive defines exists again after the bulk load
    names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'index'")}
    assert {"idx_reports_adcode_year", "idx_request_stats_row_applicant"} <= names


def test_bench_command_lists_every_part():
    for part in ("crawl", "serve", "extract"):
        cmd = command(part, "quick", Path("results"))
        assert cmd[:3] == [sys.executable, "-m", f"bench.{part}"]
        assert cmd[-1] == f"results/{part}.json"


def test_html_parse_seconds_parses_the_html_answers_of_a_warc(tmp_path):
    from archive.warc import WarcWriter

    writer = WarcWriter(tmp_path / "warc")
    for url, kind, body in [
        ("http://a.example/", "text/html; charset=utf-8", "<p>年度报告</p>".encode()),
        ("http://a.example/robots.txt", "text/plain", b"User-agent: *"),
        ("http://a.example/r.pdf", "application/pdf", b"%PDF-1.7"),
        ("http://a.example/gbk.html", "text/html; charset=gbk", "<p>年报</p>".encode("gbk")),
    ]:
        archive_get(writer, url, kind, body)
    writer.close()
    found = crawl.html_parse_seconds(tmp_path / "warc")
    assert found["pages"] == 2
    assert found["seconds"] >= 0

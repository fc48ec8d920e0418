"""The published archive over HTTP: a real ``python -m archive serve --public`` on sample-web data.

Values equal the sample web's truth, labels are shown for codes, every canned query runs, the
bigram search equals a LIKE scan, each number is one click from the original bytes, and scraped
HTML is shown as text.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from urllib.parse import quote, urlencode

import pytest
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from archive.check import sample_parameters
from archive.figures import FIGURES, RATES
from archive.metadata import canned_queries
from archive.search import SEARCH_TABLES, like_rows
from extract.template import code_label
from sampleweb.crossyear import failing_by_report
from tests.archive.published import HOSTILE_ID, HOSTILE_TITLE, get, get_json

SEARCHES = ["复议", "诉讼", "信息处理费", "公开", "教育局 2021", "局", "费", "2021"]


def _db(published) -> Database:
    return Database(published[0] / "archive.db")


def _known_report(published, fmt: str = "pdf") -> tuple[str, dict]:
    """The first sample report of format ``fmt`` with its truth."""
    return next((rid, t) for rid, t in sorted(published[1].items()) if t["format"] == fmt)


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_json_api_values_equal_truth(server, published, fmt):
    report_id, truth = _known_report(published, fmt)
    for table, (a, b) in {
        "request_stats": ("row", "applicant"),
        "appeal_stats": ("proceeding", "result"),
        "proactive_stats": ("item", "measure"),
    }.items():
        rows = get_json(
            server.url(f"/archive/{table}.json?report_id={report_id}&_shape=array&_size=max")
        )
        got = {(r[a], r[b]): r["value"] for r in rows}
        expected = {(x, y): 0 if v is None else v for x, y, v in truth[table]}
        assert {k: got.get(k) for k in expected} == expected, table
    (report,) = get_json(server.url(f"/archive/reports.json?id={report_id}&_shape=array"))
    assert (report["publisher"], report["year"], report["form_version"]) == (
        truth["publisher"],
        truth["year"],
        truth["form_version"],
    )


def _expected_figures(truth: dict) -> dict:
    cells = {}
    for table in ("request_stats", "appeal_stats"):
        for x, y, v in truth[table]:
            cells[(table, x, y)] = 0 if v is None else v
    expected = {}
    for f in FIGURES:
        values = [
            cells[(f.table, c, f.fixed[1])] for c in f.codes if (f.table, c, f.fixed[1]) in cells
        ]
        expected[f.name] = sum(values) if values else None
    for r in RATES:
        above = sum(expected[n] or 0 for n in r.numerator)
        below = sum(expected[n] or 0 for n in r.denominator)
        expected[r.name] = round(100.0 * above / below, 1) if below else None
    return expected


def test_report_figures_equal_truth_for_every_report(server, published):
    rows = get_json(server.url("/archive/report_figures.json?_shape=array&_size=max"))
    got = {r["report_id"]: r for r in rows}
    cross_year = failing_by_report(published[1])  # failed cross-year checks count too
    for report_id, truth in published[1].items():
        expected = _expected_figures(truth)
        assert {k: got[report_id][k] for k in expected} == expected, report_id
        failed = len(truth["failing_checks"]) + len(cross_year.get(report_id, []))
        assert got[report_id]["failed_checks"] == failed, report_id
    # the panel sums the reports of each county and year
    panel = get_json(server.url("/archive/county_years.json?_shape=array&_size=max"))
    new = {(p["adcode"], p["year"]): p["new_requests"] for p in panel}
    for (adcode, year), total in new.items():
        assert total == sum(
            r["new_requests"] or 0 for r in rows if (r["adcode"], r["year"]) == (adcode, year)
        )


def test_labels_shown_for_codes(server, published):
    report_id, _ = _known_report(published)
    rows = get_json(
        server.url(
            f"/archive/request_stats.json?report_id={report_id}&row=new_requests"
            "&applicant=total&_labels=on&_shape=array"
        )
    )
    assert rows[0]["row"] == {"value": "new_requests", "label": code_label("row", "new_requests")}
    assert rows[0]["applicant"]["label"] == "总计"
    status, body, _ = get(server.url(f"/archive/reports/{report_id}"))
    page = body.decode()
    for dimension, code in [
        ("row", "carried_out"),
        ("applicant", "natural_person"),
        ("proceeding", "review"),
        ("result", "corrected"),
    ]:
        assert html.escape(code_label(dimension, code)) in page, code
        assert html.escape(code_label(dimension, code, "en")) in page, code


def test_every_canned_query_runs(server, published):
    params = sample_parameters(_db(published))
    for name, query in canned_queries().items():
        wanted = {k: params[k] for k in re.findall(r":(\w+)", query["sql"])}
        rows = get_json(server.url(f"/archive/{name}.json?_shape=array&" + urlencode(wanted)))
        if name != "failing_checks" or any(t["failing_checks"] for t in published[1].values()):
            assert rows, name


@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize("table", list(SEARCH_TABLES))
def test_search_equals_like_scan(server, published, table, search):
    db = _db(published)
    pk = "id" if table == "reports" else "report_id, section"
    expected = sorted(
        tuple(r)
        for r in db.execute(
            f"select {pk} from [{table}] where rowid in ("
            + ",".join(map(str, like_rows(db, table, search)) or ["-1"])
            + ")"
        ).fetchall()
    )
    columns = pk.replace(" ", "").split(",")
    rows = get_json(
        server.url(
            f"/archive/{table}.json?_search={quote(search)}&_shape=array&_size=max"
            + "".join(f"&_col={c}" for c in columns if c != "id")
        )
    )
    assert sorted(tuple(r[c] for c in columns) for r in rows) == expected
    if table == "sections" and search in ("复议", "诉讼", "信息处理费", "公开"):
        assert len(expected) >= 70  # every sample report mentions them


def test_search_all_page_uses_the_same_search(server, published):
    status, body, _ = get(server.url("/-/search?q=" + quote("复议")))
    assert status == 200
    tables = json.loads(
        re.search(r"var searchable_tables = (\[.*?\]);", body.decode(), re.S).group(1)
    )
    assert {t["table"] for t in tables} >= {"sections", "reports"}
    sections = next(t for t in tables if t["table"] == "sections")
    # the page fetches <url_json>?_search=<q>: the same view as the table's own search
    rows = get_json(
        server.url(sections["url_json"] + "?_shape=array&_size=max&_search=" + quote("复议"))
    )
    db = _db(published)
    assert len(rows) == len(like_rows(db, "sections", "复议"))


def test_document_and_warc_links_return_the_reports_bytes(server, published):
    report_id, _ = _known_report(published)
    status, body, _ = get(server.url(f"/archive/reports/{report_id}"))
    page = body.decode()
    sha = _db(published)["reports"].get(report_id)["sha256"]
    link = re.search(r'class="original-link" href="([^"]+)"', page).group(1)
    status, original, headers = get(server.url(link))
    assert status == 200 and hashlib.sha256(original).hexdigest() == sha
    # each number links to the same bytes and names its page
    cell_links = re.findall(r'<td class="stat"><a href="([^"#]+)(#page=\d+)?"', page)
    assert cell_links and {href for href, _ in cell_links} == {link}
    assert re.search(r'class="page">p\.\d+<', page)
    warc = re.search(r'href="(/-/warc/[^"]+)"', page).group(1)
    status, record_bytes, _ = get(server.url(warc))
    records = [
        (r.rec_type, r.content_stream().read()) for r in ArchiveIterator(io.BytesIO(record_bytes))
    ]
    assert len(records) == 1 and records[0][0] == "response"
    assert hashlib.sha256(records[0][1]).hexdigest() == sha


def test_scraped_html_is_shown_as_text(server):
    for path in (f"/archive/reports/{HOSTILE_ID}", "/archive/reports?_search=" + quote("甲县")):
        status, body, _ = get(server.url(path))
        page = body.decode()
        assert status == 200
        assert '<script>document.title="pwned"' not in page
        assert "<b>报告</b>" not in page and "<img src=x onerror" not in page
        assert html.escape(HOSTILE_TITLE, quote=False) in page.replace("&#34;", '"').replace(
            "&quot;", '"'
        )


def test_public_serving_limits(server, published):
    settings = get_json(server.url("/-/settings.json"))
    assert settings["suggest_facets"] is False
    assert settings["sql_time_limit_ms"] == 5000 and settings["max_returned_rows"] == 5000
    assert settings["facet_time_limit_ms"] == 500
    status, body, _ = get(server.url("/archive.json?sql=" + quote("select randomblob(200000000)")))
    assert status == 400 and b"string or blob too big" in body
    (database,) = get_json(server.url("/-/databases.json"))
    assert database["is_mutable"] is False  # immutable: opened with -i
    counts = get_json(server.url("/archive.json"))["tables"]
    assert {t["name"]: t["count"] for t in counts}["reports"] == len(published[1]) + 1
    assert (published[0] / "inspect.json").is_file()
    status, body, _ = get(server.url("/robots.txt"))
    assert body.decode().splitlines() == ["User-agent: *", "Disallow: /"]


def test_counties_on_the_map(server):
    rows = get_json(server.url("/archive/counties.json?_shape=array"))
    got = {r["adcode"]: (r["located"], r["located_as"], r["latitude"]) for r in rows}
    # the sample web's counties are fictional: pinned on their prefecture
    assert got["330991"] == ("prefecture", "舟山市", 29.985553)
    assert got["430991"] == ("prefecture", "益阳市", 28.554349)
    assert got["620991"] == ("prefecture", "酒泉市", 39.732795)
    status, body, _ = get(server.url("/archive/counties"))
    assert b"datasette-cluster-map" in body


def test_charts_page(server):
    status, body, _ = get(server.url("/-/charts"))
    page = body.decode()
    assert status == 200
    assert page.count('<figure class="chart"') == 8 and "<polyline" in page
    assert "new_requests" in page

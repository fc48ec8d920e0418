"""The full profile: the basic web stays byte-identical; every hazard behaves over real HTTP."""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import re
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pdfplumber
import pytest

from sampleweb import generate, serve_sample_web

# sha256 over (relative path, sha256 of bytes) of the basic tree, computed before the full
# profile existed: the basic web must never change under the crawler and extraction tests
BASIC_TREE_SHA256 = "e19171a4efa9a83bd666e0091f112c0597f7341c9489126540474f0bd1b71ff9"
HAZARD_KINDS = {
    "distractors",
    "duplicate_listing",
    "scanned_pdf",
    "charset_mismatch",
    "retry_503",
    "redirect_chain",
    "attachment_404",
    "image_version",
    "image_only_report",
    "robots_disallowed",
    "crawl_trap",
    "cross_county_link",
    "slow_site",
    "nav_only_column",
    "antibot_412",
    "docx_report",
    "doc_report",
    "lookalike_glyphs",
    "single_other_row",
    "cell_notes_units",
    "table_across_pages",
}


def tree_hash(root: Path, under: str = "") -> str:
    h = hashlib.sha256()
    for p in sorted((root / under).rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def fetch(host: str, port: int, path: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def full_tree(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sampleweb-full")
    generate(out, profile="full")
    return out


@pytest.fixture(scope="module")
def full_web(full_tree):
    with serve_sample_web(full_tree, profile="full") as running:
        yield running


def hazard(web_or_truth, kind: str) -> dict:
    truth = getattr(web_or_truth, "truth", web_or_truth)
    return next(h for h in truth["hazards"] if h["kind"] == kind)


def get(web, kind: str, path: str) -> tuple[int, dict, bytes]:
    return fetch(hazard(web, kind)["host"], web.port, path)


# --- generation ---------------------------------------------------------------------------


def test_basic_tree_is_byte_identical_to_before_the_full_profile(tree):
    assert tree_hash(tree) == BASIC_TREE_SHA256


def test_full_profile_is_deterministic_and_keeps_the_basic_counties(full_tree, tree, tmp_path):
    generate(tmp_path, profile="full")
    assert tree_hash(tmp_path) == tree_hash(full_tree)
    for adcode in ("330991", "430991", "620991"):
        assert sorted(
            p.relative_to(full_tree) for p in (full_tree / "sites" / adcode).rglob("*")
        ) == sorted(p.relative_to(tree) for p in (tree / "sites" / adcode).rglob("*"))
        for p in (tree / "sites" / adcode).rglob("*"):
            if p.is_file():
                assert (full_tree / p.relative_to(tree)).read_bytes() == p.read_bytes()


def test_full_truth_lists_sites_hazards_and_exclusions(full_tree, truth):
    full = json.loads((full_tree / "truth.json").read_text("utf-8"))
    assert full["profile"] == "full" and full["epoch"] == 0
    assert full["removed"] == [] and full["added"] == []
    assert [(s["adcode"], s["host"], s["expected_status"]) for s in full["sites"][3:]] == [
        ("440991", "127.0.0.14", "ok"),
        ("510991", "127.0.0.15", "ok"),
        ("320991", "127.0.0.16", "blocked"),
    ]
    assert {h["kind"] for h in full["hazards"]} == HAZARD_KINDS
    basic_titles = {(r["adcode"], r["title"]) for r in truth["reports"]}
    assert basic_titles <= {(r["adcode"], r["title"]) for r in full["reports"]}
    assert {r["adcode"] for r in full["reports"]} == {
        "330991",
        "430991",
        "620991",
        "440991",
        "510991",
    }
    pages = {r["page"] for r in full["reports"]}
    assert [e["reason"] for e in full["excluded"]] == ["robots_disallowed", "attachment_404"]
    assert not pages & {e["page"] for e in full["excluded"]}
    assert len(pages) == len(full["reports"])  # the report listed twice is one report
    for r in full["reports"]:
        assert json.loads((full_tree / f"{r['file']}.truth.json").read_text("utf-8")) == r


def test_extraction_formats_carry_their_hazards(full_tree):
    full = json.loads((full_tree / "truth.json").read_text("utf-8"))
    by_kind = {h["kind"]: h for h in full["hazards"]}
    reports = {r["title"]: r for r in full["reports"]}

    docx = reports[by_kind["docx_report"]["title"]]
    assert docx["format"] == "docx"
    xml = zipfile.ZipFile(full_tree / docx["file"]).read("word/document.xml").decode()
    assert "w:gridSpan" in xml and "w:vMerge" in xml

    scans = [r for r in full["reports"] if r.get("scanned")]
    assert len(scans) == 2
    for r in scans:
        with pdfplumber.open(full_tree / r["file"]) as pdf:
            assert len(pdf.pages) >= 2
            assert all(not (p.extract_text() or "").strip() and p.images for p in pdf.pages)

    kangxi = reports[by_kind["lookalike_glyphs"]["title"]]
    assert kangxi["lookalikes"] is True and "\u2f00" in kangxi["sections"]["overview"]
    with pdfplumber.open(full_tree / kangxi["file"]) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages)
    assert "\u2f00、本年新收" in text and "⼈" in text

    single = reports[by_kind["single_other_row"]["title"]]
    rows = {row for row, _, _ in single["request_stats"]}
    assert single["form_version"] == "2021" and single["printed_other_handling"] is True
    assert "other_handling" in rows and "other_no_correction" not in rows
    assert "（六）其他处理" in (full_tree / single["file"]).read_text("utf-8")

    noted = reports[by_kind["cell_notes_units"]["title"]]
    # Word-exported cells split long runs into two spans: compare the text only
    html = re.sub(r"<[^>]+>", "", (full_tree / noted["file"]).read_text("utf-8"))
    values = {(i, m): v for i, m, v in noted["proactive_stats"]}
    assert values["normative_docs", "made"] == 22 and "22（其中修订14件）" in html
    amount = values["procurement", "amount_10k_yuan"]
    assert f"{round(amount * 10000)}元" in html
    assert ["procurement", "amount_10k_yuan", f"{round(amount * 10000)}元"] in noted[
        "annotated_cells"
    ]

    image = next(d for d in full["distractors"] if d.get("kind") == "image_version")
    assert (full_tree / image["file"]).read_bytes()[:4] == b"\x89PNG"
    sidecar = json.loads((full_tree / f"{image['file']}.truth.json").read_text("utf-8"))
    assert sidecar["format"] == "png" and sidecar["page"] == image["page"]
    assert any(
        r["page"] == image["same_as"] and "（文字版）" in r["title"] for r in full["reports"]
    )


def test_table_three_breaks_across_pdf_pages_as_recorded(full_tree):
    full = json.loads((full_tree / "truth.json").read_text("utf-8"))
    files = hazard(full, "table_across_pages")["files"]
    text_pdfs = [r for r in full["reports"] if r["format"] == "pdf" and not r.get("scanned")]
    assert files and set(files) <= {r["file"] for r in text_pdfs}
    with pdfplumber.open(full_tree / files[0]) as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
    first = next(i for i, t in enumerate(pages) if "本年新收" in t)
    last = next(i for i, t in enumerate(pages) if "结转下年度" in t)
    assert last > first


# --- hazards over HTTP --------------------------------------------------------------------


def test_retry_503_then_200(full_web):
    h = hazard(full_web, "retry_503")
    answers = [get(full_web, "retry_503", h["paths"][0]) for _ in range(h["times"] + 1)]
    assert [a[0] for a in answers] == [503] * h["times"] + [200]
    assert answers[0][1]["retry-after"] == "1"
    assert h["title"].encode() in answers[-1][2]


@pytest.mark.parametrize("path", ["/", "/robots.txt", "/gkmlpt/index"])
def test_blocked_site_answers_412_with_ts_script(full_web, path):
    status, headers, body = get(full_web, "antibot_412", path)
    assert status == 412 and "set-cookie" in headers
    assert re.search(rb"\$_ts\s*=\s*window\['\$_ts'\]", body)
    assert not [r for r in full_web.truth["reports"] if r["adcode"] == "320991"]


def test_calendar_trap_repeats_the_same_items_under_new_urls(full_web):
    path = hazard(full_web, "crawl_trap")["paths"][0]
    seen_urls, item_sets = [], []
    for _ in range(4):
        status, _, body = get(full_web, "crawl_trap", path)
        html = body.decode()
        assert status == 200
        seen_urls.append(path)
        item_sets.append(re.findall(r'<li><a href="([^"]+)"', html))
        path = re.search(r'<a href="([^"]+)">下个月</a>', html).group(1).replace("&amp;", "&")
    assert len(set(seen_urls)) == 4 and all(s == item_sets[0] for s in item_sets)
    assert item_sets[0] == hazard(full_web, "crawl_trap")["items"]
    status, _, body = get(full_web, "crawl_trap", "/hdjl/calendar?month=9999-12")
    assert status == 200 and b"month=10000-01" in body


def test_redirect_chain_301_302_200(full_web):
    h = hazard(full_web, "redirect_chain")
    path, statuses = h["paths"][0], []
    while True:
        status, headers, body = get(full_web, "redirect_chain", path)
        statuses.append(status)
        if status not in (301, 302):
            break
        path = headers["location"]
    assert statuses == [301, 302, 200] and path == h["paths"][-1]
    report = next(r for r in full_web.truth["reports"] if r["title"] == h["title"])
    assert report["page"] == path


def test_gbk_page_declared_utf8_in_the_header(full_web):
    h = hazard(full_web, "charset_mismatch")
    status, headers, body = get(full_web, "charset_mismatch", h["paths"][0])
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert h["title"] in body.decode("gb18030") and b"charset=gb2312" in body


def test_slow_site_takes_at_least_half_a_second(full_web):
    h = hazard(full_web, "slow_site")
    for path in ("/", "/robots.txt"):
        start = time.monotonic()
        status, _, _ = fetch(h["host"], full_web.port, path)
        assert status == 200 and time.monotonic() - start >= 0.5


def test_nav_only_column_is_linked_but_not_at_a_known_slug(full_web):
    h = hazard(full_web, "nav_only_column")
    home, xxgk, column = h["paths"]
    assert column.encode() in get(full_web, "nav_only_column", xxgk)[2]
    assert get(full_web, "nav_only_column", "/zfxxgk/zfxxgknb/index.html")[0] == 404
    assert get(full_web, "nav_only_column", column)[0] == 200


def test_gkmlpt_entry_sid_and_list_api(full_web):
    port = full_web.port
    home = fetch("127.0.0.14", port, "/")[2].decode()
    assert 'href="/gkmlpt/index#2581"' in home
    status, headers, index = fetch("127.0.0.14", port, "/gkmlpt/index")
    sid = re.search(r"SID: '(\d+)'", index.decode()).group(1)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "window._CONFIG" in index.decode()
    urls, page = [], 1
    while True:
        status, headers, body = fetch(
            "127.0.0.14", port, f"/gkmlpt/api/all/2581?page={page}&sid={sid}"
        )
        data = json.loads(body)
        assert status == 200 and headers["content-type"].startswith("application/json")
        if not data["articles"]:
            break
        assert set(data["articles"][0]) == {"id", "title", "url", "created_at"}
        assert len(data["articles"]) <= 10
        urls += [a["url"] for a in data["articles"]]
        page += 1
    assert page > 2 and len(urls) == data["total"]
    paths = {urlsplit(u).path for u in urls}
    assert all(u.startswith(f"http://127.0.0.14:{port}/") for u in urls)
    redirect = hazard(full_web, "redirect_chain")
    for r in full_web.truth["reports"]:
        if r["adcode"] == "440991":
            assert r["page"] in paths or redirect["paths"][0] in paths
            assert re.fullmatch(r"/gkmlpt/content/0/\d+/post_\d+\.html", r["page"])
    wrong = json.loads(fetch("127.0.0.14", port, "/gkmlpt/api/all/2581?page=1&sid=1")[2])
    assert wrong == {"total": 0, "articles": []}


def test_gkmlpt_attachments_use_the_nfw_class(full_web):
    for r in full_web.truth["reports"]:
        if r["adcode"] == "440991" and r["document"] != r["page"] and r["format"] != "png":
            body = fetch("127.0.0.14", full_web.port, r["page"])[2].decode()
            assert f'class="nfw-cms-attachment" href="{r["document"]}"' in body
            assert re.fullmatch(r"/attachment/0/\d+/\d+/\d+\.(pdf|docx|doc)", r["document"])
            assert fetch("127.0.0.14", full_web.port, r["document"])[0] == 200


def test_robots_disallowed_report_is_excluded(full_web):
    h = hazard(full_web, "robots_disallowed")
    robots = get(full_web, "robots_disallowed", "/robots.txt")[2].decode()
    assert f"Disallow: {h['paths'][0]}" in robots
    assert h["paths"][0].encode() in get(full_web, "robots_disallowed", "/")[2]
    assert h["paths"][1].startswith(h["paths"][0])
    excluded = next(e for e in full_web.truth["excluded"] if e["reason"] == "robots_disallowed")
    assert excluded["page"] == h["paths"][1]
    assert (full_web.root / excluded["file"]).is_file()
    assert h["title"] not in {r["title"] for r in full_web.truth["reports"]}


def test_attachment_404_is_recorded(full_web):
    h = hazard(full_web, "attachment_404")
    page, document = h["paths"]
    assert get(full_web, "attachment_404", page)[0] == 200
    assert get(full_web, "attachment_404", document)[0] == 404
    assert any(e["document"] == document for e in full_web.truth["excluded"])


def test_duplicate_listing_is_one_report(full_web):
    h = hazard(full_web, "duplicate_listing")
    listed = []
    for api in h["paths"][:2]:
        body = get(full_web, "duplicate_listing", f"{api}?page=1&sid=755031")[2]
        listed.append({urlsplit(a["url"]).path for a in json.loads(body)["articles"]})
    assert h["paths"][2] in listed[0] and h["paths"][2] in listed[1]
    assert [r["page"] for r in full_web.truth["reports"]].count(h["paths"][2]) == 1


def test_cross_county_link_points_at_the_other_countys_report(full_web):
    h = hazard(full_web, "cross_county_link")
    url = h["paths"][1].format(port=full_web.port)
    assert f'href="{url}"'.encode() in get(full_web, "cross_county_link", "/")[2]
    target = next(r for r in full_web.truth["reports"] if r["title"] == h["title"])
    assert target["adcode"] == h["target_adcode"] == "510991"
    assert urlsplit(url).path == target["page"]


def test_image_version_png_is_served(full_web):
    h = hazard(full_web, "image_version")
    page, png, same_as = h["paths"]
    assert png.encode() in get(full_web, "image_version", page)[2]
    status, headers, body = get(full_web, "image_version", png)
    assert status == 200 and headers["content-type"] == "image/png"
    assert body.startswith(b"\x89PNG")


def test_image_only_report_is_a_png_report_with_its_sidecar(full_web):
    h = hazard(full_web, "image_only_report")
    page, png = h["paths"]
    [report] = [r for r in full_web.truth["reports"] if r["format"] == "png"]
    assert (report["page"], report["document"], report["title"]) == (page, png, h["title"])
    assert report["title"].endswith("（图片版）") and report["year"] == 2018
    # no other report of that organ and year, and no 文字版 of it
    assert [
        r
        for r in full_web.truth["reports"]
        if (r["publisher"], r["year"]) == (report["publisher"], 2018)
    ] == [report]
    assert png.encode() in get(full_web, "image_only_report", page)[2]
    status, headers, body = get(full_web, "image_only_report", png)
    assert status == 200 and headers["content-type"] == "image/png"
    assert body.startswith(b"\x89PNG")
    root = Path(full_web.root)
    assert (root / report["file"]).read_bytes() == body
    sidecar = json.loads((root / f"{report['file']}.truth.json").read_text("utf-8"))
    assert sidecar["format"] == "png" and sidecar["title"] == report["title"]


# --- epochs -------------------------------------------------------------------------------


def test_advance_adds_2025_reports_and_removes_one(tmp_path):
    generate(tmp_path, profile="full")
    with serve_sample_web(tmp_path, profile="full") as web:
        before = {(r["adcode"], r["title"]): r for r in web.truth["reports"]}
        truth = web.advance()
        assert truth is web.truth and truth["epoch"] == 1
        after = {(r["adcode"], r["title"]): r for r in truth["reports"]}
        [removed, gone] = truth["removed"]
        for r in (removed, gone):
            assert (r["adcode"], r["title"]) in before
            assert (r["adcode"], r["title"]) not in after
        assert fetch("127.0.0.13", web.port, removed["page"])[0] == 404
        # the gone report is still listed, its page answers 410
        assert gone["reason"] == "gone_410" and hazard(truth, "gone_410")["paths"] == [gone["page"]]
        assert fetch("127.0.0.12", web.port, gone["page"])[0] == 410
        column = gone["page"].rsplit("/", 2)[0]
        lists = b"".join(
            fetch("127.0.0.12", web.port, f"{column}/{name}")[2]
            for name in ("index.html", *(f"index_{n}.html" for n in range(1, 6)))
        )
        assert gone["page"].rsplit("/", 1)[1].encode() in lists
        added = {(a["adcode"], a["title"]) for a in truth["added"]}
        assert added == set(after) - set(before) and len(added) == 3
        assert {after[k]["year"] for k in added} == {2025}
        for adcode, title in added:
            host = next(s["base_url"] for s in web.sites if s["adcode"] == adcode)
            assert fetch(urlsplit(host).hostname, web.port, after[adcode, title]["page"])[0] == 200
        api = fetch("127.0.0.14", web.port, "/gkmlpt/api/all/2581?page=1&sid=755031")[2]
        assert any(a["title"] in json.loads(api)["articles"][0]["title"] for a in truth["added"])
    assert json.loads((tmp_path / "truth.json").read_text("utf-8"))["epoch"] == 1


def test_basic_profile_refuses_epochs(tmp_path):
    with pytest.raises(ValueError):
        generate(tmp_path, profile="basic", epoch=1)
    with pytest.raises(ValueError):
        generate(tmp_path, profile="nope")


def test_png_and_io_helpers_are_real(full_tree):
    # guard the helper itself: a changed byte changes the hash
    h1 = tree_hash(full_tree, "sites/320991")
    (full_tree / "sites" / "320991" / "x").write_bytes(io.BytesIO(b"1").read())
    try:
        assert tree_hash(full_tree, "sites/320991") != h1
    finally:
        (full_tree / "sites" / "320991" / "x").unlink()


def test_cli_generates_the_full_profile(tmp_path):
    import subprocess
    import sys

    from tests.helpers import REPO

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sampleweb",
            "generate",
            "--out",
            str(tmp_path),
            "--profile",
            "full",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    truth = json.loads((tmp_path / "truth.json").read_text("utf-8"))
    assert (
        out.strip() == f"sampleweb: wrote {len(truth['reports'])} reports of 6 sites to {tmp_path}"
    )
    assert truth["profile"] == "full"

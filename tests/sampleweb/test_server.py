"""The sample web over real HTTP: every family's endpoints, the request log, the CLI."""

from __future__ import annotations

import csv
import http.client
import os
import re
import signal
import subprocess
import sys
from urllib.parse import urlencode, urlsplit

import pytest

from tests.helpers import REPO


def fetch(
    base_url: str,
    path: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict | None = None,
) -> tuple[int, dict, bytes]:
    url = urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def site(web, family: str) -> dict:
    return next(s for s in web.sites if s["family"] == family)


def test_sites_are_separate_loopback_origins_on_one_port(web):
    hosts = [urlsplit(s["base_url"]) for s in web.sites]
    assert [h.hostname for h in hosts] == ["127.0.0.11", "127.0.0.12", "127.0.0.13"]
    assert {h.port for h in hosts} == {web.port}


@pytest.mark.parametrize(
    "family,disallowed",
    [("hanweb", "/module/search/"), ("trs", "/was5/"), ("standard", "/search/")],
)
def test_robots_disallows_a_linked_path(web, family, disallowed):
    base = site(web, family)["base_url"]
    status, headers, body = fetch(base, "/robots.txt")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert f"Disallow: {disallowed}" in body.decode()
    _, _, home = fetch(base, "/")
    assert disallowed.encode() in home


def dataproxy(web, start: int, end: int, **form) -> tuple[int, str]:
    fields = {
        "col": 1,
        "appid": 1,
        "webid": 1,
        "path": "/",
        "columnid": 1229000117,
        "sourceContentType": 1,
        "unitid": 4821,
        "webname": "青岚县人民政府",
        "permissiontype": 0,
        **form,
    }
    status, headers, body = fetch(
        site(web, "hanweb")["base_url"],
        f"/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={end}&perpage=10",
        "POST",
        urlencode(fields).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert headers["content-type"].startswith("text/xml")
    return status, body.decode("utf-8")


def test_hanweb_column_holds_only_the_jpage_script(web):
    _, _, body = fetch(site(web, "hanweb")["base_url"], "/col/col1229000117/index.html")
    text = body.decode()
    assert "<li>" not in text
    for key, value in (
        ("columnid", "1229000117"),
        ("unitid", "4821"),
        ("webid", "1"),
        ("perpage", "10"),
    ):
        assert re.search(rf"{key}:\s*{value}\b", text)
    assert fetch(site(web, "hanweb")["base_url"], "/col/col1229000117/index_1.html")[0] == 404


def test_dataproxy_pages_through_every_record(web, truth):
    status, first = dataproxy(web, 1, 30)
    assert status == 200
    total = int(re.search(r"<totalrecord>(\d+)</totalrecord>", first).group(1))
    assert total > 30
    _, second = dataproxy(web, 31, 60)
    hrefs = re.findall(r'href="(/art/[^"]+)"', first + second)
    assert len(hrefs) == total == len(set(hrefs))
    expected = {r["page"] for r in truth["reports"] if r["adcode"] == "330991"}
    assert expected <= set(hrefs)
    assert "<![CDATA[<li><a title=" in first and "<![CDATA[<li><a href=" in first


def test_dataproxy_caps_a_greedy_request_and_rejects_wrong_ids(web):
    _, body = dataproxy(web, 1, 1000)
    assert body.count("<record>") == 30
    _, body = dataproxy(web, 1, 30, unitid=1)
    assert "<totalrecord>0</totalrecord>" in body
    status, _, _ = fetch(site(web, "hanweb")["base_url"], "/module/web/jpage/dataproxy.jsp")
    assert status == 405


def test_downfile_names_the_attachment(web, truth):
    report = next(r for r in truth["reports"] if r["adcode"] == "330991" and r["format"] == "pdf")
    status, headers, body = fetch(site(web, "hanweb")["base_url"], report["document"])
    assert status == 200 and body.startswith(b"%PDF-")
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in headers["content-disposition"]
    bad = "/module/download/downfile.jsp?classid=0&filename=nothere.pdf"
    assert fetch(site(web, "hanweb")["base_url"], bad)[0] == 404


def test_trs_pages_are_gbk_with_create_page_html(web, truth):
    base = site(web, "trs")["base_url"]
    status, headers, body = fetch(base, "/zwgk/zfxxgk/zfxxgknb/index.html")
    assert status == 200 and headers["content-type"] == "text/html; charset=gb2312"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gb18030")
    pages = int(re.search(r'createPageHTML\((\d+), 0, "index", "html"\)', text).group(1))
    assert 'charset=gb2312"' in text and "政府信息公开年报" in text
    links = set(re.findall(r'href="(\./\d{6}/t\d{8}_\d+\.html)"', text))
    for n in range(1, pages):
        _, _, more = fetch(base, f"/zwgk/zfxxgk/zfxxgknb/index_{n}.html")
        links |= set(re.findall(r'href="(\./\d{6}/t\d{8}_\d+\.html)"', more.decode("gb18030")))
    assert fetch(base, f"/zwgk/zfxxgk/zfxxgknb/index_{pages}.html")[0] == 404
    expected = {r["page"] for r in truth["reports"] if r["adcode"] == "430991"}
    assert expected <= {"/zwgk/zfxxgk/zfxxgknb/" + link[2:] for link in links}
    status, headers, _ = fetch(base, "/zwgk/zfxxgk")
    assert status == 301 and headers["location"] == "/zwgk/zfxxgk/"


def test_standard_platform_sub_columns_page_with_next_links(web, truth):
    base = site(web, "standard")["base_url"]
    _, _, root = fetch(base, "/zfxxgk/zfxxgknb/index.html")
    columns = re.findall(r'href="(/zfxxgk/zfxxgknb/\w+/)index.html"', root.decode())
    assert len(columns) == 4
    found = set()
    for col in columns:
        path = col + "index.html"
        while path:
            status, _, body = fetch(base, path)
            assert status == 200
            text = body.decode()
            found |= {col + href for href in re.findall(r'href="(content_\d+\.html)"', text)}
            nxt = re.search(r'<a href="([^"]+)">下一页</a>', text)
            path = col + nxt.group(1) if nxt else None
    assert {r["page"] for r in truth["reports"] if r["adcode"] == "620991"} <= found


def test_every_report_page_and_document_answers(web, truth):
    bases = {s["adcode"]: s["base_url"] for s in web.sites}
    for r in truth["reports"]:
        for path in {r["page"], r["document"]}:
            status, headers, body = fetch(bases[r["adcode"]], path)
            assert status == 200, path
            assert body.startswith(b"%PDF-") == (r["format"] == "pdf" and path == r["document"])
    for d in truth["distractors"]:
        assert fetch(bases[d["adcode"]], d["page"])[0] == 200


def test_sidecars_and_unknown_paths_are_404(web, truth):
    r = truth["reports"][0]
    base = site(web, "hanweb")["base_url"]
    assert fetch(base, r["page"] + ".truth.json")[0] == 404
    assert fetch(base, "/nothere.html")[0] == 404
    assert fetch(base, "/../../truth.json")[0] == 404


def test_etag_answers_304(web):
    base = site(web, "standard")["base_url"]
    _, headers, _ = fetch(base, "/index.html")
    status, _, body = fetch(base, "/index.html", headers={"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""


def test_request_log_records_every_request(web):
    before = len(web.requests())
    fetch(site(web, "trs")["base_url"], "/robots.txt?x=1")
    # the server logs a request before it answers, so the entry is there once fetch returns
    (entry,) = web.requests()[before:]
    assert {k: entry[k] for k in ("host", "method", "path", "query", "status")} == {
        "host": "127.0.0.12",
        "method": "GET",
        "path": "/robots.txt",
        "query": "x=1",
        "status": 200,
    }
    assert 0 < entry["start"] <= entry["end"]


def test_write_sources(web, tmp_path):
    with open(web.write_sources(tmp_path / "sources.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["url"] for r in rows] == [s["base_url"] for s in web.sites]
    assert rows[0]["province"] == "浙江省" and rows[0]["adcode"] == "330991"


def test_cli_serves_until_sigterm(tree, tmp_path):
    log = tmp_path / "requests.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sampleweb",
            "serve",
            "--root",
            str(tree),
            "--port",
            "0",
            "--log",
            str(log),
            "--sources-out",
            str(tmp_path / "src.csv"),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        line = proc.stdout.readline()
        port = int(re.fullmatch(r"sampleweb: serving 3 sites on port (\d+)\n", line).group(1))
        assert fetch(f"http://127.0.0.13:{port}/", "/robots.txt")[0] == 200
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert '"path": "/robots.txt"' in log.read_text()
    assert (tmp_path / "src.csv").read_text().startswith("adcode,name,url")

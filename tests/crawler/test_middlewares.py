"""Failure records, blocking detection, page caps and the incremental store lookup."""

from __future__ import annotations

import gzip

import pytest
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

import crawler.settings as project
from archive import crawldb
from archive.store import FileStore
from crawler.context import database
from crawler.middlewares.blocking import BlockingMiddleware, blocking_reason
from crawler.middlewares.caps import SitePageCapMiddleware
from crawler.middlewares.errors import CrawlErrorsMiddleware, MetaRefreshLimitMiddleware
from crawler.middlewares.incremental import IncrementalMiddleware
from crawler.middlewares.warc import WarcArchiveMiddleware

SITE = {"adcode": "330991", "name": "青岚县", "url": "http://127.0.0.11/"}


def crawler_for(tmp_path, **settings):
    base = {
        "NIANBAO_DATA": str(tmp_path),
        "NIANBAO_RUN_ID": "20260101T000000Z",
        "NIANBAO_ERRORS_ENABLED": True,
        "NIANBAO_BLOCKING_ENABLED": True,
        "NIANBAO_BLOCKING_THRESHOLD": 2,
        "NIANBAO_INCREMENTAL_ENABLED": True,
        "NIANBAO_REVALIDATE_DAYS": 30,
        # these tests read the rows from a second connection right after each call
        "NIANBAO_COMMIT_INTERVAL": 0,
    }
    return get_crawler(Spider, {**base, **settings})


def request(url="http://127.0.0.11/a.html", **meta):
    return Request(url, meta={"nianbao_site": SITE, **meta})


def errors(tmp_path):
    return [
        (r["adcode"], r["url"], r["status"], r["reason"])
        for r in crawldb.open_db(tmp_path / "archive.db")["crawl_errors"].rows
    ]


def test_failures_are_recorded_and_pages_counted(tmp_path):
    crawler = crawler_for(tmp_path)
    mw = CrawlErrorsMiddleware.from_crawler(crawler)
    ok = request()
    mw.process_response(ok, HtmlResponse(ok.url, body=b"<p>", request=ok))
    missing = request("http://127.0.0.11/gone.pdf")
    mw.process_response(missing, Response(missing.url, status=404, request=missing))
    robots = request("http://127.0.0.11/module/search/")
    assert mw.process_exception(robots, IgnoreRequest("Forbidden by robots.txt")) is None
    timeout = request("http://127.0.0.11/slow")
    mw.process_exception(timeout, TimeoutError("User timeout caused connection failure"))
    assert errors(tmp_path) == [
        ("330991", "http://127.0.0.11/gone.pdf", 404, "HTTP 404"),
        ("330991", "http://127.0.0.11/module/search/", None, "Forbidden by robots.txt"),
        (
            "330991",
            "http://127.0.0.11/slow",
            None,
            "TimeoutError: User timeout caused connection failure",
        ),
    ]
    assert crawler.stats.get_value("nianbao/site/330991/pages") == 2
    assert crawler.stats.get_value("nianbao/site/330991/errors") == 3


def test_ruishu_wall_is_recognised_and_the_site_left_alone(tmp_path):
    crawler = crawler_for(tmp_path)
    mw = BlockingMiddleware.from_crawler(crawler)
    wall = b"<html><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};</script></html>"
    for n in range(2):
        req = request(f"http://127.0.0.11/{n}")
        mw.process_response(req, Response(req.url, status=412, body=wall, request=req))
        assert req.meta["nianbao_blocked"].startswith("blocked: HTTP 412")
    with pytest.raises(IgnoreRequest, match="site skipped"):
        mw.process_request(request("http://127.0.0.11/next"))
    assert mw.process_request(Request("http://127.0.0.12/", meta={"nianbao_site": {}})) is None
    assert blocking_reason(200, b"$_ts") is None


def test_a_challenge_to_robots_txt_blocks_the_site_at_once(tmp_path):
    site = {"adcode": "320991", "name": "柳港县", "url": "http://127.0.0.16:8000/"}
    crawler = crawler_for(tmp_path, NIANBAO_SITES=[site])
    mw = BlockingMiddleware.from_crawler(crawler)
    robots = Request("http://127.0.0.16:8000/robots.txt")  # no site in meta, as Scrapy sends it
    wall = b"<script>$_ts=window['$_ts'];</script>"
    mw.process_response(robots, Response(robots.url, status=412, body=wall, request=robots))
    with pytest.raises(IgnoreRequest, match=r"site skipped, blocked: HTTP 412 .*robots\.txt"):
        mw.process_request(Request(site["url"], meta={"nianbao_site": site}))
    assert crawler.stats.get_value("nianbao/site/320991/blocked") == 1


def test_page_cap(tmp_path):
    mw = SitePageCapMiddleware.from_crawler(crawler_for(tmp_path, NIANBAO_MAX_PAGES_PER_SITE=2))
    mw.process_request(request())
    mw.process_request(request())
    with pytest.raises(IgnoreRequest, match="page cap"):
        mw.process_request(request())


def test_known_attachments_come_from_the_store(tmp_path):
    crawler = crawler_for(tmp_path)
    sha = FileStore(tmp_path / "files").put(b"%PDF-1.7 stored")
    url = "http://127.0.0.11/module/download/downfile.jsp?classid=0&filename=a.pdf"
    crawldb.upsert_document(
        database(crawler),
        {
            "url": url,
            "status": 200,
            "sha256": sha,
            "fetched_at": "2999-01-01T00:00:00Z",
            "content_type": "application/pdf",
        },
    )
    mw = IncrementalMiddleware.from_crawler(crawler)
    stored = mw.process_request(request(url, nianbao_kind="attachment"))
    assert stored.body == b"%PDF-1.7 stored"
    assert "nianbao-stored" in stored.flags
    assert mw.process_request(request(url + "x", nianbao_kind="attachment")) is None
    assert mw.process_request(request(url, nianbao_kind="page")) is None


def test_old_attachments_are_revalidated(tmp_path):
    crawler = crawler_for(tmp_path)
    sha = FileStore(tmp_path / "files").put(b"%PDF old")
    url = "http://127.0.0.11/a.pdf"
    crawldb.upsert_document(
        database(crawler),
        {
            "url": url,
            "status": 200,
            "sha256": sha,
            "etag": '"abc"',
            "fetched_at": "2000-01-01T00:00:00Z",
        },
    )
    mw = IncrementalMiddleware.from_crawler(crawler)
    req = request(url, nianbao_kind="attachment")
    assert mw.process_request(req) is None
    assert req.headers["If-None-Match"] == b'"abc"'
    reused = mw.process_response(req, Response(url, status=304, request=req))
    assert reused.body == b"%PDF old"
    assert "revalidated" in reused.flags


def test_known_pages_are_revalidated_and_a_304_reads_the_stored_bytes_right(tmp_path):
    crawler = crawler_for(tmp_path)
    page = "<meta charset=gb2312><h1>鹤山镇2023年政府信息公开工作年度报告</h1>".encode("gbk")
    sha = FileStore(tmp_path / "files").put(page)
    url = "http://127.0.0.14/gkmlpt/content/0/6467/post_6467144.html"
    crawldb.upsert_document(
        database(crawler),
        {
            "url": url,
            "status": 200,
            "sha256": sha,
            "etag": '"p1"',
            "fetched_at": "2999-01-01T00:00:00Z",  # recent: a page is revalidated anyway
            "content_type": "text/html; charset=utf-8",  # the header lies; the bytes are GBK
        },
    )
    mw = IncrementalMiddleware.from_crawler(crawler)
    req = request(url, nianbao_kind="page")
    assert mw.process_request(req) is None
    assert req.headers["If-None-Match"] == b'"p1"'
    reused = mw.process_response(req, Response(url, status=304, request=req))
    assert reused.body == page and {"nianbao-stored", "revalidated"} <= set(reused.flags)
    assert reused.css("h1::text").get() == "鹤山镇2023年政府信息公开工作年度报告"


def test_unchanged_answers_are_archived_as_revisits(tmp_path):
    crawler = crawler_for(tmp_path, NIANBAO_WARC_ENABLED=True, NIANBAO_WARC_MAX_SIZE=10**9)
    mw = WarcArchiveMiddleware.from_crawler(crawler)
    for status, body in ((200, b"<p>list</p>"), (200, b"<p>list</p>"), (304, b""), (200, b"new")):
        req = request("http://127.0.0.11/list.html")
        mw.process_response(req, Response(req.url, body=body, request=req, status=status))
    mw.spider_closed()
    (path,) = (tmp_path / "warc").glob("*.warc.gz")
    with open(path, "rb") as fh:
        kinds = [r.rec_type for r in ArchiveIterator(fh, check_digests="raise")]
    assert [k for k in kinds if k != "request"] == [
        "warcinfo",
        "response",
        "revisit",
        "revisit",
        "response",
    ]
    assert crawler.stats.get_value("archive/warc_revisits") == 2


def test_warc_middleware_sees_wire_bytes_before_decompression_and_redirects(tmp_path):
    order = project.DOWNLOADER_MIDDLEWARES["crawler.middlewares.warc.WarcArchiveMiddleware"]
    assert order > 600  # above HttpCompression (590) and Redirect (600)
    crawler = crawler_for(tmp_path, NIANBAO_WARC_ENABLED=True, NIANBAO_WARC_MAX_SIZE=10**9)
    mw = WarcArchiveMiddleware.from_crawler(crawler)
    wire = gzip.compress("<p>年报</p>".encode())
    req = request("http://127.0.0.11/a.html?x=1")
    resp = Response(
        req.url, body=wire, headers={"Content-Encoding": "gzip"}, request=req, status=200
    )
    assert mw.process_response(req, resp) is resp
    stored = mw.process_response(req, Response(req.url, body=b"x", flags=["nianbao-stored"]))
    assert stored.body == b"x"
    mw.spider_closed()
    name, offset = req.meta["nianbao_warc"]
    with open(tmp_path / "warc" / name, "rb") as fh:
        records = [(r.rec_type, r.raw_stream.read()) for r in ArchiveIterator(fh)]
    assert [t for t, _ in records] == ["warcinfo", "request", "response"]  # stored: not again
    assert records[2][1] == wire
    assert crawler.stats.get_value("archive/warc_records") == 1


def test_meta_refresh_is_followed_and_a_refresh_loop_recorded(tmp_path):
    crawler = crawler_for(tmp_path, REDIRECT_MAX_TIMES=2)
    mw = MetaRefreshLimitMiddleware.from_crawler(crawler)
    moved = request("http://127.0.0.11/old.html")
    head = '<html><head><META HTTP-EQUIV="Refresh" CONTENT="0; URL=/new.html"></head>'
    redirected = mw.process_response(
        moved, HtmlResponse(moved.url, body=head.encode(), request=moved)
    )
    assert isinstance(redirected, Request)
    assert redirected.url == "http://127.0.0.11/new.html"
    plain = request("http://127.0.0.11/plain.html")
    page = HtmlResponse(plain.url, body="<p>年度报告</p>".encode(), request=plain, encoding="utf-8")
    assert mw.process_response(plain, page) is page
    # Scrapy reads only the first 4096 characters of a page for the tag
    late = HtmlResponse(plain.url, body=b"<p>" + b"x" * 5000 + head.encode(), request=plain)
    assert mw.process_response(plain, late) is late
    loop = request("http://127.0.0.11/loop.html")
    hop = loop
    with pytest.raises(IgnoreRequest):
        for _ in range(4):
            refresh = '<meta http-equiv="refresh" content="0;url=/loop.html">'
            hop = mw.process_response(
                hop, HtmlResponse(hop.url, body=refresh.encode(), request=hop)
            )
    assert errors(tmp_path) == [
        (
            "330991",
            "http://127.0.0.11/loop.html",
            200,
            "max redirections reached: more than 2 redirects, last http://127.0.0.11/loop.html",
        )
    ]


def test_a_retry_after_counts_from_the_answer_not_from_the_request(tmp_path):
    from time import monotonic

    from scrapy.core.downloader import Slot

    from crawler.middlewares.backoff import BackoffMiddleware

    crawler = crawler_for(
        tmp_path, NIANBAO_BACKOFF_ENABLED=True, NIANBAO_BACKOFF_MAX_DELAY=60, DOWNLOAD_DELAY=0.5
    )
    mw = BackoffMiddleware.from_crawler(crawler)
    slot = Slot(concurrency=1, delay=0.5, jitter=0)
    slot.lastseen = monotonic() - 5  # the request went out five seconds ago, a slow answer
    before = monotonic()
    mw._back_off(slot, 1.0)
    assert slot.delay == 1.0
    # the slot's next request waits the full second from now, not from five seconds ago
    assert slot.lastseen >= before
    assert crawler.stats.get_value("nianbao/backoff") == 1

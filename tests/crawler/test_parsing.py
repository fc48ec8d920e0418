"""The parse worker: a real helper process reading the sample web's pages for a real crawler."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

import crawler.settings as project_settings
import sampleweb
from crawler.parsing import ParseWorker, parse_worker, usable_cpus
from crawler.spiders.base import (
    ArticleHead,
    ArticleView,
    article_view,
    article_view_of,
    detach_selector,
)
from crawler.spiders.county import CountySpider

pytestmark = pytest.mark.skipif(usable_cpus() < 2, reason="the parse worker needs two CPUs")

IMAGE_PAGE = """<html><head><meta charset="gbk"><title>2023年报（图片版）</title></head>
<body><img src="/logo.png"><div class="content"><h1>青岚县2023年政府信息公开工作年度报告</h1>
<p><img src="/u/p1.jpg"><img src="p2.jpg"><img src=""></p></div></body></html>"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[HtmlResponse]:
    """Every HTML page of the basic sample web (UTF-8 and GBK), and a 图片版 page."""
    root = tmp_path_factory.mktemp("sampleweb")
    sampleweb.generate(root, "basic")
    out = []
    for path in sorted((root / "sites").rglob("*.html")):
        _, site_path = path.relative_to(root / "sites").as_posix().split("/", 1)
        url = "http://127.0.0.11:8000/" + site_path
        out.append(HtmlResponse(url, body=path.read_bytes()))
    out.append(HtmlResponse("http://127.0.0.11:8000/art/img.html", body=IMAGE_PAGE.encode("gbk")))
    return out


def new_crawler(**settings):
    base = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    return get_crawler(CountySpider, {**base, **settings})


def local_view(response: HtmlResponse) -> ArticleView:
    return article_view(detach_selector(response.replace()).root)


def run(coroutine):
    return asyncio.run(coroutine)


def test_the_sample_pages_cover_both_encodings_and_body_images(pages):
    assert {p.encoding for p in pages} >= {"utf-8", "gb18030"}
    assert local_view(pages[-1]).images == ["/u/p1.jpg", "p2.jpg", ""]
    assert len(pages) > 100


def test_the_worker_reads_every_page_as_the_crawl_would(pages):
    crawler = new_crawler()
    worker = ParseWorker.from_crawler(crawler)

    async def one_by_one():
        worker.start()
        assert parse_worker(crawler) is worker
        try:
            return [await worker.read(p) for p in pages]
        finally:
            worker.close()

    views = run(one_by_one())
    assert views == [local_view(p) for p in pages]
    assert all(isinstance(v, ArticleView) and isinstance(v.head, ArticleHead) for v in views)
    assert views[-1].head.title == "2023年报（图片版）"
    assert views[-1] == article_view_of(pages[-1].url, pages[-1].body, "gb18030")
    assert crawler.stats.get_value("parse/worker") == len(pages)
    assert worker.process is None and parse_worker(crawler) is None


def test_pages_sent_while_the_worker_is_full_are_read_here(pages):
    crawler = new_crawler()
    worker = ParseWorker.from_crawler(crawler)

    async def all_at_once():
        worker.start()
        try:
            return await asyncio.gather(*(worker.read(p) for p in pages))
        finally:
            worker.close()

    views = run(all_at_once())
    here = [p for p, v in zip(pages, views, strict=True) if v is None]
    assert [v for v in views if v is not None] == [
        local_view(p) for p, v in zip(pages, views, strict=True) if v is not None
    ]
    # more pages than the worker may hold at once: it took some, the rest were read here
    assert sum(len(p.body) for p in pages) > worker.max_bytes
    assert 0 < len(here) < len(pages)
    stats = crawler.stats.get_stats()
    assert (stats["parse/worker"], stats["parse/local"]) == (len(pages) - len(here), len(here))
    assert "parse/worker_lost" not in stats


def test_a_worker_that_dies_hands_its_pages_back(pages, monkeypatch):
    # the worker kills itself (SIGKILL) as it takes its third page
    monkeypatch.setenv("NIANBAO_CRASH_AT", "crawl.parse_worker:3")
    crawler = new_crawler()
    worker = ParseWorker.from_crawler(crawler)

    async def one_by_one():
        worker.start()
        process = worker.process
        try:
            views = [await worker.read(p) for p in pages[:5]]
        finally:
            worker.close()
        return views, process

    views, process = run(one_by_one())
    assert [v is not None for v in views] == [True, True, False, False, False]
    assert views[:2] == [local_view(p) for p in pages[:2]]
    assert process.exitcode == -9
    stats = crawler.stats.get_stats()
    assert (stats["parse/worker"], stats["parse/local"], stats["parse/worker_lost"]) == (2, 3, 1)
    assert parse_worker(crawler) is None


def test_pages_beyond_what_the_worker_may_hold_are_read_here(pages):
    crawler = new_crawler(NIANBAO_PARSE_WORKER_BYTES=min(len(p.body) for p in pages) - 1)
    worker = ParseWorker.from_crawler(crawler)

    async def read_all():
        worker.start()
        try:
            return [await worker.read(p) for p in pages[:3]]
        finally:
            worker.close()

    assert run(read_all()) == [None, None, None]
    assert crawler.stats.get_value("parse/local") == 3
    assert crawler.stats.get_value("parse/worker") is None


def test_the_worker_is_a_setting():
    from scrapy.exceptions import NotConfigured

    with pytest.raises(NotConfigured):
        ParseWorker.from_crawler(new_crawler(NIANBAO_PARSE_WORKER=False))
    assert parse_worker(new_crawler()) is None  # not started


def test_the_spider_reads_an_article_the_same_with_or_without_the_worker(pages):
    from scrapy import Request

    page = next(p for p in pages if "/art/" in p.url and p.url.endswith("28132.html"))
    site = {"adcode": "330991", "name": "青岚县", "url": "http://127.0.0.11:8000/"}
    request = Request(page.url, meta={"nianbao_site": site, "nianbao_listed": {}})
    response = page.replace(request=request)
    crawler = new_crawler()
    spider = CountySpider.from_crawler(crawler)
    worker = ParseWorker.from_crawler(crawler)

    async def through_worker():
        worker.start()
        try:
            return [out async for out in spider.read_article(response)]
        finally:
            worker.close()

    with_worker = run(through_worker())
    without = list(spider.parse_article(response))
    assert crawler.stats.get_value("parse/worker") == 1

    def summary(outputs):
        return [(type(o).__name__, getattr(o, "url", None)) for o in outputs]

    assert summary(with_worker) == summary(without) and len(without) >= 2


def test_no_worker_process_outlives_its_crawl(pages):
    crawler = new_crawler()
    worker = ParseWorker.from_crawler(crawler)

    async def start_and_close():
        worker.start()
        process = worker.process
        await worker.read(pages[0])
        worker.close()
        return process

    process = run(start_and_close())
    assert not process.is_alive() and process.exitcode == 0


def test_a_crawl_pinned_to_one_cpu_has_no_worker():
    import subprocess
    import sys

    code = (
        "import os\n"
        "os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
        "from scrapy.exceptions import NotConfigured\n"
        "from tests.crawler.test_parsing import new_crawler\n"
        "from crawler.parsing import ParseWorker\n"
        "try:\n"
        "    ParseWorker.from_crawler(new_crawler())\n"
        "except NotConfigured as exc:\n"
        "    print('not configured:', exc)\n"
    )
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == (
        "not configured: one CPU: article pages are read in the crawl's process"
    ), done.stderr

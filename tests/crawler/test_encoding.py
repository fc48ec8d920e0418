"""The encoding fix middleware: GBK pages read right whatever their label says."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.middlewares.encoding import EncodingFixMiddleware

TEXT = "梧溪县人民政府2023年政府信息公开工作年度报告"


def middleware(**settings):
    crawler = get_crawler(Spider, {"NIANBAO_ENCODING_ENABLED": True, **settings})
    return EncodingFixMiddleware.from_crawler(crawler), crawler


def page(body: bytes, content_type: str) -> HtmlResponse:
    return HtmlResponse(
        "http://127.0.0.12/x.html",
        body=body,
        headers={"Content-Type": content_type},
        request=Request("http://127.0.0.12/x.html"),
    )


def html(charset: str, text: str = TEXT, encoding: str = "gbk") -> bytes:
    return f'<html><head><meta charset="{charset}"><title>{text}</title></head></html>'.encode(
        encoding
    )


@pytest.mark.parametrize(
    ("content_type", "meta_charset"),
    [
        ("text/html; charset=gb2312", "gb2312"),  # labelled GB2312, has GBK-only characters
        ("text/html; charset=utf-8", "utf-8"),  # labelled UTF-8, bytes are GBK
        ("text/html", "utf-8"),  # no header charset, wrong meta
        ("text/html; charset=GBK", "gbk"),
    ],
)
def test_gbk_bytes_are_decoded_as_gb18030(content_type, meta_charset):
    mw, crawler = middleware()
    request = Request("http://127.0.0.12/x.html")
    fixed = mw.process_response(request, page(html(meta_charset), content_type))
    assert fixed.encoding == "gb18030"
    assert fixed.css("title::text").get() == TEXT
    assert crawler.stats.get_value("nianbao/encoding/gb18030") == 1


def test_utf8_pages_are_left_alone():
    mw, _ = middleware()
    original = page(html("utf-8", encoding="utf-8"), "text/html; charset=utf-8")
    assert mw.process_response(Request(original.url), original) is original
    assert original.css("title::text").get() == TEXT


def test_binary_responses_are_left_alone():
    mw, _ = middleware()
    pdf = Response("http://127.0.0.12/a.pdf", body=b"%PDF-1.7 \xc4\xea")
    assert mw.process_response(Request(pdf.url), pdf) is pdf


def test_bytes_are_never_changed():
    mw, _ = middleware()
    body = html("gb2312")
    fixed = mw.process_response(Request("http://x/"), page(body, "text/html; charset=utf-8"))
    assert fixed.body == body

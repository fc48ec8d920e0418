"""The county spider on saved sample-web pages: each family's paging, reports, attachments."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from scrapy.http import HtmlResponse, Request, Response, XmlResponse
from scrapy.utils.test import get_crawler

import crawler.settings as project_settings
from crawler.attachments import disposition_filename, extension, is_attachment, preferred
from crawler.items import DocumentItem, ReportItem
from crawler.spiders.county import CountySpider
from crawler.spiders.hanweb import jpage_params
from crawler.titles import is_report_title

FILES = Path(__file__).parent / "files"
SITE = {"adcode": "330991", "name": "青岚县", "url": "http://127.0.0.11:8000/"}


@pytest.fixture
def spider() -> CountySpider:
    settings = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    return CountySpider.from_crawler(get_crawler(CountySpider, settings))


def response(path: str, url: str, cls=HtmlResponse, site=SITE, **meta):
    request = Request(url, meta={"nianbao_site": site, **meta})
    return cls(url, body=(FILES / path).read_bytes(), request=request)


def test_hanweb_column_posts_to_dataproxy_with_script_fields(spider):
    page = response("hanweb/column.html", "http://127.0.0.11:8000/col/col1229000117/index.html")
    assert spider.detect_family(page) == "hanweb"
    (post,) = [r for r in spider.parse(page) if "dataproxy" in r.url]
    assert post.method == "POST"
    assert post.url.endswith(
        "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=30&perpage=10"
    )
    form = {k: v[0] for k, v in parse_qs(post.body.decode()).items()}
    assert form["columnid"] == "1229000117"
    assert form["unitid"] == "4821"
    assert form["webid"] == "1"
    assert form["webname"] == "青岚县人民政府"


def test_hanweb_records_give_reports_and_the_next_batch(spider):
    column = "http://127.0.0.11:8000/col/col1229000117/index.html"
    jpage = jpage_params((FILES / "hanweb/column.html").read_text())
    xml = response(
        "hanweb/dataproxy.xml",
        "http://127.0.0.11:8000/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=30&perpage=10",
        cls=XmlResponse,
        nianbao_jpage=jpage,
        nianbao_start=1,
        nianbao_size=30,
        nianbao_listing=column,
    )
    out = list(spider.parse_hanweb_records(xml))
    articles = [r for r in out if "/art/" in r.url]
    batches = [r for r in out if "dataproxy" in r.url]
    assert len(articles) == 24  # 30 records, 6 look-alikes: 解读 ×2, 一图读懂, 工作要点 ×2, 决算
    assert all(is_report_title(r.meta["nianbao_listed"]["title"]) for r in articles)
    assert all(r.meta["nianbao_listed"]["listing_url"] == column for r in articles)
    assert [b.url.split("?")[1] for b in batches] == ["startrecord=31&endrecord=60&perpage=10"]
    assert articles[0].meta["nianbao_listed"]["date"] == "2025-03-15"


def test_trs_column_pages_through_create_page_html(spider):
    page = response(
        "trs/column.html",
        "http://127.0.0.12:8000/zwgk/zfxxgk/zfxxgknb/",
        site={**SITE, "adcode": "430991", "url": "http://127.0.0.12:8000/"},
    )
    assert page.encoding in ("gb18030", "cp936", "gbk")
    assert spider.detect_family(page) == "trs"
    urls = [r.url for r in spider.parse(page)]
    base = "http://127.0.0.12:8000/zwgk/zfxxgk/zfxxgknb/"
    assert [u for u in urls if "index_" in u] == [base + f"index_{n}.html" for n in (1, 2, 3)]
    reports = [u for u in urls if "/t20" in u]
    assert base + "202503/t20250327_2249709.html" in reports
    assert base + "202404/t20240426_1454034.html" not in reports  # …的解读


def test_standard_sub_columns_and_next_page(spider):
    site = {**SITE, "adcode": "620991", "name": "松岭县", "url": "http://127.0.0.13:8000/"}
    column = response(
        "standard/column.html", "http://127.0.0.13:8000/zfxxgk/zfxxgknb/index.html", site=site
    )
    subs = [r for r in spider.parse(column) if r.meta.get("nianbao_in_column")]
    assert [r.meta["nianbao_column"] for r in subs] == [
        "松岭县人民政府",
        "松岭县教育局",
        "松岭县财政局",
        "白杨镇人民政府",
    ]
    sub = response(
        "standard/subcolumn.html",
        subs[1].url,
        site=site,
        **{k: subs[1].meta[k] for k in ("nianbao_in_column", "nianbao_column")},
    )
    out = list(spider.parse(sub))
    assert "http://127.0.0.13:8000/zfxxgk/zfxxgknb/xjyj/index_2.html" in [r.url for r in out]
    reports = [r for r in out if r.callback == spider.read_article]
    assert len(reports) == 3
    assert all(r.meta["nianbao_column"] == "松岭县教育局" for r in reports)


def test_article_with_attachment_fetches_the_pdf_as_the_document(spider):
    url = "http://127.0.0.11:8000/art/2024/3/14/art_1229000117_32823.html"
    page = response("hanweb/article_pdf.html", url, nianbao_listed={"date": "2024-03-14"})
    out = list(spider.parse_article(page))
    assert isinstance(out[0], DocumentItem) and out[0].kind == "page"
    assert not any(isinstance(o, ReportItem) for o in out)
    (attachment,) = [o for o in out if isinstance(o, Request)]
    assert "downfile.jsp?classid=0&filename=" in attachment.url
    report = attachment.meta["nianbao_report"]
    assert (report["publisher"], report["year"], report["published"]) == (
        "石桥镇人民政府",
        2023,
        "2024-03-14",
    )
    pdf = Request(attachment.url, meta=attachment.meta)
    got = list(
        spider.parse_document(
            Response(
                attachment.url,
                body=b"%PDF-1.7",
                headers={"Content-Disposition": 'attachment; filename="年报.pdf"'.encode("gbk")},
                request=pdf,
            )
        )
    )
    assert got[0].filename == "年报.pdf"
    assert got[1].document_url == attachment.url
    assert got[1].document_sha256 == hashlib.sha256(b"%PDF-1.7").hexdigest()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/module/download/downfile.jsp?classid=0&filename=ab12.pdf", True),
        ("./P020240131554416718420.pdf", True),
        ("/files/report.OFD", True),
        ("/uploadfile/a.wps", True),
        ("/art/2024/1/30/art_1_2.html", False),
        ("/zfxxgk/zfxxgknb/index.html", False),
    ],
)
def test_attachment_links(url, expected):
    assert is_attachment("http://x" + url.lstrip(".")) is expected


def test_attachment_preference_and_names():
    assert preferred(["a.jpg", "b.docx", "c.pdf"]) == "c.pdf"
    assert preferred(["a.jpg", "b.png"]) is None
    assert extension("/module/download/downfile.jsp?classid=0&filename=x.docx") == "docx"
    assert disposition_filename("attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf") == "年报.pdf"
    assert disposition_filename('attachment; filename="年报.pdf"'.encode("gbk")) == "年报.pdf"
    assert disposition_filename("attachment; filename=%C4%EA%B1%A8.pdf") == "年报.pdf"
    assert disposition_filename(None) is None


GK_SITE = {"adcode": "440991", "name": "东澜县", "url": "http://127.0.0.14:8000/"}
GK_INDEX = (
    '<a href="/gkmlpt/index#2581">政府信息公开年报</a><a href="/gkmlpt/index#2577">通知公告</a>'
    "<script>window._CONFIG = { SID: '755031', CATEGORIES: [{id: 2581, name: '政府信息公开年报'},"
    " {id: 2577, name: '通知公告'}] };</script>"
)


def gk_api(spider, page: int, articles: list[dict], total: int):
    import json

    from scrapy.http import JsonResponse

    url = f"http://127.0.0.14:8000/gkmlpt/api/all/2581?page={page}&sid=755031"
    request = Request(
        url,
        meta={
            "nianbao_site": GK_SITE,
            "nianbao_kind": "list",
            "nianbao_column": "政府信息公开年报",
            "nianbao_gkmlpt": ("2581", "政府信息公开年报", "755031", page),
        },
    )
    body = json.dumps({"total": total, "articles": articles}, ensure_ascii=False).encode()
    return list(spider.parse_gkmlpt_api(JsonResponse(url, body=body, request=request)))


def test_gkmlpt_index_asks_the_api_for_report_and_linked_categories_only(spider):
    url = "http://127.0.0.14:8000/gkmlpt/index"
    # 2590 is in the config's tree but not linked: not read
    body = GK_INDEX.replace("CATEGORIES: [", "CATEGORIES: [{id: 2590, name: '人事信息'}, ")
    page = HtmlResponse(
        url,
        body=body.encode(),
        encoding="utf-8",
        request=Request(url, meta={"nianbao_site": GK_SITE}),
    )
    assert spider.detect_family(page) == "gkmlpt"
    api = {r.url: r.meta["nianbao_in_column"] for r in spider.parse(page) if "/api/" in r.url}
    # 通知公告 is read too, but its titles must say 信息公开 (not a report column)
    assert api == {
        "http://127.0.0.14:8000/gkmlpt/api/all/2577?page=1&sid=755031": False,
        "http://127.0.0.14:8000/gkmlpt/api/all/2581?page=1&sid=755031": True,
    }


def test_gkmlpt_api_pages_until_the_list_repeats_or_ends(spider):
    def article(n: int, title: str) -> dict:
        return {
            "id": n,
            "title": title,
            "created_at": "2024-01-20 09:00:00",
            "url": f"http://127.0.0.14:8000/gkmlpt/content/0/{n // 1000}/post_{n}.html",
        }

    first = [
        article(9054221, "东澜县教育局2024年政府信息公开工作年度报告"),
        article(9054222, "东澜县2024年政府信息公开工作年度报告的解读"),
        article(8000001, "东澜县2023年政府信息公开工作年度报告"),
        # Another county's report: never this county's.
        {
            **article(7, "竹溪县2023年政府信息公开工作年度报告"),
            "url": "http://127.0.0.15:8000/c/content_7.html",
        },
    ]
    requests = gk_api(spider, 1, first, total=40)
    pages = [r for r in requests if "post_" in r.url]
    assert [r.meta["nianbao_listed"]["date"] for r in pages] == ["2024-01-20", "2024-01-20"]
    assert [r.url for r in requests if "/api/" in r.url] == [
        "http://127.0.0.14:8000/gkmlpt/api/all/2581?page=2&sid=755031"
    ]
    assert pages[0].meta["nianbao_listed"]["listing_url"].endswith("page=1&sid=755031")
    # Page 2 answers with the same items (a server that ignores page=N): stop there.
    assert [r.url for r in gk_api(spider, 2, first, total=40) if "/api/" in r.url] == []
    # An empty page ends the list.
    assert gk_api(spider, 3, [], total=40) == []


def test_a_list_that_repeats_its_items_is_not_paged_further(spider):
    site = {"adcode": "440991", "name": "东澜县", "url": "http://127.0.0.14:8000/"}

    def month(n: int):
        url = f"http://127.0.0.14:8000/zfxxgknb/calendar?month=2024-{n:02d}"
        body = (
            '<ul><li><a href="/zfxxgknb/post_1.html">东澜县2023年政府信息公开工作年度报告</a></li>'
            '<li><a href="/zfxxgknb/post_2.html">东澜县2022年政府信息公开工作年度报告</a></li></ul>'
            f'<a href="calendar?month=2024-{n + 1:02d}">下一页</a>'
        )
        request = Request(url, meta={"nianbao_site": site, "nianbao_kind": "list"})
        return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=request)

    first = [r.url for r in spider.parse(month(1))]
    assert "http://127.0.0.14:8000/zfxxgknb/calendar?month=2024-02" in first
    assert sum("post_" in u for u in first) == 2
    again = [r.url for r in spider.parse(month(2))]
    assert not [u for u in again if "calendar" in u]  # same items: the next month is not asked
    assert spider.crawler.stats.get_value("nianbao/list_repeats") == 1


IMAGE_ARTICLE = """<html><head><title>青岚县2023年政府信息公开工作年度报告（图片版）</title></head>
<body><h1>青岚县2023年政府信息公开工作年度报告（图片版）</h1>
<div id="zoom"><p><img src="/picture/2023nb.png"></p></div></body></html>"""


def image_article(spider):
    url = "http://127.0.0.11:8000/art/2024/1/30/art_1229000117_40001.html"
    request = Request(url, meta={"nianbao_site": SITE, "nianbao_in_column": True})
    page = HtmlResponse(url, body=IMAGE_ARTICLE.encode(), encoding="utf-8", request=request)
    return list(spider.parse_article(page))


def list_text_version(spider):
    url = "http://127.0.0.11:8000/col/col1229000117/index_2.html"
    listing = HtmlResponse(
        url, body=b"<html></html>", request=Request(url, meta={"nianbao_site": SITE})
    )
    entry = (
        "http://127.0.0.11:8000/art/2024/1/30/art_1229000117_40000.html",
        "青岚县2023年政府信息公开工作年度报告",
        "2024-01-30",
    )
    return list(spider.report_entries([entry], listing, in_column=True))


def test_an_image_only_report_waits_for_the_idle_crawl_then_takes_its_image(spider):
    out = image_article(spider)
    assert [type(o).__name__ for o in out] == ["DocumentItem", "Request"]
    (image,) = [o for o in out if isinstance(o, Request)]
    assert image.url == "http://127.0.0.11:8000/picture/2023nb.png"
    assert "nianbao_report" not in image.meta  # archived now, a report only if no 文字版 turns up
    (request,) = spider.image_only_requests()
    assert request.url == image.url and request.dont_filter
    assert request.meta["nianbao_report"]["year"] == 2023
    assert request.meta["nianbao_report"]["publisher"] == "青岚县人民政府"
    assert (
        request.headers["Referer"]
        == b"http://127.0.0.11:8000/art/2024/1/30/art_1229000117_40001.html"
    )
    assert spider.image_only_requests() == []  # decided once


def test_a_text_version_listed_after_its_image_version_keeps_it_from_being_a_report(spider):
    image_article(spider)
    assert len(list_text_version(spider)) == 1  # the 文字版, on a later list page
    assert spider.image_only_requests() == []
    assert spider.crawler.stats.get_value("nianbao/image_versions") == 1


def test_an_image_version_with_several_images_waits_then_its_page_is_the_document(spider):
    url = "http://127.0.0.11:8000/art/2024/1/30/art_1229000117_40002.html"
    body = IMAGE_ARTICLE.replace("<p><img", '<p><img src="/picture/p1.png"><img').encode()
    request = Request(url, meta={"nianbao_site": SITE, "nianbao_in_column": True})
    out = list(
        spider.parse_article(HtmlResponse(url, body=body, encoding="utf-8", request=request))
    )
    assert not any(isinstance(o, ReportItem) for o in out)  # not before the crawl is idle
    assert len([o for o in out if isinstance(o, Request)]) == 2  # both images archived
    (again,) = spider.image_only_requests()
    assert again.url == url and again.meta["nianbao_kind"] == "page" and again.dont_filter
    answer = HtmlResponse(url, body=body, encoding="utf-8", request=again)
    page, report = spider.parse_report_page(answer)
    assert isinstance(page, DocumentItem) and page.kind == "page"
    assert report.document_url == url
    assert report.document_sha256 == hashlib.sha256(body).hexdigest()
    assert (report.publisher, report.year) == ("青岚县人民政府", 2023)


@pytest.mark.parametrize(
    "html",
    [
        # nested candidates: the first selector of BODY_SELECTORS that matches wins
        '<div class="content"><div id="x" class="TRS_Editor">a<img src="1.png"></div></div>',
        # several elements match the winning selector; id and class on one element
        '<p class="article">a</p><div id="zoom" class="article">b</div><p class="article">c</p>',
        # class lists with tabs and newlines; a near miss (content2) and an empty class
        '<div class="x\tcontent\n y">a</div><div class="content2">b</div><div class="">c</div>',
        # ids are exact, not words
        '<div id="zoom x">a</div><div id="UCAP-CONTENT">b</div>',
        "<p>no body at all</p>",
    ],
)
def test_article_body_is_what_css_finds_for_the_first_selector_that_matches(html):
    from crawler.spiders.base import BODY_SELECTORS, article_body

    page = HtmlResponse("http://127.0.0.11/a.html", body=html.encode(), encoding="utf-8")
    expected = next((found for found in (page.css(s) for s in BODY_SELECTORS) if found), [])
    assert article_body(page.selector.root) == [s.root for s in expected]


@pytest.mark.parametrize(
    "html",
    [
        # the usual article page
        '<head><title>T</title><meta name="ArticleTitle" content="A">'
        '<meta name="PubDate" content="2024-01-05"></head><h1>H</h1><a href="a.pdf">x</a>',
        # the first meta without content gives way to the next; names are case-sensitive
        '<meta name="ArticleTitle"><meta name="articletitle" content="no">'
        '<meta name="ArticleTitle" content="second"><meta name="PubDate" content="">',
        # text after a child element; an h1 without text gives way to the next h1
        "<h1><img src=x></h1><h1><span>s</span> tail</h1><title><!-- c -->t</title>",
        # whitespace-only text counts as text; links without href are skipped, empty ones kept
        '<h1> <b>B</b></h1><a>no</a><a href="">empty</a><a href="/b.doc">b</a>',
        "<p>nothing at all</p>",
    ],
)
def test_article_head_is_what_css_finds(html):
    from crawler.spiders.base import article_head

    page = HtmlResponse("http://127.0.0.11/a.html", body=html.encode(), encoding="utf-8")
    assert article_head(page.selector.root) == (
        page.css('meta[name="ArticleTitle"]::attr(content)').get(),
        page.css('meta[name="PubDate"]::attr(content)').get(),
        page.css("h1::text").get(),
        page.css("title::text").get(),
        page.css("a::attr(href)").getall(),
        bool(page.css("img")),
    )


@pytest.mark.parametrize(
    ("path", "url", "callback"),
    [
        ("standard/column.html", "http://127.0.0.13:8000/zfxxgk/zfxxgknb/index.html", "parse"),
        (
            "hanweb/article_pdf.html",
            "http://127.0.0.11:8000/art/2024/3/14/art_1229000117_32823.html",
            "parse_article",
        ),
    ],
)
def test_a_parsed_page_is_freed_without_the_garbage_collector(spider, path, url, callback):
    import gc
    import weakref

    page = response(path, url, site={**SITE, "url": "http://127.0.0.13:8000/"})
    gc.disable()
    try:
        out = list(getattr(spider, callback)(page))
        assert out
        assert page.selector.response is None
        alive = weakref.ref(page)
        del page
        assert alive() is None
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "html",
    [
        # relative, absolute and empty hrefs; a title attribute wins over the text
        '<a href="b.html">b</a><a href="/c/">c</a><a href="">self</a>'
        '<a href="http://127.0.0.12/x" title=" 标题 ">text</a>',
        # links without href are not links; nested markup and whitespace in the text
        '<a name="top">no</a><ul><li><a href="d.pdf"><b>2023年</b>\n  年报</a></li></ul>',
        "<p>no links</p>",
    ],
)
def test_page_links_are_what_css_finds(html):
    from crawler.spiders.base import link_text, page_links

    page = HtmlResponse("http://127.0.0.11/a/index.html", body=html.encode(), encoding="utf-8")
    expected = [
        (page.urljoin(s.attrib["href"]), link_text(s.root), s.root) for s in page.css("a[href]")
    ]
    assert page_links(page) == expected
    assert page_links(page) is page_links(page)  # read once per response


def test_images_count_only_inside_the_article_body(spider):
    url = "http://127.0.0.11:8000/art/2024/1/30/art_1229000117_40002.html"
    title = "<title>青岚县2023年政府信息公开工作年度报告</title>"

    def article(body: str) -> list:
        html = f"<html><head>{title}</head><body>{body}</body></html>"
        request = Request(url, meta={"nianbao_site": SITE, "nianbao_in_column": True})
        page = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=request)
        return [o.url for o in spider.parse_article(page) if isinstance(o, Request)]

    assert article('<img src="/logo.png"><div id="zoom"><p>文字</p></div>') == []
    assert article('<div id="zoom"><p>文字</p></div>') == []
    assert article('<img src="/logo.png"><div id="zoom"><img src="/p/1.png"></div>') == [
        "http://127.0.0.11:8000/p/1.png"
    ]

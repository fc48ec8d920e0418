"""Shared helpers of the county spider: links, report recognition, articles and documents.

A CMS family module (hanweb, trs, standard) is a mixin with ``family``, a ``detects(response)``
test and a ``<family>_requests(response)`` generator for its list paging; :class:`BaseCountySpider`
does everything that does not depend on the family.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import AsyncIterator, Generator, Iterable, Iterator
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit
from weakref import WeakKeyDictionary

import scrapy
from lxml import etree
from parsel import Selector
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse, Response, TextResponse

from archive.crawldb import canonical_url
from archive.store import sha256_hex
from crawler.attachments import disposition_filename, is_attachment, preferred, url_filename
from crawler.items import DocumentItem, ReportItem
from crawler.parsing import parse_worker
from crawler.titles import (
    is_report_title,
    normalise,
    report_publisher,
    report_year,
    strip_version,
)

# Links to single articles: followed only as reports, never as navigation.
ARTICLE_URL = re.compile(
    r"/art_\d+_\d+\.s?html?$|/t\d{8}_\d+\.s?html?$|content_\d+\.s?html?$|/post_\d+\.html$"
    r"|/art/\d{4}/|/art_[0-9a-f]{32}\.html$",
    re.I,
)
IMAGE_VERSION = re.compile(r"[（(]图片版[)）]\s*$")
REPORT_COLUMN = re.compile(r"年报|年度报告|zfxxgknb|xxgknb|ndbg|/nb/", re.I)
BODY_SELECTORS = (
    "#zoom",
    ".TRS_Editor",
    ".trs_editor_view",
    ".Custom_UnionStyle",
    "#UCAP-CONTENT",
    "#ivs_content",
    ".article",
    ".article-content",
    ".content",
)
# Each body selector is one ``#id`` or ``.class``: article_body finds them in one walk.
assert all(re.fullmatch(r"[#.][\w-]+", selector) for selector in BODY_SELECTORS)
# the same elements as ``descendant-or-self::*[@id or @class]``, in document order, found
# faster: libxml2 walks the attribute axis faster than it tests a predicate per element
_WITH_ID_OR_CLASS = etree.XPath("descendant-or-self::*/@id/.. | descendant-or-self::*/@class/..")
_HEAD_META = frozenset({"ArticleTitle", "PubDate"})
_DATE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_URL_DATE = re.compile(
    r"/t((?:19|20)\d{2})(\d{2})(\d{2})_|/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"
)


def iso_date(text: str | None) -> str | None:
    """The first date in ``text`` as ISO ``YYYY-MM-DD``.

    >>> iso_date("发布日期：2024-3-14 09:30")
    '2024-03-14'
    """
    match = _DATE.search(text or "")
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    return f"{year:04d}-{month:02d}-{day:02d}"


def url_date(url: str) -> str | None:
    """The date TRS and Hanweb write into article URLs.

    >>> url_date("http://x/zfxxgknb/202401/t20240131_87229032.html")
    '2024-01-31'
    """
    match = _URL_DATE.search(url)
    if not match:
        return None
    groups = [g for g in match.groups() if g]
    year, month, day = (int(g) for g in groups)
    return f"{year:04d}-{month:02d}-{day:02d}"


def _registrable(host: str) -> str:
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.lower().split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in ("gov", "com", "org", "net", "edu") else 2
    return ".".join(labels[-keep:])


def same_site(url: str, site_url: str) -> bool:
    """True when ``url`` belongs to the site that starts at ``site_url`` (same host, or another
    host of the same registrable domain such as ``xxgk.x.gov.cn`` for ``www.x.gov.cn``).

    >>> same_site("http://xxgk.a.gov.cn/x", "http://www.a.gov.cn/")
    True
    >>> same_site("http://127.0.0.12:80/", "http://127.0.0.11:80/")
    False
    """
    a, b = urlsplit(url), urlsplit(site_url)
    if a.scheme not in ("http", "https") or not a.hostname or not b.hostname:
        return False
    if a.hostname == b.hostname:
        return a.port == b.port
    return _registrable(a.hostname) == _registrable(b.hostname)


def article_body(root: etree._Element) -> list[etree._Element]:
    """The elements of the first of :data:`BODY_SELECTORS` the page holds, in document order:
    what ``response.css(selector)`` gives for the first selector that matches anything, found
    in one walk of the tree (a walk per selector cost a twentieth of a crawl's CPU).

    >>> page = etree.HTML('<div class="content"><div class="TRS_Editor x">a</div></div>')
    >>> [e.get("class") for e in article_body(page)]
    ['TRS_Editor x']
    """
    found: dict[str, list[etree._Element]] = {}
    for element in _WITH_ID_OR_CLASS(root):
        keys = {"." + name for name in (element.get("class") or "").split()}
        keys.add("#" + (element.get("id") or ""))
        for key in keys.intersection(BODY_SELECTORS):
            found.setdefault(key, []).append(element)
    return next((found[selector] for selector in BODY_SELECTORS if selector in found), [])


class ArticleHead(NamedTuple):
    """What an article page says about itself, as :func:`article_head` reads it."""

    article_title: str | None  # ``meta[name="ArticleTitle"]::attr(content)``
    pub_date: str | None  # ``meta[name="PubDate"]::attr(content)``
    h1: str | None  # ``h1::text``
    title: str | None  # ``title::text``
    hrefs: list[str]  # ``a::attr(href)``, all of them
    has_images: bool  # any ``img`` at all


def text_nodes(element: etree._Element) -> Iterator[str]:
    """The element's own text nodes, in order: what ``::text`` selects, without a Selector per
    node.

    >>> list(text_nodes(etree.fromstring("<a>下<b>x</b>一页<!-- c --></a>")))
    ['下', '一页']
    """
    if element.text is not None:
        yield element.text
    yield from (child.tail for child in element if child.tail is not None)


def article_head(root: etree._Element) -> ArticleHead:
    """The first value of each of :class:`ArticleHead`'s selectors (``.get()``) and every link
    (``.getall()``), in one walk of the tree: each ``response.css`` call walked the whole tree
    again (a page's four walks cost as much as a third of its parse).

    >>> head = article_head(etree.HTML('<title>T</title><h1><b>x</b>H</h1><a href="r.pdf">r</a>'))
    >>> head.title, head.h1, head.hrefs, head.article_title, head.has_images
    ('T', 'H', ['r.pdf'], None, False)
    """
    meta: dict[str, str] = {}
    first = {"h1": None, "title": None}
    hrefs = []
    images = False
    for element in root.iter("a", "meta", "h1", "title", "img"):
        tag = element.tag
        if tag == "a":
            if (href := element.get("href")) is not None:
                hrefs.append(href)
        elif tag == "img":
            images = True
        elif tag == "meta":
            name, content = element.get("name"), element.get("content")
            if name in _HEAD_META and content is not None:
                meta.setdefault(name, content)
        elif first[tag] is None:
            first[tag] = next(text_nodes(element), None)
    return ArticleHead(
        meta.get("ArticleTitle"), meta.get("PubDate"), first["h1"], first["title"], hrefs, images
    )


class ArticleView(NamedTuple):
    """What the spider reads off an article page: its :class:`ArticleHead`, and the ``src`` of
    every image inside its article body (none read when the page has no image at all)."""

    head: ArticleHead
    images: list[str]


def article_view(root: etree._Element) -> ArticleView:
    """The :class:`ArticleView` of a parsed article page.

    >>> article_view(etree.HTML('<img src="logo.png"><div class="content"><img src="p1.jpg">'
    ...     '</div>')).images
    ['p1.jpg']
    """
    head = article_head(root)
    # Images count only inside the article body (图片版 reports), never logos and icons.
    # Finding the body walks every element in Python; a page without images skips it.
    body = article_body(root) if head.has_images else []
    images = [
        src
        for element in body
        for img in element.iter("img")
        if (src := img.get("src")) is not None
    ]
    return ArticleView(head, images)


def article_view_of(url: str, body: bytes, encoding: str) -> ArticleView:
    """The :class:`ArticleView` of the HTML page ``body`` fetched from ``url``, decoded with
    ``encoding`` (the response's): parsed as Scrapy parses an ``HtmlResponse``, so it is the
    same whether it runs here or in the parse worker (:mod:`crawler.parsing`).

    >>> article_view_of("http://a.example/x.html", "<title>年报</title>".encode("gbk"), "gbk").head.title
    '年报'
    """
    response = HtmlResponse(url, body=body, encoding=encoding)
    return article_view(detach_selector(response).root)


def detach_selector(response: TextResponse) -> Selector:
    """``response.selector``, no longer pointing back at ``response``.

    Scrapy's Selector keeps the response it was made from, which caches the Selector: a
    reference cycle, so every parsed page, lxml tree and all, waited for the cyclic garbage
    collector (most of a crawl's memory, and much of its CPU in collections). Without the
    link a page is freed as soon as its callback is done; nothing reads ``Selector.response``.
    """
    selector = response.selector
    selector.response = None
    return selector


def report_item(report: dict[str, Any], document_url: str, document: DocumentItem) -> ReportItem:
    """The report (:meth:`BaseCountySpider.report_fields`) with the document that holds it."""
    return ReportItem(
        **report,
        document_url=document_url,
        document_sha256=document.sha256,
        content_type=document.content_type,
    )


def link_text(link: etree._Element) -> str:
    """The title of a link: its ``title`` attribute, else its text, normalised.

    >>> link_text(etree.fromstring('<a href="x">2023年 <b>年报</b></a>'))
    '2023年年报'
    """
    # lxml's itertext() gives the same text nodes as ``::text`` without a Selector per node,
    # which on list pages was most of the cost of discovery
    return normalise(link.get("title") or " ".join(link.itertext()))


def listed_date(link: etree._Element) -> str | None:
    """The date printed next to a list entry (a sibling ``<span>`` in the same ``<li>``).

    >>> listed_date(etree.fromstring("<li><a href='x'>年报</a><span>2024-03-14</span></li>")[0])
    '2024-03-14'
    """
    item = next(link.iterancestors("li"), None)
    return iso_date(" ".join(item.itertext())) if item is not None else None


class PageLink(NamedTuple):
    """One ``a[href]`` of a page."""

    url: str  # the href joined to the page's URL
    text: str  # :func:`link_text`
    element: etree._Element


_A_HREF = etree.XPath("descendant-or-self::a[@href]")  # what ``response.css("a[href]")`` finds
_PAGE_LINKS: WeakKeyDictionary[Response, list[PageLink]] = WeakKeyDictionary()


def page_links(response: TextResponse) -> list[PageLink]:
    """Every ``a[href]`` of the page, in document order, read once per response: family
    detection, paging, report links and navigation each walked them again, with a Selector
    per link.

    >>> from scrapy.http import HtmlResponse
    >>> page = HtmlResponse("http://x/a/", body='<a href="b.html" title="B">b</a><a>no</a>'
    ...     .encode(), encoding="utf-8")
    >>> [(link.url, link.text) for link in page_links(page)]
    [('http://x/a/b.html', 'B')]
    """
    links = _PAGE_LINKS.get(response)
    if links is None:
        links = links_in(response.selector.root, response.url)
        _PAGE_LINKS[response] = links
    return links


def links_in(root: etree._Element, base_url: str) -> list[PageLink]:
    """:class:`PageLink` of each ``<a href>`` under ``root``, its href joined to ``base_url``."""
    return [PageLink(urljoin(base_url, a.get("href")), link_text(a), a) for a in _A_HREF(root)]


class BaseCountySpider(scrapy.Spider):
    """What every family shares: requests tagged with their site, link handling, articles."""

    def site_request(
        self, url: str, site: dict[str, Any], callback, *, kind: str, **meta: Any
    ) -> scrapy.Request:
        """A GET for ``url`` on behalf of ``site`` (meta ``nianbao_site``, ``nianbao_kind``)."""
        return scrapy.Request(
            url, callback=callback, meta={"nianbao_site": site, "nianbao_kind": kind, **meta}
        )

    def in_report_column(self, response: TextResponse) -> bool:
        """True on a page of a column that holds annual reports (by URL, title or breadcrumb)."""
        if response.meta.get("nianbao_in_column"):
            return True
        heading = " ".join(
            response.css("title::text, .position ::text, h2::text, .crumb ::text").getall()
        )
        return bool(
            REPORT_COLUMN.search(urlsplit(response.url).path) or REPORT_COLUMN.search(heading)
        )

    def column_name(self, response: TextResponse) -> str | None:
        """The name of the list's column: the link text that led here, or the page's ``<h2>``."""
        if response.meta.get("nianbao_column"):
            return response.meta["nianbao_column"]
        if not isinstance(response, HtmlResponse):
            return None  # an API answer (XML, JSON) has no heading
        return normalise(response.css("h2::text").get("")) or None

    def report_requests(
        self, links: Iterable[PageLink], response: Response, *, in_column: bool
    ) -> Generator[scrapy.Request, None, int]:
        """Article requests for the links whose titles name a report; returns how many of the
        links had not been listed before on this site (0 on a page that only repeats items)."""
        entries = [
            (link.url, link.text, listed_date(link.element))
            for link in links
            # an empty href is the page itself; only a report's entry needs its date
            if link.element.get("href") and is_report_title(link.text, in_report_column=in_column)
        ]
        # a helper that callbacks call with ``yield from``, never a callback itself
        return (yield from self.report_entries(entries, response, in_column=in_column))  # noqa: B901

    def report_entries(
        self,
        entries: list[tuple[str, str, str | None]],
        response: Response,
        *,
        in_column: bool,
    ) -> Generator[scrapy.Request, None, int]:
        """Requests for the (url, title, date) list entries that name a report.

        Returns the number of report entries not listed before on this site, so that a list
        whose pages keep returning the same items (a calendar, a ``?page=N`` that ignores N) is
        not paged further.
        """
        site = response.meta["nianbao_site"]
        column = self.column_name(response)
        listing = response.meta.get("nianbao_listing") or response.url
        seen = self.listed.setdefault(site["adcode"], set())
        fresh = 0
        for url, title, date in entries:
            if not is_report_title(title, in_report_column=in_column):
                continue
            if not same_site(url, site["url"]):
                # Another county's report linked from here is that county's, never this one's.
                continue
            key = canonical_url(url)
            fresh += key not in seen
            seen.add(key)
            if not IMAGE_VERSION.search(title):
                self.text_versions.setdefault(site["adcode"], set()).add(strip_version(title))
            listed = {"title": title, "date": iso_date(date) if date else None}
            listed["listing_url"] = listing
            if is_attachment(url, self.extensions):
                # A report linked straight to its file: the file is the page and the document.
                report = self.report_fields(site, title, column, listed, url)
                yield self.site_request(
                    url, site, self.parse_document, kind="attachment", nianbao_report=report
                )
                continue
            yield self.site_request(
                url,
                site,
                self.read_article,
                kind="page",
                nianbao_listed=listed,
                nianbao_column=column,
                nianbao_in_column=in_column,
            )
        return fresh  # noqa: B901 (as report_requests)

    @property
    def listed(self) -> dict[str, set[str]]:
        """Canonical URLs of the report entries listed so far, per adcode."""
        if not hasattr(self, "_listed"):
            self._listed: dict[str, set[str]] = {}
        return self._listed

    def navigation_requests(
        self, response: TextResponse, *, in_column: bool
    ) -> Iterator[scrapy.Request]:
        """Follow links that lead towards report columns (keywords) and, inside a report
        column, its sub-columns (links below the column's own path)."""
        site = response.meta["nianbao_site"]
        hops = response.meta.get("nianbao_hops", 0)
        if hops >= self.settings.getint("NIANBAO_MAX_NAV_HOPS"):
            return
        column_dir = urlsplit(response.url).path.rsplit("/", 1)[0] + "/"
        keywords = self.settings.getlist("NIANBAO_NAV_KEYWORDS")
        for url, text, _ in page_links(response):
            path = urlsplit(url).path
            if (
                not same_site(url, site["url"])
                or ARTICLE_URL.search(path)
                or is_attachment(url, self.extensions)
                or is_report_title(text, in_report_column=True)
                or "解读" in text
            ):
                continue
            by_keyword = any(k in text or k in path for k in keywords)
            # A sub-column sits in a directory below the column's; siblings are its list pages.
            below = path[len(column_dir) :] if path.startswith(column_dir) else ""
            sub_column = in_column and "/" in below
            if not (by_keyword or sub_column):
                continue
            yield self.site_request(
                url,
                site,
                self.parse,
                kind="nav",
                nianbao_hops=hops + 1,
                nianbao_in_column=sub_column,
                nianbao_column=text if sub_column else None,
            )

    @property
    def text_versions(self) -> dict[str, set[str]]:
        """Titles (version note stripped) of the report entries listed that are not 图片版."""
        if not hasattr(self, "_text_versions"):
            self._text_versions: dict[str, set[str]] = {}
        return self._text_versions

    @property
    def image_only(self) -> list[tuple[dict[str, Any], str, dict[str, Any], str, str]]:
        """图片版 articles with no 文字版 listed yet: (site, title, report, document URL, page
        URL), waiting for :meth:`image_only_requests`."""
        if not hasattr(self, "_image_only"):
            self._image_only: list[tuple[dict[str, Any], str, dict[str, Any], str, str]] = []
        return self._image_only

    def image_only_requests(self) -> list[scrapy.Request]:
        """For each waiting 图片版 whose 文字版 was never listed, a request that makes it a
        report: for its document (an attachment or its one image, served from the store, where
        it was archived with its page) or, when the page is the document, for the page again
        (a conditional request: the page is known).

        Called when the crawl has nothing else to do, so that a 文字版 listed on any page, before
        or after its 图片版, keeps the 图片版 from being a second report of its own.
        """
        waiting, self._image_only = self.image_only, []
        requests = []
        for site, title, report, document, page in waiting:
            if self.has_text_version(title, site):
                self.crawler.stats.inc_value("nianbao/image_versions")
                continue
            if document == page:  # several images or none: the page is the document
                request = self.site_request(
                    page, site, self.parse_report_page, kind="page", nianbao_report=report
                )
            else:
                request = self.site_request(
                    document, site, self.parse_document, kind="attachment", nianbao_report=report
                )
                request.headers["Referer"] = page
            requests.append(request.replace(dont_filter=True))
        return requests

    def spider_idle(self) -> None:
        """Schedule :meth:`image_only_requests`; the crawl goes on while there are any."""
        requests = self.image_only_requests()
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    def has_text_version(self, title: str, site: dict[str, Any]) -> bool:
        """True when a 图片版 title's 文字版 (or plain version) was listed on the site."""
        return strip_version(title) in self.text_versions.get(site["adcode"], set())

    @property
    def extensions(self) -> list[str]:
        return self.settings.getlist("NIANBAO_ATTACHMENT_EXTENSIONS")

    def report_fields(
        self,
        site: dict[str, Any],
        title: str,
        column: str | None,
        listed: dict[str, Any],
        page_url: str,
        published: str | None = None,
    ) -> dict[str, Any]:
        """The report as far as the listing and article tell (no document yet)."""
        return {
            "adcode": site["adcode"],
            "region": site["name"],
            "publisher": report_publisher(title, site["name"], column),
            "year": report_year(title),
            "title": title,
            "url": page_url,
            "published": published or listed.get("date") or url_date(page_url),
            "listing_url": listed.get("listing_url"),
        }

    def document_item(self, response: Response, kind: str) -> DocumentItem:
        """The fetched page or attachment as an item for the archive pipeline."""
        headers = response.headers
        request = response.request

        def header(name: str) -> str | None:
            value = headers.get(name)
            return value.decode("latin-1") if value else None

        warc = response.meta.get("nianbao_warc") or (None, None)
        # The list the page (or the article of the attachment) was found on.
        listed = response.meta.get("nianbao_listed") or response.meta.get("nianbao_report") or {}
        return DocumentItem(
            url=(response.meta.get("redirect_urls") or [request.url if request else response.url])[
                0
            ],
            final_url=response.url,
            adcode=response.meta["nianbao_site"]["adcode"],
            kind=kind,
            status=response.status,
            body=response.body,
            referrer=(request.headers.get("Referer") or b"").decode("latin-1") or None
            if request
            else None,
            listing_url=listed.get("listing_url"),
            content_type=header("Content-Type"),
            etag=header("ETag"),
            last_modified=header("Last-Modified"),
            filename=disposition_filename(headers.get("Content-Disposition"))
            or url_filename(response.url),
            warc_file=warc[0],
            warc_offset=warc[1],
            stored="nianbao-stored" in response.flags,
            revalidated="revalidated" in response.flags,
            sha256=sha256_hex(response.body),
        )

    async def read_article(self, response: Response) -> AsyncIterator[Any]:
        """An article page's callback: :meth:`parse_article`, with the page read in the parse
        worker when the crawl has one (:mod:`crawler.parsing`), so that the crawl goes on with
        other responses meanwhile."""
        view = None
        worker = parse_worker(self.crawler)
        if worker is not None and isinstance(response, HtmlResponse):
            view = await worker.read(response)
        for output in self.parse_article(response, view):
            yield output

    def parse_article(self, response: Response, view: ArticleView | None = None) -> Iterator[Any]:
        """An article page: confirm it is a report, archive it, fetch its document.

        :param view: the page's :class:`ArticleView` when it was read already; else read here.
        """
        if not isinstance(response, TextResponse):
            yield from self.parse_document(response)
            return
        if view is None:
            view = article_view(detach_selector(response).root)
        head = view.head
        site = response.meta["nianbao_site"]
        listed = response.meta.get("nianbao_listed") or {}
        title = normalise(head.article_title or head.h1 or listed.get("title") or head.title or "")
        in_column = bool(response.meta.get("nianbao_in_column"))
        if not is_report_title(title, in_report_column=in_column):
            return
        published = iso_date(head.pub_date)
        report = self.report_fields(
            site, title, response.meta.get("nianbao_column"), listed, response.url, published
        )
        page = self.document_item(response, "page")
        yield page
        extensions = self.extensions
        links = (urljoin(response.url, href) for href in head.hrefs)
        files = [url for url in links if is_attachment(url, extensions)]
        images = (urljoin(response.url, src) for src in view.images)
        images = [i for i in dict.fromkeys(images) if same_site(i, site["url"])]
        files = [f for f in dict.fromkeys(files + images) if same_site(f, site["url"])]
        document = preferred(files)
        image_version = IMAGE_VERSION.search(title)
        if image_version and document is None and len(images) == 1:
            document = images[0]  # a 图片版's one image is its document (OCR reads it)
        if image_version and self.has_text_version(title, site):
            # The 图片版 is the same report as its 文字版: its page and images are archived
            # (kept, both versions), but it is not a report of its own.
            document = None
            self.crawler.stats.inc_value("nianbao/image_versions")
        elif image_version:
            # A 图片版 with no 文字版 listed so far: its 文字版 may be on a later list page, so
            # whether it is a report is decided when the crawl is idle (image_only_requests).
            # Its page and files are archived now, like any.
            self.image_only.append((site, title, report, document or response.url, response.url))
            document = None
        elif document is None:
            yield report_item(report, response.url, page)
        for url in files:
            meta = {"nianbao_report": report} if url == document else {"nianbao_listed": listed}
            request = self.site_request(url, site, self.parse_document, kind="attachment", **meta)
            request.headers["Referer"] = response.url
            yield request

    def parse_report_page(self, response: Response) -> Iterator[Any]:
        """An article page that is its report's document, fetched again (conditionally) once
        the crawl decided it is a report: archive it (new bytes if it changed) and emit the
        report."""
        page = self.document_item(response, "page")
        yield page
        yield report_item(response.meta["nianbao_report"], response.url, page)

    def parse_document(self, response: Response) -> Iterator[Any]:
        """An attachment: archive it; when it is a report's document, emit the report."""
        item = self.document_item(response, "attachment")
        yield item
        report = response.meta.get("nianbao_report")
        if report:
            yield report_item(report, item.url, item)

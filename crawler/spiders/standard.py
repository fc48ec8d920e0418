"""Standard-platform (2020 政府信息公开平台) lists and any list paged by 下一页 links.

Each organ has a sub-column; a list page links the next one with ``下一页`` (``index.html``,
``index_2.html`` …). Sub-columns are found by the discovery spider (links below the report
column's path); this module only pages through a list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import scrapy
from scrapy.http import TextResponse

from crawler.spiders.base import page_links, text_nodes

NEXT_TEXTS = ("下一页", "下页", "后一页", ">", "尾页", "末页")
# A numbered page link of the same list: ?page=N, pageNum=N, cur_page=N … or index_N.html.
PAGE_URL = re.compile(
    r"[?&](?:page|pageNum|pageNo|pageIndex|cur_page|currentPage|curPage)=\d+|/index_\d+\.s?html?$",
    re.I,
)


class StandardMixin:
    """List paging by 下一页 links (used by the county spider for every family)."""

    family = "standard"

    @staticmethod
    def standard_detects(response: TextResponse) -> bool:
        return bool(StandardMixin.next_pages(response))

    @staticmethod
    def next_pages(response: TextResponse) -> list[str]:
        """The targets of the page's 下一页/尾页 links and numbered page links (``2``, ``3`` …
        pointing at ``?page=N``, ``pageNum=N`` or ``index_N.html``).

        >>> from scrapy.http import HtmlResponse
        >>> page = HtmlResponse("http://x/a/index.html", body='<a href="index_2.html">下一页</a>'.encode(), encoding="utf-8")
        >>> StandardMixin.next_pages(page)
        ['http://x/a/index_2.html']
        >>> page = HtmlResponse("http://x/col/index.html", body=b'<a href="?uid=1&pageNum=2">2</a>'
        ...     b'<a href="/col/art_1.html">3</a>', encoding="utf-8")
        >>> StandardMixin.next_pages(page)
        ['http://x/col/index.html?uid=1&pageNum=2']
        """
        found = []
        for url, _, element in page_links(response):
            text = "".join(text_nodes(element)).strip()
            if text in NEXT_TEXTS or (text.isdigit() and PAGE_URL.search(url)):
                found.append(url)
        return list(dict.fromkeys(found))

    def standard_requests(self, response: TextResponse) -> Iterator[scrapy.Request]:
        pages = self.next_pages(response)
        for url in pages:
            if url != response.url:
                yield self.list_page(response, url)

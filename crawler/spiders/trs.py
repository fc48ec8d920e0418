"""TRS WCM lists: ``index.html``, ``index_1.html`` … announced by ``createPageHTML``.

The column's first page carries ``createPageHTML(N, cur, "index", "html")`` (or
``createPage(N, …)``); pages 1 … N−1 are ``index_1.html`` … beside it. Articles are
``./YYYYMM/tYYYYMMDD_ID.html`` relative to the column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

import scrapy
from scrapy.http import TextResponse

_CREATE_PAGE = re.compile(
    r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"'])?"
)


def trs_pages(text: str) -> list[str]:
    """The relative URLs of a TRS column's other list pages, from its first page's script.

    >>> trs_pages('createPageHTML(4, 0, "index", "html");')
    ['index_1.html', 'index_2.html', 'index_3.html']
    >>> trs_pages('createPageHTML(4, 2, "index", "html");')
    []
    """
    match = _CREATE_PAGE.search(text)
    if not match or int(match.group(2)) != 0:
        return []
    count = int(match.group(1))
    name, ext = match.group(3) or "index", match.group(4) or "html"
    return [f"{name}_{n}.{ext}" for n in range(1, count)]


class TrsMixin:
    """List paging for TRS WCM columns (used by the county spider)."""

    family = "trs"

    @staticmethod
    def trs_detects(response: TextResponse) -> bool:
        return bool(_CREATE_PAGE.search(response.text)) or "TRS_Editor" in response.text

    def trs_requests(self, response: TextResponse) -> Iterator[scrapy.Request]:
        pages = trs_pages(response.text)
        for page in pages:
            yield self.list_page(response, urljoin(response.url, page))

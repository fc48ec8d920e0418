"""Guangdong gkmlpt (政府信息公开目录平台) lists: a JSON API behind ``/gkmlpt/index#{catid}``.

The entry page ``/gkmlpt/index`` holds no list, only ``window._CONFIG = {SID: '755031', …}`` (and
often ``CATEGORIES``); the category is the URL fragment of the link that led there, which never
reaches the server. Lists come from ``/gkmlpt/api/all/{catid}?page=N&sid={SID}`` as
``{"total": …, "articles": [{"id", "title", "url", "created_at"}]}``; a page past the end is
empty. Articles are ``/gkmlpt/content/0/{a}/post_{id}.html`` with attachments linked as
``<a class="nfw-cms-attachment">``. Read are the categories whose names say they hold annual
reports, and the few the site links from its pages (``index#{catid}``, such as 通知公告, where a
report is sometimes listed again; at most :data:`MAX_LINKED`), not the whole tree (a gkmlpt tree
has hundreds of categories); all of them when none is so named. Reports are recognised by title
in every category; outside a 年报 category the title must say 信息公开.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import TextResponse

from crawler.spiders.base import page_links
from crawler.titles import normalise

_SID = re.compile(r"""\bSID\s*[:=]\s*['"]?(\d+)""")
_CATEGORY = re.compile(r"""\{\s*id\s*:\s*['"]?(\d+)['"]?\s*,\s*name\s*:\s*['"]([^'"]+)['"]""")
_FRAGMENT = re.compile(r"/gkmlpt/index#(\d+)$")
REPORT_CATEGORY = re.compile(r"年报|年度报告")
MAX_LINKED = 12


def gkmlpt_sid(text: str) -> str | None:
    """The site id in a gkmlpt page's ``window._CONFIG``.

    >>> gkmlpt_sid("window._CONFIG = { SID: '755031', SITE_NAME: 'x' }")
    '755031'
    """
    match = _SID.search(text) if "gkmlpt" in text or "_CONFIG" in text else None
    return match.group(1) if match else None


def gkmlpt_categories(response: TextResponse) -> dict[str, str]:
    """Category id → name, from ``CATEGORIES`` in the config and ``index#{catid}`` links.

    >>> from scrapy.http import HtmlResponse
    >>> page = HtmlResponse("http://x/gkmlpt/index", body='<a href="/gkmlpt/index#2581">年报</a> '
    ...     "CATEGORIES: [{id: 2577, name: '通知公告'}]".encode(), encoding="utf-8")
    >>> gkmlpt_categories(page)
    {'2577': '通知公告', '2581': '年报'}
    """
    found = dict(_CATEGORY.findall(response.text))
    for catid, name in gkmlpt_linked(response).items():
        found.setdefault(catid, name)
    return found


def gkmlpt_linked(response: TextResponse) -> dict[str, str]:
    """Category id → link text of the ``index#{catid}`` links of a page (its navigation).

    >>> from scrapy.http import HtmlResponse
    >>> page = HtmlResponse("http://x/gkmlpt/index", body='<a href="/gkmlpt/index#2577">通知公告</a>'
    ...     .encode(), encoding="utf-8")
    >>> gkmlpt_linked(page)
    {'2577': '通知公告'}
    """
    found: dict[str, str] = {}
    for url, _, element in page_links(response):
        match = _FRAGMENT.search(url)
        if match:
            found.setdefault(match.group(1), normalise(" ".join(element.itertext())))
    return found


def api_url(page_url: str, catid: str, sid: str, page: int) -> str:
    """The list API URL of one page of a category.

    >>> api_url("http://x/gkmlpt/index", "2581", "755031", 2)
    'http://x/gkmlpt/api/all/2581?page=2&sid=755031'
    """
    return urljoin(page_url, f"/gkmlpt/api/all/{catid}?page={page}&sid={sid}")


class GkmlptMixin:
    """List reading for gkmlpt sites (used by the county spider)."""

    family = "gkmlpt"

    @staticmethod
    def gkmlpt_detects(response: TextResponse) -> bool:
        return "/gkmlpt/" in urlsplit(response.url).path and gkmlpt_sid(response.text) is not None

    def gkmlpt_request(
        self, response: TextResponse, catid: str, name: str, sid: str, page: int
    ) -> scrapy.Request:
        site = response.meta["nianbao_site"]
        return self.site_request(
            api_url(response.url, catid, sid, page),
            site,
            self.parse_gkmlpt_api,
            kind="list",
            nianbao_column=name,
            nianbao_in_column=bool(REPORT_CATEGORY.search(name)),
            nianbao_gkmlpt=(catid, name, sid, page),
        )

    def gkmlpt_requests(self, response: TextResponse) -> Iterator[scrapy.Request]:
        """The first API page of every annual-report category of a gkmlpt entry page, and of
        the categories the page links to."""
        sid = gkmlpt_sid(response.text)
        if not sid:
            return
        categories = gkmlpt_categories(response)
        chosen = {c: n for c, n in categories.items() if REPORT_CATEGORY.search(n)}
        if chosen:
            linked = list(gkmlpt_linked(response).items())[:MAX_LINKED]
            chosen.update((c, categories[c]) for c, _ in linked)
        # No category says 年报: read them all (reports are then recognised by title alone;
        # the page cap bounds the cost).
        for catid, name in sorted((chosen or categories).items()):
            yield self.gkmlpt_request(response, catid, name, sid, 1)

    def parse_gkmlpt_api(self, response: TextResponse) -> Iterator[Any]:
        """One API page: its articles, then the next page while the list gives new ones."""
        catid, name, sid, page = response.meta["nianbao_gkmlpt"]
        try:
            data = json.loads(response.text)
        except ValueError:
            return
        articles = data.get("articles") or []
        entries = [
            (a["url"], normalise(a.get("title") or ""), a.get("created_at"))
            for a in articles
            if isinstance(a, dict) and a.get("url")
        ]
        in_column = response.meta.get("nianbao_in_column", True)
        fresh = yield from self.report_entries(entries, response, in_column=in_column)
        total = int(data.get("total") or 0)
        if articles and fresh and page * len(articles) < total:
            yield self.gkmlpt_request(response, catid, name, sid, page + 1)

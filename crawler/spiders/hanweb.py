"""Hanweb (大汉 JCMS) lists: the jpage ``dataproxy.jsp`` POST endpoint.

A column page ``/col/col{id}/index.html`` holds no list items, only the jpage init script with
``proxyUrl``, ``perpage``, ``groupSize`` and the ``ajaxParam`` form fields (``columnid``,
``unitid``, ``webid`` …). The list is asked for in batches of ``groupSize`` pages:
``dataproxy.jsp?startrecord=1&endrecord=30&perpage=10`` with the form fields as the POST body;
the XML answer's ``<totalrecord>`` says how many batches follow. Static ``index_N.html`` pages do
not exist on these sites.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse

from crawler.spiders.base import links_in

_SCRIPT_FIELD = r"""['"]?{name}['"]?\s*[:=]\s*['"]?([^'",}}\s]*)"""
FORM_FIELDS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)
DEFAULTS = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1", "permissiontype": "0"}
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")


def script_field(script: str, name: str) -> str | None:
    """The value of ``name`` in a jpage init script (``name: value`` or ``name='value'``).

    >>> script_field("ajaxParam: {columnid: 1229000117, webname: '青岚县'}", "webname")
    '青岚县'
    """
    match = re.search(_SCRIPT_FIELD.format(name=re.escape(name)), script)
    return match.group(1) if match else None


def jpage_params(text: str) -> dict[str, Any] | None:
    """The jpage settings of a Hanweb column page, or None when it has no jpage list.

    >>> jpage_params("jpage({proxyUrl: '/module/web/jpage/dataproxy.jsp', perpage: 10, "
    ...     "ajaxParam: {col: 1, webid: 1, columnid: 7, unitid: 48}})")["form"]["unitid"]
    '48'
    """
    if "dataproxy" not in text or "columnid" not in text:
        return None
    form = {name: script_field(text, name) or DEFAULTS.get(name) for name in FORM_FIELDS}
    if not form["columnid"] or not form["unitid"]:
        return None
    return {
        "proxy": script_field(text, "proxyUrl") or "/module/web/jpage/dataproxy.jsp",
        "perpage": int(script_field(text, "perpage") or 15),
        "group": int(script_field(text, "groupSize") or 0),
        "form": {k: v for k, v in form.items() if v is not None},
    }


def records(xml: str) -> tuple[list[str], int | None]:
    """The ``<li>`` snippets and the ``totalrecord`` of a dataproxy answer."""
    total = _TOTAL.search(xml)
    return _RECORD.findall(xml), int(total.group(1)) if total else None


class HanwebMixin:
    """List paging for Hanweb columns (used by the county spider)."""

    family = "hanweb"

    @staticmethod
    def hanweb_detects(response: TextResponse) -> bool:
        return "/col/col" in response.url or "jpage" in response.text

    def hanweb_batch(
        self, response: Response, jpage: dict[str, Any], start: int
    ) -> scrapy.FormRequest:
        """The POST for the batch of records starting at ``start`` (1-based)."""
        size = jpage["perpage"] * (
            jpage["group"] or self.settings.getint("NIANBAO_HANWEB_PAGES_PER_REQUEST")
        )
        url = urljoin(
            response.url,
            f"{jpage['proxy']}?startrecord={start}&endrecord={start + size - 1}"
            f"&perpage={jpage['perpage']}",
        )
        meta = {
            key: response.meta[key]
            for key in ("nianbao_site", "nianbao_column", "nianbao_hops")
            if key in response.meta
        }
        return scrapy.FormRequest(
            url,
            formdata=jpage["form"],
            callback=self.parse_hanweb_records,
            meta={
                **meta,
                "nianbao_kind": "list",
                "nianbao_jpage": jpage,
                "nianbao_start": start,
                "nianbao_size": size,
                "nianbao_listing": response.meta.get("nianbao_listing") or response.url,
                "nianbao_in_column": True,
                "nianbao_column_page": response.meta.get("nianbao_column_page", response.url),
            },
        )

    def hanweb_requests(self, response: TextResponse) -> Iterator[scrapy.Request]:
        """The first dataproxy POST of a column page with a jpage list."""
        jpage = jpage_params(response.text)
        if jpage:
            yield self.hanweb_batch(response, jpage, 1)

    def parse_hanweb_records(self, response: TextResponse) -> Iterator[scrapy.Request]:
        """A dataproxy answer: report links, then (from the first batch) the other batches."""
        snippets, total = records(response.text)
        records_root = Selector(text="".join(snippets) or "<ul></ul>").root
        yield from self.report_requests(
            links_in(records_root, response.url), response, in_column=True
        )
        meta = response.meta
        if meta["nianbao_start"] == 1 and total:
            for start in range(1 + meta["nianbao_size"], total + 1, meta["nianbao_size"]):
                yield self.hanweb_batch(response, meta["nianbao_jpage"], start)

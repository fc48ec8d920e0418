"""The discovery spider: from each county's start URL to its annual reports.

``scrapy crawl county`` (normally through ``python -m crawler``) reads the sites from
``NIANBAO_SITES``. Every page goes through :meth:`CountySpider.parse`, which detects the CMS
family, lets that family's module page through the list, requests the articles whose titles name
a report, and follows navigation towards report columns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawler.context import site_stat
from crawler.spiders.base import BaseCountySpider, detach_selector, page_links
from crawler.spiders.gkmlpt import GkmlptMixin
from crawler.spiders.hanweb import HanwebMixin
from crawler.spiders.standard import StandardMixin
from crawler.spiders.trs import TrsMixin

FAMILIES = ("gkmlpt", "hanweb", "trs", "standard")


class CountySpider(GkmlptMixin, HanwebMixin, TrsMixin, StandardMixin, BaseCountySpider):
    """One spider for every county; the family is detected page by page."""

    name = "county"

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.settings.get("NIANBAO_SITES") or []:
            yield self.site_request(site["url"], dict(site), self.parse, kind="nav")

    def detect_family(self, response: TextResponse) -> str:
        """The CMS family of a page (``standard`` when nothing more specific is recognised)."""
        return next((f for f in FAMILIES if getattr(self, f"{f}_detects")(response)), "standard")

    def note_family(self, response: Response, family: str) -> None:
        key = site_stat(response.meta["nianbao_site"]["adcode"], "family")
        if self.crawler.stats.get_value(key) in (None, "standard"):
            self.crawler.stats.set_value(key, family)

    def list_page(self, response: Response, url: str) -> scrapy.Request:
        """The next page of the list ``response`` is on, parsed like it."""
        keep = ("nianbao_hops", "nianbao_column", "nianbao_in_column")
        meta: dict[str, Any] = {k: response.meta[k] for k in keep if k in response.meta}
        meta["nianbao_in_column"] = self.in_report_column(response)
        return self.site_request(
            url, response.meta["nianbao_site"], self.parse, kind="list", **meta
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            return
        detach_selector(response)
        in_column = self.in_report_column(response)
        family = self.detect_family(response)
        if in_column or family != "standard":
            self.note_family(response, family)
        reports, fresh = drain(
            self.report_requests(page_links(response), response, in_column=in_column)
        )
        repeats = bool(reports) and fresh == 0 and response.meta.get("nianbao_kind") == "list"
        if repeats:
            # Every item on this list page was listed before: an endless calendar or a ?page=N
            # that ignores N. Its next pages (and links) would only repeat them again.
            self.crawler.stats.inc_value("nianbao/list_repeats")
        else:
            yield from getattr(self, f"{family}_requests")(response)
            if family != "standard":
                yield from self.standard_requests(response)
        yield from reports
        if not repeats:
            yield from self.navigation_requests(response, in_column=in_column)


def drain(generator: Iterator[Any]) -> tuple[list[Any], Any]:
    """What a generator yields, as a list, and what it returns.

    >>> def g():
    ...     yield 1
    ...     return "done"
    >>> drain(g())
    ([1], 'done')
    """
    items: list[Any] = []
    while True:
        try:
            items.append(next(generator))
        except StopIteration as stop:
            return items, stop.value

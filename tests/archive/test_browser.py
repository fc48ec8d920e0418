"""The published archive in a real browser: Debian's chromium driven by playwright.

Loads the home page, runs a Chinese search (复议) on the search-all page, opens a report page and
the map, asserts on what is shown and saves screenshots under ``build/test-artifacts/browser/``.
Never downloads a browser: chromium comes from apt (``/usr/bin/chromium``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from archive.search import like_rows
from tests.helpers import REPO

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "build" / "test-artifacts" / "browser"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="chromium not installed: apt-get install -y chromium"
)


@pytest.fixture(scope="module")
def page():
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            yield context.new_page()
        finally:
            browser.close()


def test_browse_search_report_and_map(page, server, published):
    from sqlite_utils import Database

    page.goto(server.url("/"))
    assert "nianbao" in page.title() or "年度报告" in page.content()
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

    # the search-all page fetches each searchable table's ?_search= in the browser; it finds
    # as many sections as a LIKE scan does
    db = Database(published[0] / "archive.db")
    expected = len(like_rows(db, "sections", "复议"))
    page.goto(server.url("/-/search?q=" + quote("复议")))
    page.wait_for_function(
        "n => document.body.innerText.includes(n + ' results in archive: sections')",
        arg=str(expected),
        timeout=20000,
    )
    page.screenshot(path=str(ARTIFACTS / "search-all.png"), full_page=True)

    # the table's own search agrees
    page.goto(server.url("/archive/sections?_search=" + quote("复议")))
    assert f"{expected} rows" in page.inner_text("h3")
    page.screenshot(path=str(ARTIFACTS / "sections-search.png"))

    report_id = next(rid for rid, t in sorted(published[1].items()) if t["format"] == "pdf")
    page.goto(server.url(f"/archive/reports/{report_id}"))
    text = page.inner_text("body")
    assert "本年新收政府信息公开申请数量" in text and "New requests this year" in text
    assert "勾稽关系 · Consistency checks" in text
    assert page.locator("table.report-grid").count() >= 5
    assert page.locator("a.original-link").count() == 1
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)

    page.goto(server.url("/archive/counties"))
    # datasette-cluster-map draws a Leaflet map with one marker cluster per county group
    page.wait_for_selector(".leaflet-container", timeout=15000)
    page.wait_for_selector(".leaflet-marker-icon", timeout=15000)
    page.screenshot(path=str(ARTIFACTS / "map.png"))

    page.goto(server.url("/-/charts"))
    assert page.locator("figure.chart svg polyline").count() >= 8
    page.screenshot(path=str(ARTIFACTS / "charts.png"), full_page=True)

    for name in ("home", "search-all", "sections-search", "report", "map", "charts"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 1000, name


def test_search_all_says_more_than_the_window(page, big):
    """A term in more sections than a search window: no total is shown that was not counted."""
    page.goto(big.url("/-/search?q=" + quote("公开")))
    page.wait_for_function(
        "() => document.body.innerText.includes('more than 1,000 results in archive: sections')",
        timeout=20000,
    )
    assert "1,000 results" not in page.inner_text("body").replace("more than 1,000 results", "")
    page.screenshot(path=str(ARTIFACTS / "search-all-window.png"), full_page=True)

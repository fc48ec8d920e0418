"""Table search reads a window of matches (archive/plugins/search_window.py), over HTTP.

The pages of a windowed search equal the unbounded search (a LIKE scan) page by page, the count
and facets cover the window and say so, and searches the window cannot serve (other filters,
another sort) still return every match. The window is 1,000 matches: the windowed tests serve
the serve benchmark's generated archive (400 reports, 2,400 sections of report prose).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from archive.plugins.search_window import WINDOW_MIN, WINDOW_PAGES
from archive.search import like_rows
from tests.archive.published import Server, get, get_json

#: in most sections of the generated prose: more matches than one window
SEARCH = "公开"
PAGE = 50


def _expected(data: Path, search: str, where: str = "1") -> list[tuple[str, str]]:
    """(report_id, section) of every section holding ``search``, in rowid order."""
    db = Database(data / "archive.db")
    rowids = ",".join(map(str, like_rows(db, "sections", search))) or "-1"
    sql = f"select report_id, section from sections where rowid in ({rowids}) and {where}"
    return [tuple(r) for r in db.execute(sql + " order by rowid").fetchall()]


def _follow(server: Server, path: str) -> tuple[list[tuple[str, str]], list[dict]]:
    """Every row of a JSON table page and the pages after it (``next_url``), and the pages."""
    rows, pages = [], []
    url = server.url(path)
    while url:
        page = get_json(url)
        pages.append(page)
        rows += [(r["report_id"], r["section"]) for r in page["rows"]]
        url = page["next_url"]
    return rows, pages


def test_paged_search_equals_like_scan(big, generated):
    expected = _expected(generated, SEARCH)
    assert len(expected) > WINDOW_MIN  # so that the window has to move
    rows, pages = _follow(
        big, f"/archive/sections.json?_search={quote(SEARCH)}&_size={PAGE}&_shape=objects"
    )
    assert rows == expected
    assert len(pages) == -(-len(expected) // PAGE)
    # each page read a window of matches after its cursor, not every match
    assert all("limit :search_window" in p["query"]["sql"] for p in pages)
    assert pages[0]["query"]["params"]["search_window"] == WINDOW_MIN
    assert pages[1]["query"]["params"]["search_after"] > 0
    # newest first: the window runs down from the cursor
    rows, pages = _follow(
        big,
        f"/archive/sections.json?_search={quote(SEARCH)}&_sort_desc=rowid&_size={PAGE}"
        "&_shape=objects",
    )
    assert rows == expected[::-1]
    assert "order by rowid desc limit :search_window" in pages[1]["query"]["sql"]
    # a bigger page, a bigger window: ten pages
    page = get_json(big.url(f"/archive/sections.json?_search={quote(SEARCH)}&_size=500"))
    assert page["query"]["params"]["search_window"] == WINDOW_PAGES * 500


def test_count_and_facets_cover_the_window_and_say_so(big, generated, server, published):
    page = get_json(big.url(f"/archive/sections.json?_search={quote(SEARCH)}&_size={PAGE}"))
    assert page["filtered_table_rows_count"] == WINDOW_MIN
    assert f"more than {WINDOW_MIN:,} matches" in page["human_description_en"]
    assert sum(f["count"] for f in page["facet_results"]["section"]["results"]) == WINDOW_MIN
    # the HTML page shows no total it did not count
    status, body, _ = get(big.url(f"/archive/sections?_search={quote(SEARCH)}"))
    heading = re.search(r"<h3>(.*?)</h3>", body.decode(), re.S).group(1)
    assert status == 200
    assert f"more than {WINDOW_MIN:,} matches" in heading and " rows" not in heading
    # fewer matches than the window: the exact count, nothing more to say
    expected = _expected(published[0], "复议")
    page = get_json(server.url(f"/archive/sections.json?_search={quote('复议')}&_size=5"))
    assert page["filtered_table_rows_count"] == len(expected)
    assert "more than" not in page["human_description_en"]


def test_html_pages_sorted_by_rowid_follow_next(big, generated):
    """Labels expanded, sorted by a column the page does not select: the next link works."""
    expected = _expected(generated, SEARCH)
    path = f"/archive/sections?_search={quote(SEARCH)}&_size=200"
    seen, pages = 0, 0
    while path and pages <= len(expected):
        pages += 1
        status, body, _ = get(big.url(path))
        assert status == 200, path
        page = body.decode()
        seen += len(re.findall(r'<td class="col-report_id ', page))
        found = re.search(
            r'<a href="https?://[^/"]+(/archive/sections\?[^"]+)">Next page</a>', page
        )
        path = found.group(1).replace("&amp;", "&") if found else None
    assert seen == len(expected)
    status, body, _ = get(big.url(f"/archive/sections?_size={PAGE}"))
    assert status == 200 and ">Next page</a>" in body.decode()


def test_filtered_or_sorted_search_returns_every_match(big, generated):
    section = "requests"
    expected = _expected(generated, SEARCH, f"section = '{section}'")
    assert len(expected) > PAGE
    rows, pages = _follow(
        big,
        f"/archive/sections.json?_search={quote(SEARCH)}&section={section}&_size={PAGE}"
        "&_shape=objects",
    )
    assert rows == expected
    assert "search_window" not in pages[0]["query"]["sql"]
    rows, pages = _follow(
        big,
        f"/archive/sections.json?_search={quote(SEARCH)}&_sort=heading&_size=max&_shape=objects",
    )
    assert sorted(rows) == sorted(_expected(generated, SEARCH))
    assert "search_window" not in pages[0]["query"]["sql"]


def test_canned_search_pages_newest_first(big, generated):
    """search_sections: the latest archived first; :before continues where a page ended."""
    search = "信息处理费"
    expected = list(reversed(_expected(generated, search)))
    rows, before, pages = [], "", 0
    while pages <= len(expected):
        page = get_json(
            big.url(f"/archive/search_sections.json?q={quote(search)}&before={before}&_shape=array")
        )
        pages += 1
        if not page:
            break
        rows += [(r["report_id"], r["section"]) for r in page]
        before = page[-1]["match_id"]
    assert rows == expected
    assert pages > 2  # more matches than one page

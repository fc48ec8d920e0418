"""Table search that reads a window of matches, not every match: ``?_search=`` on big tables.

Datasette's own search filter adds ``rowid in (select rowid from <fts> where <fts> match
escape_fts(:search))`` to the page, to its ``count(*)`` and to every facet, and each of them
evaluates every match: a common term (行政复议 is in nearly every section) costs seconds at a
million reports. FTS5 returns matches in rowid order and stops early under ``order by rowid
limit``. So when the page is in rowid order (``sections`` is, by default: metadata ``sort:
rowid``) and ``_search`` is its only filter, this plugin bounds the subquery to the
:data:`WINDOW_PAGES` pages (at least :data:`WINDOW_MIN` rows) of matches that follow the
page's cursor (``_next``)::

    rowid in (select rowid from <fts> where <fts> match escape_fts(:search)
              and rowid > :search_after order by rowid limit :search_window)

The rows of every page are exactly those of the unbounded search (the window moves with the
cursor, and holds more than a page). The count and the facets cover the window; when more
matches follow it, the page says so ("more than 1,000 matches from here") and shows no total
it did not compute. The JSON's ``filtered_table_rows_count`` is then the window's size.

Every other search (another sort, column filters, ``_where``, ``_search_<column>``, raw search
mode, a table without an ``fts_table`` in the metadata) goes to Datasette's own filter: correct,
unbounded. Datasette registers its filters as one plugin, ``datasette.filters``; it is replaced
by its other two (``_where``, ``_through``) and this module's hook searches instead.
"""

from __future__ import annotations

import sqlite3

from datasette import filters as default_filters
from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.plugins import pm
from datasette.utils import CustomRow, escape_sqlite, urlsafe_components

#: the window holds this many pages of matches after the cursor ...
WINDOW_PAGES = 10
#: ... and at least this many matches (the search-all page asks for pages of 5)
WINDOW_MIN = 1000
#: Datasette's name for the plugin holding its default filters
DEFAULT_FILTERS = "datasette.filters"
#: request arguments that filter rows besides ``_search`` (column filters have no leading _)
OTHER_FILTERS = ("_where", "_through", "_searchmode", "_fts_table", "_fts_pk")


def _order(request, table_metadata: dict) -> tuple[str | None, bool]:
    """(sort column, descending) of the page, as Datasette's table view decides it."""
    sort, sort_desc = request.args.get("_sort"), request.args.get("_sort_desc")
    if not sort and not sort_desc:
        sort, sort_desc = table_metadata.get("sort"), table_metadata.get("sort_desc")
    return (sort_desc, True) if sort_desc else (sort, False)


def _page_size(request, datasette, table_metadata: dict) -> int:
    size = request.args.get("_size") or table_metadata.get("size") or datasette.page_size
    if size == "max":
        return datasette.max_returned_rows
    try:
        return max(1, int(size))
    except ValueError:
        return datasette.page_size  # Datasette itself answers 400 for this page


def _cursor(request) -> int | None:
    """The rowid after which the page starts (``_next`` of a rowid-sorted page), if any."""
    token = request.args.get("_next")
    if not token:
        return None
    return int(urlsafe_components(token)[0])


def windowed(request, table_metadata: dict) -> bool:
    """Whether the page can read a window of matches: ``_search`` alone, in rowid order.

    >>> windowed(Request.fake("/archive/sections?_search=x"), {"fts_table": "t", "sort": "rowid"})
    ... # doctest: +SKIP
    True
    """
    args = request.args
    if "_search" not in args or not table_metadata.get("fts_table"):
        return False
    if table_metadata.get("fts_pk", "rowid") != "rowid" or table_metadata.get("searchmode"):
        return False
    if _order(request, table_metadata)[0] != "rowid":
        return False
    for key in args:
        searches_column = key.startswith("_search_")
        filters = not key.startswith("_") or "__" in key or key in OTHER_FILTERS
        if searches_column or filters:
            return False
    try:
        _cursor(request)
    except ValueError:
        return False
    return True


@hookimpl(specname="filters_from_request")
def search_filters(request, database, table, datasette):
    table_metadata = datasette.table_metadata(database, table)
    if not windowed(request, table_metadata):
        return default_filters.search_filters(request, database, table, datasette)

    async def inner():
        fts = escape_sqlite(table_metadata["fts_table"])
        search = request.args["_search"]
        descending = _order(request, table_metadata)[1]
        window = max(WINDOW_MIN, WINDOW_PAGES * _page_size(request, datasette, table_metadata))
        after = _cursor(request)
        bound = ""
        params = {"search": search, "search_window": window}
        if after is not None:
            bound = f" and rowid {'<' if descending else '>'} :search_after"
            params["search_after"] = after
        matches = (
            f"select rowid from {fts} where {fts} match escape_fts(:search){bound} "
            f"order by rowid{' desc' if descending else ''}"
        )
        db = datasette.get_database(database)
        # one more than the window: is there anything after it?
        counted = await db.execute(
            f"select count(*) from ({matches} limit :search_window + 1)", params
        )
        description = f'search matches "{search}"'
        extra_context = {"supports_search": True, "search": search}
        if counted.single_value() > window:
            description += (
                f" (more than {window:,} matches from here: the count and the facets cover "
                f"the next {window:,})"
            )
            extra_context["filtered_table_rows_count"] = None
        return FilterArguments(
            [f"rowid in ({matches} limit :search_window)"],
            params,
            [description],
            extra_context,
        )

    return inner


class _OtherDefaultFilters:
    """Datasette's ``_where`` and ``_through`` filters, as a plugin."""

    where_filters = staticmethod(default_filters.where_filters)
    through_filters = staticmethod(default_filters.through_filters)


#: The search-all page (datasette-search-all) shows ``filtered_table_rows_count`` as the number
#: of results: after a windowed search that is the window, so say "more than" it, as the table
#: page does (its description says so).
SEARCH_ALL_SCRIPT = """
if (typeof displayResults === "function") {
  const shown = displayResults;
  displayResults = function (data, base_url) {
    const more = /more than ([\\d,]+) matches/.exec(data.human_description_en || "");
    shown(data, base_url);
    const link = more && search_results.lastElementChild.querySelector("h2 a");
    if (link) {
      link.textContent = `more than ${more[1]} results`;
      const rest = link.closest("div").querySelector("p a");
      if (rest) rest.textContent = "more results";
    }
  };
}
"""


@hookimpl
def extra_body_script(template):
    if template == "search_all.html":
        return SEARCH_ALL_SCRIPT
    return None


class MissingColumn(KeyError, IndexError):
    """A column the row does not hold: a ``KeyError`` that is also an ``IndexError``."""


_custom_row_getitem = CustomRow.__getitem__


def _getitem_like_sqlite_row(self, key):
    # A page sorted by a column it does not select (sections by rowid) looks the sort value of
    # its last row up with ``row[sort]`` and falls back to a query on IndexError, which a
    # sqlite3.Row raises; the label-expanded rows of an HTML page (CustomRow, "a loose
    # imitation of sqlite3.Row") raise KeyError instead, and the page failed with a 500.
    try:
        return _custom_row_getitem(self, key)
    except KeyError as exc:
        raise MissingColumn(*exc.args) from None


def _label_value(label: dict):
    # ... and then binds the primary-key values of that row, which an HTML page has expanded
    # into {"value", "label"} dicts: bind the value (any other dict fails as before)
    if label.keys() == {"value", "label"}:
        return label["value"]
    raise TypeError("a dict cannot be bound as an SQL parameter")


def _drop_default_search() -> None:
    """Register Datasette's filters without its search: :func:`search_filters` (this module's
    hook) runs in its place and calls it where the window does not apply."""
    if pm.get_plugin(DEFAULT_FILTERS) is not default_filters:
        return  # already done (the plugins directory was loaded twice in one process)
    pm.unregister(name=DEFAULT_FILTERS)
    pm.register(_OtherDefaultFilters, name=DEFAULT_FILTERS)


_drop_default_search()
if CustomRow.__getitem__.__name__ != _getitem_like_sqlite_row.__name__:  # not loaded before
    CustomRow.__getitem__ = _getitem_like_sqlite_row
sqlite3.register_adapter(dict, _label_value)

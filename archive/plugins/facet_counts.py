"""Facets from ``facet_counts``/``facet_counts_by``, not from a ``group by`` on every request.

A table page without filters groups the whole table once per facet: on a million reports
(year, form version, format, region) that is seconds, over Datasette's facet time limit; a
page of one year still groups 170,000 reports, half a second. At each rebuild
:func:`archive.derived.build_facet_counts` stores the counts of each table's default facets,
over the whole table and within each value of each of them; this plugin's column facet answers
the facet queries of an unfiltered page, and of a page with one ``column = value`` filter on a
default facet (``/reports?year=2023``), from them. Any other page (more filters, a search, a
filter of another kind), and a facet that was not counted (``_facet=`` a column outside the
metadata's ``facets``), run Datasette's own query.

Datasette registers its facet types (column, date, array) as one plugin, ``datasette.facets``;
it is replaced by the same types with :class:`CountedColumnFacet` for the column type.
"""

from __future__ import annotations

import re
from typing import Any

from datasette import facets as default_facets
from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils import escape_sqlite

from archive.derived import FACET_COUNTS_BY_TABLE, FACET_COUNTS_TABLE

#: Datasette's name for the plugin holding its default facet types
DEFAULT_FACETS = "datasette.facets"
#: ColumnFacet's query: select <col> as value, count(*) as count ... limit <n>
FACET_SQL = re.compile(
    r"\s*select (?P<col>.+?) as value, count\(\*\) as count from \(.*\)\s*"
    r"where (?P=col) is not null\s*group by (?P=col) order by count desc, value "
    r"limit (?P<limit>\d+)\s*",
    re.S,
)


def unfiltered(sql: str, params: dict, table: str) -> bool:
    """Whether ``sql`` is a table page's query of the whole table (no where clause).

    >>> unfiltered("select id, year from reports ", {}, "reports")
    True
    >>> unfiltered("select id, year from reports where year = :p0 ", {"p0": 1}, "reports")
    False
    """
    return not params and sql.rstrip().endswith(f" from {escape_sqlite(table)}")


def one_filter(sql: str, params: dict, table: str) -> tuple[str, Any] | None:
    """``(column, value)`` when ``sql`` is a table page's query with one ``column = value``
    filter (Datasette's ``?column=value``), else None.

    >>> one_filter('select id, year from reports where "year" = :p0 ', {"p0": "2023"}, "reports")
    ('year', '2023')
    >>> one_filter('select id from reports where "year" = :p0 and "region" = :p1 ',
    ...     {"p0": "2023", "p1": "甲县"}, "reports") is None
    True
    """
    if list(params) != ["p0"]:
        return None
    match = re.fullmatch(
        rf'select .* from {re.escape(escape_sqlite(table))} where "(?P<col>[^"]+)" = :p0\s*',
        sql,
        re.S,
    )
    return (match.group("col"), params["p0"]) if match else None


def compared_as(value: Any, declared: str | None) -> Any:
    """``value`` as SQLite compares it with a column of this declared type (its affinity):
    ``?year=2023`` arrives as text and matches the integer 2023.

    >>> compared_as("2023", "INTEGER"), compared_as(2023, "TEXT"), compared_as("x", "INTEGER")
    (2023, '2023', 'x')
    """
    kind = (declared or "").upper()
    textual = any(t in kind for t in ("CHAR", "CLOB", "TEXT"))
    numeric = "INT" in kind or (bool(kind) and not textual and "BLOB" not in kind)
    if numeric and isinstance(value, str):
        for number in (int, float):
            try:
                return number(value)
            except ValueError:
                pass
    if textual and not isinstance(value, str):
        return str(value)
    return value


class _Counted:
    """Datasette, but whose ``execute`` answers the facet queries of a page from the counts:
    over the whole table (``within`` None) or within one value of a facet (``within`` =
    ``(column, value)``, the value as stored: see :func:`compared_as`)."""

    def __init__(self, datasette, table: str, within: tuple[str, Any] | None = None):
        self._datasette = datasette
        self._table = table
        self._within = within

    def __getattr__(self, name):
        return getattr(self._datasette, name)

    async def execute(self, database, sql, params=None, **kwargs):
        match = FACET_SQL.fullmatch(sql)
        if match:
            column = match.group("col").strip("[]")
            limit = int(match.group("limit"))
            db = self._datasette.get_database(database)
            if self._within is None:
                where, args = '"table" = ? and "column" = ?', [self._table, column]
                source = FACET_COUNTS_TABLE
            else:
                by, value = self._within
                where = '"table" = ? and "by" = ? and "column" = ?'
                args, source = [self._table, by, column], FACET_COUNTS_BY_TABLE
            counted = await db.execute(f"select 1 from [{source}] where {where} limit 1", args)
            if counted.rows:
                if self._within is not None:
                    where += " and by_value = ?"
                    args.append(value)
                return await db.execute(
                    f"select value, count from [{source}] where {where} "
                    "order by count desc, value limit ?",
                    [*args, limit],
                )
        return await self._datasette.execute(database, sql, params, **kwargs)


class CountedColumnFacet(default_facets.ColumnFacet):
    """Datasette's column facet, reading the counts on an unfiltered table page and on a page
    filtered on one facet."""

    async def facet_results(self):
        counted = await self._counted()
        if counted is not None:
            self.ds = counted
        return await super().facet_results()

    async def _counted(self) -> _Counted | None:
        """Datasette answering this page's facets from the counts, when the page is one they
        cover and the archive has them."""
        if not self.table:
            return None
        within = one_filter(self.sql, self.params, self.table)
        if within is None and not unfiltered(self.sql, self.params, self.table):
            return None
        db = self.ds.get_database(self.database)
        if (FACET_COUNTS_TABLE if within is None else FACET_COUNTS_BY_TABLE) not in (
            await db.table_names()
        ):
            return None
        if within is not None:
            # the stored form of the filter's value, looked up once per page, not per facet
            by, value = within
            declared = await db.execute(
                "select type from pragma_table_info(?) where name = ?", [self.table, by]
            )
            within = (by, compared_as(value, declared.rows[0][0] if declared.rows else ""))
        return _Counted(self.ds, self.table, within)


class _DefaultFacets:
    """Datasette's facet types with the column type counted."""

    @staticmethod
    @hookimpl
    def register_facet_classes():
        classes = default_facets.register_facet_classes()
        return [CountedColumnFacet if c is default_facets.ColumnFacet else c for c in classes]


def _replace_default_facets() -> None:
    if pm.get_plugin(DEFAULT_FACETS) is not default_facets:
        return  # already done (the plugins directory was loaded twice in one process)
    pm.unregister(name=DEFAULT_FACETS)
    pm.register(_DefaultFacets, name=DEFAULT_FACETS)


_replace_default_facets()

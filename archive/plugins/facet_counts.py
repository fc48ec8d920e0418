"""Facets of a whole table from ``facet_counts``, not from a ``group by`` on every request.

A table page without filters groups the whole table once per facet: on a million reports
(year, form version, format, region) that is seconds, over Datasette's facet time limit.
:func:`archive.derived.build_facet_counts` stores those counts at each rebuild; this plugin's
column facet answers an unfiltered page's facet query from them. A page with any filter or
search, and a facet that was not counted (``_facet=`` a column outside the metadata's
``facets``), run Datasette's own query.

Datasette registers its facet types (column, date, array) as one plugin, ``datasette.facets``;
it is replaced by the same types with :class:`CountedColumnFacet` for the column type.
"""

from __future__ import annotations

import re

from datasette import facets as default_facets
from datasette import hookimpl
from datasette.plugins import pm
from datasette.utils import escape_sqlite

from archive.derived import FACET_COUNTS_TABLE

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


class _Counted:
    """Datasette, but whose ``execute`` answers a whole-table facet query from the counts."""

    def __init__(self, datasette, table: str):
        self._datasette = datasette
        self._table = table

    def __getattr__(self, name):
        return getattr(self._datasette, name)

    async def execute(self, database, sql, params=None, **kwargs):
        match = FACET_SQL.fullmatch(sql)
        if match:
            column = match.group("col").strip("[]")
            db = self._datasette.get_database(database)
            counted = await db.execute(
                f'select 1 from [{FACET_COUNTS_TABLE}] where "table" = ? and "column" = ? limit 1',
                [self._table, column],
            )
            if counted.rows:
                return await db.execute(
                    f'select value, count from [{FACET_COUNTS_TABLE}] where "table" = ? and '
                    '"column" = ? order by count desc, value limit ?',
                    [self._table, column, int(match.group("limit"))],
                )
        return await self._datasette.execute(database, sql, params, **kwargs)


class CountedColumnFacet(default_facets.ColumnFacet):
    """Datasette's column facet, reading ``facet_counts`` on an unfiltered table page."""

    async def facet_results(self):
        if self.table and unfiltered(self.sql, self.params, self.table):
            tables = await self.ds.get_database(self.database).table_names()
            if FACET_COUNTS_TABLE in tables:
                self.ds = _Counted(self.ds, self.table)
        return await super().facet_results()


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

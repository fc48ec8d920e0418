"""Tables derived from the contract tables, rebuilt in one step after every extraction run.

``report_figures`` and ``county_years`` (:mod:`archive.figures`), ``counties``
(:mod:`archive.counties`) and the bigram search indexes ``sections_fts`` and ``reports_fts``
(:mod:`archive.search`) are all computed from ``reports`` and the long tables, so rebuilding them
is idempotent: run it twice and the tables are the same.

Example::

    rebuild(open_archive("data/archive.db"))
"""

from __future__ import annotations

from sqlite_utils import Database

from archive.counties import build_counties
from archive.faults import maybe_crash
from archive.figures import build_figures
from archive.search import build_search_index

#: every derived table, in the order they are built
DERIVED_TABLES = ("report_figures", "county_years", "counties", "sections_fts", "reports_fts")


def rebuild(db: Database) -> None:
    """Rebuild every derived table of the archive from its contract tables.

    :param db: the archive (from :func:`archive.db.open_archive`, schema ensured)
    """
    build_figures(db)
    maybe_crash("extract.derived")
    build_counties(db)
    build_search_index(db)

"""Datasette's ``_search=`` through the bigram index: ``escape_fts`` becomes
:func:`archive.search.fts_query`.

Datasette runs every table search (``?_search=`` on a table page or its JSON, and so the
search-all page of datasette-search-all, which calls those) as
``rowid in (select rowid from <fts> where <fts> match escape_fts(:search))``. Replacing the SQL
function ``escape_fts`` on each connection makes every one of them split Chinese queries into
character pairs exactly as the index was built. ``trylast`` so that it runs after Datasette's own
``prepare_connection`` registered the default ``escape_fts``.
"""

from __future__ import annotations

from datasette import hookimpl

from archive.search import bigram_text, fts_query


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    # lets canned queries and users search with: ... match bigram_query(:q)
    conn.create_function("bigram_query", 1, fts_query, deterministic=True)
    conn.create_function("bigram_text", 1, bigram_text, deterministic=True)

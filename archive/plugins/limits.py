"""Public-serving limits on every connection.

- No string or blob longer than :data:`MAX_LENGTH` bytes, so a query like
  ``select randomblob(200000000)`` fails at once instead of exhausting memory
  (``sqlite3.Connection.setlimit``, Python 3.11+).
- An authorizer refuses the functions of :data:`DENIED_FUNCTIONS` and ``ATTACH``/``DETACH``:
  the SQLite of Debian's Python answers the two-argument ``fts3_tokenizer`` (which registers a
  tokenizer at an arbitrary memory address) and the one-argument form leaks a pointer.
- Datasette's default error handler prints every error with ``rich`` (``show_locals=True``)
  when ``rich`` is importable: a 404 outside an ``except`` block then fails with a 500, and some
  404s take tens of seconds of the event loop. Errors are rendered without it.
"""

from __future__ import annotations

import sqlite3

import datasette.handle_exception
from datasette import hookimpl

#: the longest string or blob a query may build (the largest section text is far smaller)
MAX_LENGTH = 5_000_000
#: functions no visitor may call
DENIED_FUNCTIONS = frozenset({"fts3_tokenizer", "load_extension", "readfile", "writefile", "edit"})

# the module-level switch the default handler checks; None renders the error page without rich
datasette.handle_exception.rich = None


def authorizer(action: int, arg1, arg2, database, source) -> int:
    """Deny :data:`DENIED_FUNCTIONS` and ATTACH/DETACH; allow everything else.

    >>> authorizer(sqlite3.SQLITE_FUNCTION, None, "fts3_tokenizer", None, None) == sqlite3.SQLITE_DENY
    True
    >>> authorizer(sqlite3.SQLITE_FUNCTION, None, "count", None, None) == sqlite3.SQLITE_OK
    True
    """
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in DENIED_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
    conn.set_authorizer(authorizer)

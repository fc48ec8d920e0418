"""A write that storage refused (a full disk, above all), told apart from other errors: the
crawl and the extraction stop on it cleanly and leave everything not yet written for the next
run, rather than recording it as failed."""

from __future__ import annotations

import errno
import sqlite3

#: errno values of a refused write: no space, over quota, over a file size limit, I/O error
WRITE_FAILURE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def is_write_failure(exc: BaseException) -> bool:
    """True when storage refused a write: a full disk, or an I/O error.

    A file size limit (``RLIMIT_FSIZE``) reaches SQLite as ``EFBIG``, which it reports as a
    disk I/O error, not as a full disk.

    >>> is_write_failure(OSError(errno.ENOSPC, "No space left on device"))
    True
    >>> is_write_failure(sqlite3.OperationalError("database or disk is full"))
    True
    >>> is_write_failure(OSError(errno.EIO, "Input/output error"))
    True
    >>> is_write_failure(sqlite3.OperationalError("no such table: x"))
    False
    >>> is_write_failure(sqlite3.IntegrityError("UNIQUE constraint failed: reports.id"))
    False
    """
    if isinstance(exc, OSError):
        return exc.errno in WRITE_FAILURE_ERRNOS
    if not isinstance(exc, sqlite3.Error):
        return False
    name = getattr(exc, "sqlite_errorname", None) or ""
    return "disk is full" in str(exc) or name.startswith(("SQLITE_FULL", "SQLITE_IOERR"))

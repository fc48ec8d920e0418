"""A full disk, told apart from other errors: the crawl and the extraction stop on it cleanly
and leave everything not yet written for the next run, rather than recording it as failed."""

from __future__ import annotations

import errno
import sqlite3

#: errno values that mean the data directory cannot take more bytes (a file size limit too)
DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def is_disk_full(exc: BaseException) -> bool:
    """True for the errors a full disk (or a file size limit) raises.

    >>> is_disk_full(OSError(errno.ENOSPC, "No space left on device"))
    True
    >>> is_disk_full(sqlite3.OperationalError("database or disk is full"))
    True
    >>> is_disk_full(sqlite3.OperationalError("no such table: x"))
    False
    """
    if isinstance(exc, OSError):
        return exc.errno in DISK_FULL_ERRNOS
    return isinstance(exc, sqlite3.Error) and "disk is full" in str(exc)


def is_write_failure(exc: BaseException) -> bool:
    """True when storage refused a write: a full disk, or an I/O error.

    A file size limit (``RLIMIT_FSIZE``) reaches SQLite as ``EFBIG``, which it reports as a
    disk I/O error, not as a full disk.

    >>> is_write_failure(sqlite3.OperationalError("database or disk is full"))
    True
    >>> is_write_failure(OSError(errno.EIO, "Input/output error"))
    True
    >>> is_write_failure(sqlite3.IntegrityError("UNIQUE constraint failed: reports.id"))
    False
    """
    if is_disk_full(exc):
        return True
    if isinstance(exc, OSError):
        return exc.errno == errno.EIO
    name = getattr(exc, "sqlite_errorname", None) or ""
    return isinstance(exc, sqlite3.Error) and name.startswith(("SQLITE_FULL", "SQLITE_IOERR"))

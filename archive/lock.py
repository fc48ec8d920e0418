"""The data directory's lock: one writer at a time (a crawl, or a merge into the directory).

Example::

    with data_lock(Path("data")):
        ...  # nobody else crawls into or merges into data/ meanwhile
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_FILE = "crawl.lock"


class LockHeld(Exception):
    """Another process holds the lock of this data directory."""


@contextmanager
def data_lock(data: Path) -> Iterator[None]:
    """Hold ``DATA/crawl.lock`` exclusively (``fcntl.flock``) for the block, or raise LockHeld.

    The file keeps the time the lock was last taken, for a person looking at a stuck run.
    """
    data.mkdir(parents=True, exist_ok=True)
    with open(data / LOCK_FILE, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(str(data / LOCK_FILE)) from None
        fh.seek(0)
        fh.truncate()
        fh.write(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") + "\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

"""The content-addressed file store: every report page and attachment, exact bytes, by sha256.

Layout: ``DATA/files/<aa>/<bb>/<sha256>`` where ``aa`` and ``bb`` are the first two pairs of hex
digits. A file is written to a temporary name in the same directory, fsynced, then renamed, so a
crash never leaves a half-written file under a sha256 name.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from archive.faults import maybe_crash

_SHA256 = re.compile(r"[0-9a-f]{64}")


def sha256_hex(data: bytes) -> str:
    """The lowercase hex sha256 of ``data``.

    >>> sha256_hex(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


class FileStore:
    """A content-addressed store rooted at ``root`` (normally ``DATA/files``).

    >>> store = FileStore(tmp)  # doctest: +SKIP
    >>> digest = store.put(b"%PDF-1.7 ...")  # doctest: +SKIP
    >>> store.path(digest).read_bytes()  # doctest: +SKIP
    b'%PDF-1.7 ...'
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the file with this sha256 lives (whether or not it exists).

        :param sha256: 64 lowercase hex digits.
        """
        if not _SHA256.fullmatch(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / f"{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def has(self, sha256: str) -> bool:
        """True when the file with this sha256 is in the store."""
        return self.path(sha256).is_file()

    def put(self, data: bytes, sha256: str | None = None) -> str:
        """Store ``data`` (idempotent) and return its sha256.

        :param data: the exact bytes of the file.
        :param sha256: its sha256 when the caller has computed it already.
        """
        digest = sha256 or sha256_hex(data)
        self.add(data, digest)
        return digest

    def add(self, data: bytes, sha256: str) -> bool:
        """Store ``data`` under its ``sha256`` unless the store has it; True when it was new.

        >>> store = FileStore(tmp)  # doctest: +SKIP
        >>> store.add(b"x", sha256_hex(b"x")), store.add(b"x", sha256_hex(b"x"))  # doctest: +SKIP
        (True, False)
        """
        target = self.path(sha256)
        if target.is_file():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            maybe_crash("crawl.store_temp")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True


def remove_partial(root: Path | str) -> int:
    """Delete the temporary files a killed writer left in the store; return how many.

    Only ``.tmp-*`` names are touched: a file under its sha256 name is always complete.
    """
    removed = 0
    for leftover in Path(root).glob("*/*/.tmp-*"):
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed


def put(root: Path | str, data: bytes) -> str:
    """Store ``data`` under ``root`` and return its sha256 (see :class:`FileStore`)."""
    return FileStore(root).put(data)


def path(root: Path | str, sha256: str) -> Path:
    """The path of the file with this sha256 under ``root`` (see :class:`FileStore`)."""
    return FileStore(root).path(sha256)

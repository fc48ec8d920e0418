"""DOC and WPS (Word 97 / Kingsoft WPS, OLE compound files) → DOCX with LibreOffice → DOCX reader.

Nothing in Python reads the old binary formats well, so the bytes are converted by
``soffice --headless --convert-to docx`` and the result goes through
:func:`extract.readers.docx.read_docx`. Each call gets its own temporary directory and its own
LibreOffice profile (``-env:UserInstallation``): two soffice processes sharing a profile block
each other, and batch extraction runs several workers at once.

Example::

    >>> read_doc(b"not a doc")  # doctest: +SKIP
    Traceback (most recent call last):
    UnreadableDocument: LibreOffice could not convert the DOC: ...
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from extract.errors import ExtractError, UnreadableDocument
from extract.readers import Document, reader
from extract.readers.docx import read_docx

#: seconds one conversion may take; a first start of LibreOffice alone takes a few seconds
TIMEOUT = 120
#: executables tried in order; ``NIANBAO_SOFFICE`` names another
SOFFICE_NAMES = ("soffice", "libreoffice")


class ConverterMissing(ExtractError):
    """LibreOffice (``soffice``) is not installed, so DOC/WPS cannot be read."""


def soffice() -> str | None:
    """Path of the LibreOffice executable, or None when it is not installed.

    >>> soffice() is None or soffice().endswith(("soffice", "libreoffice"))
    True
    """
    named = os.environ.get("NIANBAO_SOFFICE")
    if named:
        return shutil.which(named)
    return next((p for p in map(shutil.which, SOFFICE_NAMES) if p), None)


def convert(data: bytes, suffix: str, target: str = "docx", *, timeout: float = TIMEOUT) -> bytes:
    """Convert a document's bytes with LibreOffice headless; return the converted bytes.

    :param suffix: the input's extension (``doc``, ``wps``, ``docx``), which picks the import filter
    :param target: the ``--convert-to`` argument (``docx``, ``doc:"MS Word 97"`` …)
    :raises ConverterMissing: when soffice is not installed
    :raises UnreadableDocument: when soffice fails, times out or writes nothing
    """
    exe = soffice()
    if exe is None:
        raise ConverterMissing("DOC/WPS needs LibreOffice (soffice), which is not installed")
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        work = Path(tmp)
        src = work / f"in.{suffix}"
        src.write_bytes(data)
        out = work / "out"
        cmd = [
            exe,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(src),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as err:
            raise UnreadableDocument(f"LibreOffice timed out after {timeout:g} s") from err
        results = sorted(out.glob("in.*")) if out.exists() else []
        if not results:
            reason = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            reason = reason.splitlines()[-1] if reason else f"exit status {done.returncode}"
            raise UnreadableDocument(
                f"LibreOffice could not convert the {suffix.upper()}: {reason}"
            )
        return results[0].read_bytes()


def _read_via_docx(data: bytes, fmt: str) -> Document:
    doc = read_docx(convert(data, fmt))
    doc.format = fmt
    return doc


@reader("doc")
def read_doc(data: bytes) -> Document:
    """Parse Word 97–2003 DOC bytes (OLE magic ``D0 CF 11 E0``) through a DOCX conversion."""
    return _read_via_docx(data, "doc")


@reader("wps")
def read_wps(data: bytes) -> Document:
    """Parse Kingsoft WPS bytes (the same OLE container, told apart by name or content type)."""
    return _read_via_docx(data, "wps")

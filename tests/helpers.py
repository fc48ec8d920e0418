"""Paths and small helpers shared by the test modules."""

from __future__ import annotations

import socket
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "real"
PYTHON = REPO / ".venv" / "bin" / "python"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now, for a server a test starts."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def archive_get(writer, url: str, content_type: str, body: bytes) -> tuple[str, int]:
    """Archive a plain GET of ``url`` answered 200 with ``body`` through ``writer`` (an
    :class:`archive.warc.WarcWriter`); its (file, offset)."""
    return writer.write_exchange(
        url=url,
        method="GET",
        request_headers=[],
        request_body=b"",
        status=200,
        response_headers=[("Content-Type", content_type)],
        response_body=body,
    )

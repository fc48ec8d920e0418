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

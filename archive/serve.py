"""Publish ``DATA/archive.db`` read-only with Datasette.

:func:`datasette_args` is the one list of flags every way of serving uses (``make serve``,
``make demo`` and the tests all go through ``python -m archive serve``). Datasette 0.65 opens a
mutable database with ``mode=ro`` and has no write API unless a plugin adds one; we add none.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from archive.db import open_archive
from archive.metadata import DATABASE, write_metadata

HERE = Path(__file__).resolve().parent
PLUGINS_DIR = HERE / "plugins"
TEMPLATES_DIR = HERE / "templates"
DB_FILE = f"{DATABASE}.db"

#: Datasette settings (``--setting NAME VALUE``)
SETTINGS: dict[str, str] = {
    "suggest_facets": "off",
    "sql_time_limit_ms": "5000",
    "max_returned_rows": "5000",
    "facet_time_limit_ms": "500",
}


class ServeError(Exception):
    """The archive cannot be served; the message is the one-line reason."""


def datasette_args(data: str | Path, port: int, host: str = "127.0.0.1") -> list[str]:
    """The ``datasette serve`` command line for ``DATA`` (without the interpreter).

    :param data: the data directory holding ``archive.db``
    :param port: TCP port
    :param host: interface to bind; loopback unless told otherwise

    >>> datasette_args("data", 8001)[:3]
    ['serve', 'data/archive.db', '--metadata']
    """
    data = Path(data)
    args = ["serve", str(data / DB_FILE), "--metadata", str(data / "metadata.json")]
    for name, value in SETTINGS.items():
        args += ["--setting", name, value]
    args += [
        "--plugins-dir",
        str(PLUGINS_DIR),
        "--template-dir",
        str(TEMPLATES_DIR),
        "--host",
        host,
        "--port",
        str(port),
    ]
    return args


def prepare(data: str | Path) -> Path:
    """Check the archive exists, ensure its schema and write its metadata next to it.

    :param data: the data directory
    :raises ServeError: when ``DATA/archive.db`` is missing
    """
    data = Path(data)
    db_path = data / DB_FILE
    if not db_path.is_file():
        raise ServeError(f"archive: {db_path} not found; run make crawl and make extract first")
    # the canned queries read the extracted tables, so they must exist even before extraction
    open_archive(db_path).close()
    return write_metadata(data)


def serve(data: str | Path, port: int, host: str = "127.0.0.1") -> None:
    """Replace this process with Datasette serving ``DATA/archive.db`` (never returns).

    :param data: the data directory
    :param port: TCP port
    :param host: interface to bind
    """
    prepare(data)
    argv = [sys.executable, "-m", "datasette", *datasette_args(data, port, host)]
    sys.stdout.flush()
    os.execv(sys.executable, argv)

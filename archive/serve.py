"""Publish ``DATA/archive.db`` read-only with Datasette.

:func:`datasette_args` is the one list of flags every way of serving uses (``make serve``,
``make demo`` and the tests all go through ``python -m archive serve``). Datasette 0.65 opens a
mutable database with ``mode=ro`` and has no write API unless a plugin adds one; we add none.

``public=True`` (``python -m archive serve --public``) is for serving on the internet: the
database is opened immutable (``-i``, no locking, no write ever possible) with table counts
precomputed in ``DATA/inspect.json`` (``--inspect-file``), and ``/robots.txt`` disallows
crawlers. An immutable open must never see its file change, so the public instance serves a
snapshot, ``DATA/public/archive.db`` (built by SQLite's backup API under a temporary name, then
renamed: build-then-swap), beside links to ``DATA/files`` and ``DATA/warc``; ``make extract``
goes on writing ``DATA/archive.db`` and a restart publishes the new state. Every mode has the time and row limits of :data:`SETTINGS`, and the ``limits`` plugin
caps strings and blobs at 5 MB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from archive.db import copy_database, open_archive
from archive.derived import rebuild_if_stale
from archive.metadata import DATABASE, write_metadata

HERE = Path(__file__).resolve().parent
PLUGINS_DIR = HERE / "plugins"
TEMPLATES_DIR = HERE / "templates"
DB_FILE = f"{DATABASE}.db"
INSPECT_FILE = "inspect.json"
#: where the public instance's snapshot lives, under DATA
PUBLIC_DIR = "public"


def publish_snapshot(data: Path) -> Path:
    """Copy ``DATA/archive.db`` to ``DATA/public/archive.db`` as one consistent snapshot.

    The copy is built under a temporary name (SQLite backup API, rollback journal so that an
    immutable open reads it whole), fsynced and renamed over the previous snapshot.
    ``DATA/public/files`` and ``DATA/public/warc`` link to the store and the WARC files, which
    only ever gain files.
    """
    public = data / PUBLIC_DIR
    public.mkdir(exist_ok=True)
    for name in ("files", "warc"):
        link = public / name
        if not link.is_symlink():
            link.symlink_to(Path("..") / name, target_is_directory=True)
    tmp = public / f".{DB_FILE}.tmp"
    tmp.unlink(missing_ok=True)
    copy_database(data / DB_FILE, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, public / DB_FILE)
    return public / DB_FILE


#: Datasette settings (``--setting NAME VALUE``)
SETTINGS: dict[str, str] = {
    "suggest_facets": "off",
    "sql_time_limit_ms": "5000",
    "max_returned_rows": "5000",
    "facet_time_limit_ms": "500",
}


class ServeError(Exception):
    """The archive cannot be served; the message is the one-line reason."""


def datasette_args(
    data: str | Path, port: int, host: str = "127.0.0.1", public: bool = False
) -> list[str]:
    """The ``datasette serve`` command line for ``DATA`` (without the interpreter).

    :param data: the data directory holding ``archive.db``
    :param port: TCP port
    :param host: interface to bind; loopback unless told otherwise
    :param public: open the database immutable with precomputed counts

    >>> datasette_args("data", 8001)[:3]
    ['serve', 'data/archive.db', '--metadata']
    >>> datasette_args("data", 8001, public=True)[:5]
    ['serve', '-i', 'data/public/archive.db', '--inspect-file', 'data/inspect.json']
    """
    data = Path(data)
    args = ["serve"]
    if public:
        args += ["-i", str(data / PUBLIC_DIR / DB_FILE), "--inspect-file", str(data / INSPECT_FILE)]
    else:
        args += [str(data / DB_FILE)]
    args += ["--metadata", str(data / "metadata.json")]
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


def prepare(data: str | Path, public: bool = False) -> Path:
    """Check the archive exists, ensure its schema and derived tables, write its metadata.

    The derived tables are rebuilt only when stale (:func:`archive.derived.rebuild_if_stale`).

    :param data: the data directory
    :param public: also write ``DATA/inspect.json`` and block robots (see :func:`serve`)
    :raises ServeError: when ``DATA/archive.db`` is missing
    """
    data = Path(data)
    db_path = data / DB_FILE
    if not db_path.is_file():
        raise ServeError(f"archive: {db_path} not found; run make crawl and make extract first")
    # the canned queries read the extracted and derived tables, so they must exist; a full
    # rebuild takes minutes on a large archive, so only when the contract tables changed since
    # (``python -m archive rebuild`` forces one)
    db = open_archive(db_path)
    try:
        rebuild_if_stale(db)
    finally:
        db.close()
    if public:
        snapshot = publish_snapshot(data)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "datasette",
                "inspect",
                str(snapshot),
                "--inspect-file",
                str(data / INSPECT_FILE),
            ],
            check=True,
        )
    return write_metadata(data, block_robots=public)


def serve(data: str | Path, port: int, host: str = "127.0.0.1", public: bool = False) -> None:
    """Replace this process with Datasette serving ``DATA/archive.db`` (never returns).

    :param data: the data directory
    :param port: TCP port
    :param host: interface to bind
    :param public: immutable database, precomputed counts, robots blocked
    """
    prepare(data, public)
    argv = [sys.executable, "-m", "datasette", *datasette_args(data, port, host, public)]
    sys.stdout.flush()
    os.execv(sys.executable, argv)


def launch(
    data: str | Path,
    port: int,
    *,
    public: bool = False,
    python: str | Path | None = None,
    env: dict[str, str] | None = None,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.PIPE,
    timeout: float = 60.0,
) -> subprocess.Popen:
    """Start ``python -m archive serve --data DATA --port PORT`` in a subprocess and return it
    once it answers ``/-/versions.json`` on loopback (tests, benchmarks and the reliability
    harness serve archives this way).

    :param python: the interpreter (this one by default)
    :param env: the child's environment (this one by default)
    :param stdout: where the child's output goes; ``stderr`` likewise (a pipe by default, whose
        tail goes into the error when the server exits before answering)
    :raises ServeError: the server exited or did not answer within ``timeout`` seconds

    >>> process = launch("data", 8001)  # doctest: +SKIP
    >>> process.terminate()  # doctest: +SKIP
    """
    args = ["-m", "archive", "serve", "--data", str(data), "--port", str(port)]
    process = subprocess.Popen(
        [str(python or sys.executable), *args, *(["--public"] if public else [])],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=stdout,
        stderr=stderr,
        text=True,
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = process.stderr.read()[-2000:] if stderr == subprocess.PIPE else ""
            raise ServeError(f"archive serve exited with {process.returncode}: {tail}")
        try:
            with opener.open(f"http://127.0.0.1:{port}/-/versions.json", timeout=2) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    process.wait()
    raise ServeError(f"archive serve did not answer on port {port} within {timeout:g} s")

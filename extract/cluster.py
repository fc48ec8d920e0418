"""Extract on a Dask distributed cluster: the workers parse, this process alone writes.

``python -m extract.cluster --data DIR --scheduler tcp://HOST:PORT [--shared-store]``

The documents to parse are chosen exactly as ``python -m extract.batch`` chooses them
(:func:`extract.batch.pending_links`), each is parsed by :func:`extract.batch.parse_job` on a
Dask worker, and every result is recorded here by :func:`extract.batch._record` (the one
SQLite writer), then the derived tables are rebuilt. Running it again parses only what is new.

Workers need the nianbao packages and their dependencies (the same virtualenv), not the data:
by default each document's bytes travel with its task, so a worker on another machine needs no
access to ``DIR``. With ``--shared-store`` only the store path is sent (every worker mounts DIR).

At most ``window`` tasks are in flight (default: 4 per worker thread), so the client never holds
more than that many documents in memory, whatever the size of the backlog.

Why Dask distributed (see docs/operating.md, "Choosing the extraction engine"): parsing is a
pure function of one file's bytes returning a small dict, the results must be written by one
process (SQLite), and a scanned page costs ~10 CPU-s, so tasks are coarse. Dask gives exactly that: futures to a plain Python function, results streamed back
to the client with ``as_completed``, ``dask worker`` processes joining by address with no broker,
and a failed worker's tasks rescheduled. Celery needs a broker and a result backend (Redis) and
a task module registered on every worker; Ray brings a large runtime for no gain here.
``python -m extract.cluster bench --data DIR --workers 2`` measures it against a local process
pool (on the full sample web, two cores: pool 50 s, Dask 58 s, Celery+Redis 65 s).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from distributed import Client, as_completed

from archive.db import open_archive
from archive.derived import rebuild
from archive.store import FileStore
from extract.batch import (
    BatchError,
    Summary,
    _content_type,
    _hints,
    _record,
    crawled_archive,
    extractor_version,
    parse_job,
    plan,
)

#: tasks in flight per worker thread
WINDOW_PER_THREAD = 4


def parse_bytes(
    payload: bytes, sha256: str, content_type: str | None, hints: dict[str, Any]
) -> tuple[dict | None, str | None]:
    """Parse one document from its bytes (on a worker): ``(parsed, None)`` or ``(None, reason)``.

    The bytes are written to a temporary file named like the store's (the sha256, no suffix)
    so the parser sees what it sees in ``extract.batch``.

    >>> parse_bytes(b"<html>...</html>", "ab" * 32, "text/html", {})  # doctest: +SKIP
    ({'format': 'html', ...}, None)
    """
    with tempfile.TemporaryDirectory(prefix="nianbao-parse-") as tmp:
        path = Path(tmp) / sha256
        path.write_bytes(payload)
        return parse_job((str(path), content_type, hints))


def _threads(client: Client) -> int:
    return max(1, sum(client.nthreads().values()))


def run(
    data: str | Path,
    scheduler: str | Client,
    *,
    shared_store: bool = False,
    window: int | None = None,
) -> Summary:
    """Extract every pending document of ``DATA`` on the Dask cluster at ``scheduler``.

    >>> run("data", "tcp://127.0.0.1:8786").lines()[0]  # doctest: +SKIP
    'extract: 78 documents to parse (extractor version 1)'

    :param data: the data directory (``archive.db`` and ``files/``)
    :param scheduler: the scheduler address, or a connected :class:`distributed.Client`
    :param shared_store: send store paths instead of bytes (workers see ``DATA``)
    :param window: tasks in flight at most (default: 4 per worker thread)
    :raises BatchError: when there is no archive or no crawl table to read, or the disk is full
    """
    data = Path(data).resolve()
    with crawled_archive(data) as db:
        client = scheduler if isinstance(scheduler, Client) else Client(scheduler, timeout="30s")
        try:
            return _extract(client, db, data, window, shared_store)
        finally:
            if not isinstance(scheduler, Client):
                client.close()


def _extract(client: Client, db, data: Path, window: int | None, shared_store: bool) -> Summary:
    summary = Summary(version=extractor_version())
    window = window or WINDOW_PER_THREAD * _threads(client)
    todo = plan(db, data, summary)
    running = as_completed()
    links_of: dict[Any, list[dict]] = {}

    def submit_next() -> bool:
        item = next(todo, None)
        if item is None:
            return False
        links, path, content_type = item
        sha256, hints = links[0]["document_sha256"], _hints(links[0])
        if shared_store:
            future = client.submit(parse_job, (str(path), content_type, hints), pure=False)
        else:
            payload = path.read_bytes()
            future = client.submit(parse_bytes, payload, sha256, content_type, hints, pure=False)
        links_of[future] = links
        running.add(future)
        return True

    while len(links_of) < window and submit_next():
        pass
    for future in running:
        links = links_of.pop(future)
        try:
            parsed, error = future.result()
        except Exception as exc:  # a worker died under this document: data, not a stop
            parsed, error = None, f"worker failed: {type(exc).__name__}: {exc}"
        future.release()
        _record(db, summary, links, parsed, error)
        submit_next()
    rebuild(db)
    return summary


def bench(data: str | Path, scheduler: str | None, workers: int) -> dict[str, float]:
    """Seconds to parse every report document of ``DATA`` (without writing): a local process
    pool of ``workers`` and the Dask cluster at ``scheduler`` (a LocalCluster of ``workers``
    single-threaded processes when None)."""
    from concurrent.futures import ProcessPoolExecutor

    from distributed import LocalCluster

    data = Path(data)
    db = open_archive(data / "archive.db")
    store = FileStore(data / "files")
    jobs = [
        (str(store.path(r["document_sha256"])), _content_type(db, r), _hints(r))
        for r in db.query(
            "select * from report_links where coalesce(document_sha256, '') != ''"
            " group by document_sha256"
        )
        if store.has(r["document_sha256"])
    ]
    db.close()
    times: dict[str, float] = {"documents": len(jobs)}
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(parse_job, jobs))
    times["process_pool"] = time.perf_counter() - start
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        scheduler = cluster.scheduler_address
    with Client(scheduler) as client:
        start = time.perf_counter()
        futures = [
            client.submit(parse_bytes, Path(p).read_bytes(), Path(p).name, ct, h, pure=False)
            for p, ct, h in jobs
        ]
        client.gather(futures)
        times["dask_bytes"] = time.perf_counter() - start
        start = time.perf_counter()
        client.gather([client.submit(parse_job, job, pure=False) for job in jobs])
        times["dask_paths"] = time.perf_counter() - start
    if cluster is not None:
        cluster.close()
    return times


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:
        parser = argparse.ArgumentParser(prog="python -m extract.cluster bench")
        parser.add_argument("--data", default="data")
        parser.add_argument("--scheduler", default=None, help="default: a LocalCluster")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
        args = parser.parse_args(argv[1:])
        for name, value in bench(args.data, args.scheduler, args.workers).items():
            print(f"{name}\t{value:.2f}")
        return 0
    parser = argparse.ArgumentParser(prog="python -m extract.cluster", description=__doc__)
    parser.add_argument("--data", default="data", help="data directory (default: data)")
    parser.add_argument("--scheduler", required=True, help="Dask scheduler, tcp://HOST:PORT")
    parser.add_argument(
        "--shared-store", action="store_true", help="send store paths, not bytes (shared DATA)"
    )
    parser.add_argument("--window", type=int, default=None, help="tasks in flight at most")
    args = parser.parse_args(argv)
    try:
        summary = run(args.data, args.scheduler, shared_store=args.shared_store, window=args.window)
    except (BatchError, OSError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

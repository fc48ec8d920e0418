"""Parse every archived report document not yet parsed by this extractor version.

``python -m extract.batch --data DIR [--workers N]`` reads ``report_links`` from
``DIR/archive.db``, parses each linked file of the store ``DIR/files/<aa>/<bb>/<sha256>`` with
:func:`extract.parse_document` (the crawler's publisher, year and title as hints), writes the
contract tables through :func:`archive.db.save_report` and notes each document in
``extractions``. A document that fails gets an ``extract_errors`` row and the batch goes on.
At the end the derived tables (``report_figures``, ``county_years``, ``counties``, the bigram
search indexes) are rebuilt by :func:`archive.derived.rebuild`. Work is keyed on (sha256,
extractor version): run it again and only new documents, new links and
documents failed for a missing file are parsed.

Example::

    summary = run("data", workers=4)
    print(summary.lines())
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlite_utils import Database

import extract
from archive.db import close_archive, open_archive, record_error, record_extraction, save_report
from archive.derived import rebuild
from archive.disk import is_write_failure
from archive.faults import maybe_crash
from archive.store import FileStore

HINT_KEYS = ("publisher", "year", "title")
#: the reason given to every document of a process pool whose worker died
WORKER_CRASHED = "worker crashed"


class BatchError(Exception):
    """The batch cannot run at all; the message is the one-line reason."""


@contextlib.contextmanager
def stop_on_full_disk(data: Path) -> Iterator[None]:
    """Turn a full disk (or another write failure of storage) into :class:`BatchError`, one
    line for the CLI.

    Nothing is recorded for the document being saved (a full disk says nothing about it): it
    and every document after it stay pending, and the next run, with space, parses them.
    """
    try:
        yield
    except (OSError, sqlite3.Error) as exc:
        if not is_write_failure(exc):
            raise
        raise BatchError(
            f"extract: cannot write {data} ({exc}); the documents not yet saved stay pending: "
            "free space and run it again"
        ) from exc


def extractor_version() -> str:
    """The version extraction results are keyed on (:data:`extract.EXTRACTOR_VERSION`)."""
    return extract.EXTRACTOR_VERSION


@dataclass
class Summary:
    """What one batch run did."""

    version: str
    documents: int = 0
    formats: Counter = field(default_factory=Counter)
    parsed: int = 0
    failed: int = 0
    reports: int = 0
    missing: int = 0
    failing_checks: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The summary printed by the CLI, one fact per line."""
        formats = ", ".join(f"{k} {v}" for k, v in sorted(self.formats.items())) or "none"
        checks = ", ".join(f"{k} {v}" for k, v in sorted(self.failing_checks.items())) or "none"
        return [
            f"extract: {self.documents} documents to parse (extractor version {self.version})",
            f"  by format: {formats}",
            f"  parsed {self.parsed}, failed {self.failed}, missing from store {self.missing}; "
            f"reports saved {self.reports}",
            f"  reports failing a check: {checks}",
        ]


class Progress:
    """A progress line every :attr:`EVERY` documents or :attr:`SECONDS` seconds, whichever first.

    >>> import io
    >>> out = io.StringIO(); p = Progress(3, stream=out); p.every = 2
    >>> s = Summary("1", parsed=1); p.step(s); s.parsed = 2; p.step(s); out.getvalue()
    'extract: 2/3 documents (parsed 2, failed 0)\\n'
    """

    EVERY = 50
    SECONDS = 10.0

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total, self.stream = total, stream
        self.every, self.seconds = self.EVERY, self.SECONDS
        self.count, self.last = 0, time.monotonic()

    def _line(self, summary: Summary) -> None:
        if self.stream is not None:
            print(
                f"extract: {self.count}/{self.total} documents "
                f"(parsed {summary.parsed}, failed {summary.failed})",
                file=self.stream,
                flush=True,
            )
        self.last = time.monotonic()

    def step(self, summary: Summary) -> None:
        """Count one document; print a line when enough documents or seconds have passed."""
        self.count += 1
        if self.count % self.every == 0 or time.monotonic() - self.last >= self.seconds:
            self._line(summary)

    def done(self, summary: Summary) -> None:
        """The last line, unless the last step just printed it."""
        if self.total and self.count % self.every:
            self._line(summary)


def pending_links(db, version: str) -> dict[str, list[dict[str, Any]]]:
    """``report_links`` rows still to extract, grouped by document sha256.

    A link is pending unless its document failed under ``version`` or its report already holds
    that document parsed by ``version``.
    """
    sql = """
        select l.* from report_links l
        where coalesce(l.document_sha256, '') != ''
          and not exists (
            select 1 from extractions e
            where e.sha256 = l.document_sha256 and e.extractor_version = :v and e.status = 'failed')
          and not exists (
            select 1 from reports r
            where r.id = l.id and r.sha256 = l.document_sha256 and r.extractor_version = :v)
        order by l.document_sha256, l.id
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in db.query(sql, {"v": version}):
        groups.setdefault(row["document_sha256"], []).append(row)
    return groups


def _content_type(db, link: dict[str, Any]) -> str | None:
    if link.get("content_type"):
        return link["content_type"]
    if "documents" in db.table_names():
        for row in db.query(
            "select content_type from documents where sha256 = ? and content_type is not null "
            "limit 1",
            [link["document_sha256"]],
        ):
            return row["content_type"]
    return None


def parse_job(job: tuple[str, str | None, dict[str, Any]]) -> tuple[dict | None, str | None]:
    """Parse one file; returns ``(parsed, None)`` or ``(None, reason)``. Runs in a worker."""
    path, content_type, hints = job
    maybe_crash("extract.worker")
    try:
        return extract.parse_document(Path(path), content_type=content_type, hints=hints), None
    except Exception as exc:  # any failure of one document is data, not a reason to stop
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return None, f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__


def _hints(link: dict[str, Any]) -> dict[str, Any]:
    return {k: link[k] for k in HINT_KEYS if link.get(k) not in (None, "")}


def _record(db, summary: Summary, links: list[dict], parsed: dict | None, error: str | None):
    sha256 = links[0]["document_sha256"]
    maybe_crash("extract.parsed")
    if parsed is not None:
        try:
            # one transaction per document: its reports and its ``extractions`` row commit
            # together, so a kill never leaves reports the next run would take as unrecorded
            with db.atomic():
                for link in links:
                    save_report(db, link, parsed, extractor_version=summary.version)
                maybe_crash("extract.recorded")
                record_extraction(db, sha256, summary.version, "ok")
        except Exception as exc:  # a result the archive cannot hold fails like a bad file
            if is_write_failure(exc):
                raise
            parsed, error = None, f"save failed: {type(exc).__name__}: {exc}"
        else:
            summary.reports += len(links)
            failing = {c[0] for c in parsed.get("checks") or () if len(c) > 2 and not c[2]}
            for _ in links:
                summary.failing_checks.update(failing)
    if parsed is None:
        summary.failed += 1
        summary.formats["failed"] += 1
        summary.errors.append((sha256, error or "unknown error"))
        if not (error or "").startswith(WORKER_CRASHED):
            # a dead worker (killed, out of memory) says nothing about this document: leave it
            # pending so the next run parses it again, with only the error row to tell
            record_extraction(db, sha256, summary.version, "failed", error)
        for link in links:
            record_error(
                db, sha256, link.get("document_url"), error or "", extractor_version=summary.version
            )
        return
    summary.parsed += 1
    summary.formats[parsed.get("format") or "unknown"] += 1


def _results(jobs: list[tuple], workers: int) -> Iterable[tuple[dict | None, str | None]]:
    if workers <= 1:
        yield from map(parse_job, jobs)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(parse_job, job) for job in jobs]
        try:
            for future in futures:
                try:
                    yield future.result()
                except BrokenProcessPool as exc:
                    yield None, f"{WORKER_CRASHED}: {exc}"
        finally:
            # a batch that stops early (a full disk) waits for the documents being parsed,
            # not for every document still queued
            for future in futures:
                future.cancel()


def run(data: str | Path, workers: int = 1, progress_stream: TextIO | None = None) -> Summary:
    """Extract every pending document of ``DATA``; returns what was done.

    :param data: the data directory (``archive.db`` and ``files/``)
    :param workers: parser processes; 1 parses in this process
    :param progress_stream: where progress lines go (the CLI passes stderr; None: silent)
    :raises BatchError: when there is no archive or no crawl table to read, or the disk is full
    """
    if not hasattr(extract, "parse_document"):
        raise BatchError("extract: extract.parse_document is not available")
    with crawled_archive(Path(data)) as db:
        return _extract(db, Path(data), workers, progress_stream)


@contextlib.contextmanager
def crawled_archive(data: Path) -> Iterator[Database]:
    """``DATA/archive.db`` opened for extraction, and closed (:func:`archive.db.close_archive`).

    :raises BatchError: when there is no archive or no crawl table to read, or when the disk
        fills up inside the block (:func:`stop_on_full_disk`)
    """
    db_path = data / "archive.db"
    if not db_path.is_file():
        raise BatchError(f"extract: {db_path} not found; run make crawl first")
    with stop_on_full_disk(data):
        db = open_archive(db_path)
        try:
            if "report_links" not in db.table_names():
                raise BatchError(
                    f"extract: {db_path} has no report_links table; run make crawl first"
                )
            yield db
        finally:
            close_archive(db)


def plan(db, data: Path, summary: Summary) -> Iterator[tuple[list[dict], Path, str | None]]:
    """The pending documents as (links, store path, content type), lazily; a document missing from
    the store gets its ``extract_errors`` rows here."""
    store = FileStore(data / "files")
    groups = pending_links(db, summary.version)
    summary.documents = len(groups)
    for sha256, links in groups.items():
        try:
            path = store.path(sha256)
        except ValueError:
            path = None
        if path is None or not path.is_file():
            summary.missing += 1
            for link in links:
                record_error(
                    db,
                    sha256,
                    link.get("document_url"),
                    f"file missing from store: {sha256}",
                    extractor_version=summary.version,
                )
            continue
        yield links, path, _content_type(db, links[0])


def _extract(db, data: Path, workers: int, progress_stream: TextIO | None) -> Summary:
    summary = Summary(version=extractor_version())
    planned = list(plan(db, data, summary))
    jobs = [(str(path), content_type, _hints(links[0])) for links, path, content_type in planned]
    job_links = [links for links, _, _ in planned]
    progress = Progress(len(jobs), stream=progress_stream)
    # closed at once if a full disk stops the batch, so queued documents are not parsed for naught
    with contextlib.closing(_results(jobs, workers)) as results:
        for links, (parsed, error) in zip(job_links, results, strict=True):
            _record(db, summary, links, parsed, error)
            progress.step(summary)
    progress.done(summary)
    # the wide tables, the county panel, the map and the search index follow the reports
    rebuild(db)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extract.batch", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--data", default="data", help="data directory (default: data)")
    parser.add_argument("--workers", type=int, default=1, help="parser processes (default: 1)")
    args = parser.parse_args(argv)
    try:
        summary = run(args.data, workers=max(1, args.workers), progress_stream=sys.stderr)
    except BatchError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

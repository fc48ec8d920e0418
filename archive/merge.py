"""Fold shard data directories into one archive: files by sha256, WARCs, crawl and contract rows.

``python -m archive.merge --out DIR SHARD_DIR...`` (``make merge``) merges each shard's
``files/``, ``warc/`` and ``archive.db`` into ``DIR``. Merging is idempotent: every row is matched
on its natural key, so running it again (or merging a shard twice) changes nothing, and a report
seen by two shards is one report.

How each table is merged (:data:`RULES`): rows keyed by an id keep the most recent observation
(``fetched_at``, ``last_crawled``, ``extracted_at`` …; on a tie the row already merged stays);
``report_links`` also keeps the earliest ``first_seen``; the append-only tables
(``crawl_errors``, ``events``) take a row unless an identical one is there. A report replaced by a
newer extraction brings its ``sections``, stats and ``checks`` rows along. The derived tables
(figures, counties, search index) are rebuilt when a report changed.

A WARC file whose name is taken by different bytes is copied as ``<name>-m<N>.warc.gz`` and the
``warc_file`` columns of that shard's rows follow it.

Example::

    >>> merge(["data/shards/0", "data/shards/1"], "data")  # doctest: +SKIP
    MergeSummary(files=1234, warcs=2, rows={'documents': 130, ...})
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import crawldb
from archive.db import REPORT_TABLES, close_archive, open_archive
from archive.derived import rebuild
from archive.lock import LockHeld, data_lock
from archive.store import FileStore


@dataclass(frozen=True)
class Rule:
    """How one table merges: by ``key``, the row with the larger ``newest`` wins (or, without
    ``newest``, an identical row is required to skip: append-only tables)."""

    key: tuple[str, ...]
    newest: str | None = None


RULES: dict[str, Rule] = {
    # crawl tables (archive/crawldb.py)
    "documents": Rule(("id",), "fetched_at"),
    "report_links": Rule(("id",), "last_seen"),
    "crawl_runs": Rule(("id",), "finished_at"),
    "sites": Rule(("adcode",), "last_crawled"),
    "warc_digests": Rule(("url",), "date"),
    "crawl_errors": Rule(("run_id", "adcode", "url", "method", "status", "reason", "at")),
    "events": Rule(("kind", "report_id", "adcode", "run_id", "at", "detail")),
    # contract tables (archive/db.py); a report's own rows follow it, see _merge_reports
    "reports": Rule(("id",), "extracted_at"),
    "extractions": Rule(("sha256", "extractor_version"), "at"),
    "extract_errors": Rule(("sha256", "url"), "at"),
}
#: columns naming a WARC file of the shard's warc/ directory
WARC_COLUMNS = {"documents": "warc_file", "warc_digests": "warc_file"}
WARC_SUFFIX = ".warc.gz"


@dataclass
class MergeSummary:
    """What one merge copied or changed (all zero on a repeated merge)."""

    files: int = 0
    warcs: int = 0
    renamed: dict[str, str] = field(default_factory=dict)
    rows: Counter = field(default_factory=Counter)
    bad_files: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.files or self.warcs or sum(self.rows.values()))

    def lines(self) -> list[str]:
        rows = ", ".join(f"{t} {n}" for t, n in sorted(self.rows.items()) if n) or "none"
        lines = [
            f"merge: {self.files} files, {self.warcs} WARC files copied"
            f" ({len(self.renamed)} renamed); rows written: {rows}"
        ]
        lines += [f"  renamed {a} -> {b}" for a, b in sorted(self.renamed.items())]
        lines += [f"  not copied (bytes do not match the name): {p}" for p in self.bad_files]
        return lines


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_atomic(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def merge_files(shard: Path, out: Path, summary: MergeSummary) -> None:
    """Copy the store files ``out`` lacks; a file whose bytes do not match its name is skipped."""
    store = FileStore(out / "files")
    for path in sorted((shard / "files").glob("*/*/*")):
        name = path.name
        if name.startswith(".tmp-") or not path.is_file():
            continue
        try:
            target = store.path(name)
        except ValueError:
            continue
        if target.is_file():
            continue
        if _sha256_file(path) != name:
            summary.bad_files.append(str(path))
            continue
        _copy_atomic(path, target)
        summary.files += 1


def _candidates(name: str) -> Iterator[str]:
    stem, suffix = (
        (name[: -len(WARC_SUFFIX)], WARC_SUFFIX)
        if name.endswith(WARC_SUFFIX)
        else (Path(name).stem, Path(name).suffix)
    )
    yield name
    n = 1
    while True:
        yield f"{stem}-m{n}{suffix}"
        n += 1


def merge_warcs(shard: Path, out: Path, summary: MergeSummary) -> dict[str, str]:
    """Copy the shard's WARC files; return {shard name: name in ``out``} for the renamed ones.

    The first candidate name that is free or already holds the same bytes is used, so a repeated
    merge finds the same names again.
    """
    renamed: dict[str, str] = {}
    for path in sorted((shard / "warc").glob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        digest, copied = None, False
        for name in _candidates(path.name):
            target = out / "warc" / name
            if not target.exists():
                _copy_atomic(path, target)
                summary.warcs += 1
                copied = True
                break
            digest = digest or _sha256_file(path)
            if _sha256_file(target) == digest:
                break
        if name != path.name:
            renamed[path.name] = name
            if copied:
                summary.renamed[str(path)] = name
    return renamed


def _rows(db: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    exists = db.execute(
        "select 1 from sqlite_master where type = 'table' and name = ?", [table]
    ).fetchone()
    if exists:
        for row in db.execute(f"select * from [{table}]"):
            yield dict(row)


def _order(value: Any) -> tuple[int, str]:
    return (value is not None, str(value) if value is not None else "")


def _merge_keyed(out, table: str, rule: Rule, row: dict[str, Any]) -> bool:
    """Write ``row`` unless the merged row with its key is as new; True when something changed."""
    where = " and ".join(f"[{c}] is ?" for c in rule.key)
    params = [row.get(c) for c in rule.key]
    existing = next(out.query(f"select * from [{table}] where {where} limit 1", params), None)
    if existing is None:
        out[table].insert(row, alter=True)
        return True
    newer = _order(row.get(rule.newest)) > _order(existing.get(rule.newest))
    merged = {**existing, **row} if newer else dict(existing)
    if table == "report_links":
        # One report seen by two shards: first seen by either, the rest from the latest sighting.
        first = [v for v in (existing.get("first_seen"), row.get("first_seen")) if v]
        merged["first_seen"] = min(first) if first else None
    if merged == existing:
        return False
    out[table].delete_where(where, params)
    out[table].insert(merged, alter=True)
    return True


def _merge_appended(out, table: str, rule: Rule, rows: Iterator[dict[str, Any]]) -> int:
    seen = {tuple(r[c] for c in rule.key) for r in out.query(f"select * from [{table}]")}
    added = 0
    for row in rows:
        key = tuple(row.get(c) for c in rule.key)
        if key in seen:
            continue
        row.pop("id", None)  # an autoincrement id is the shard's, not the report's
        out[table].insert(row, alter=True)
        seen.add(key)
        added += 1
    return added


def _merge_reports(out, shard_db: sqlite3.Connection, summary: MergeSummary) -> None:
    rule = RULES["reports"]
    for report in _rows(shard_db, "reports"):
        if not _merge_keyed(out, "reports", rule, report):
            continue
        summary.rows["reports"] += 1
        for table in REPORT_TABLES:
            out[table].delete_where("report_id = ?", [report["id"]])
            rows = [
                dict(r)
                for r in shard_db.execute(
                    f"select * from [{table}] where report_id = ?", [report["id"]]
                )
            ]
            if rows:
                out[table].insert_all(rows, alter=True)
                summary.rows[table] += len(rows)


def merge_db(shard: Path, out_db, renamed: dict[str, str], summary: MergeSummary) -> None:
    """Merge the shard's ``archive.db`` rows into ``out_db`` (see :data:`RULES`)."""
    path = shard / "archive.db"
    if not path.is_file():
        return
    shard_db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    shard_db.row_factory = sqlite3.Row
    try:
        with out_db.conn:
            for table, rule in RULES.items():
                if table == "reports":
                    _merge_reports(out_db, shard_db, summary)
                    continue
                rows = _rows(shard_db, table)
                if table in WARC_COLUMNS:
                    column = WARC_COLUMNS[table]
                    rows = ({**r, column: renamed.get(r.get(column), r.get(column))} for r in rows)
                if rule.newest is None:
                    summary.rows[table] += _merge_appended(out_db, table, rule, rows)
                else:
                    summary.rows[table] += sum(_merge_keyed(out_db, table, rule, r) for r in rows)
    finally:
        shard_db.close()


def merge(shard_dirs: Sequence[Path | str], out_dir: Path | str) -> MergeSummary:
    """Fold every shard data directory into ``out_dir``; return what was copied or written.

    >>> merge(["data/shards/0", "data/shards/1"], "data").changed  # doctest: +SKIP
    True
    >>> merge(["data/shards/0", "data/shards/1"], "data").changed  # doctest: +SKIP
    False
    """
    out = Path(out_dir)
    summary = MergeSummary()
    with data_lock(out):
        db = open_archive(out / "archive.db")
        crawldb.ensure_schema(db)
        try:
            for shard in map(Path, shard_dirs):
                if shard.resolve() == out.resolve():
                    continue
                merge_files(shard, out, summary)
                renamed = merge_warcs(shard, out, summary)
                merge_db(shard, db, renamed, summary)
            if summary.rows["reports"]:
                rebuild(db)
        finally:
            close_archive(db)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m archive.merge", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", required=True, help="the merged data directory")
    parser.add_argument("shards", nargs="+", help="shard data directories")
    args = parser.parse_args(argv)
    missing = [s for s in args.shards if not Path(s).is_dir()]
    if missing:
        print(f"merge: not a directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        summary = merge(args.shards, args.out)
    except LockHeld as exc:
        print(f"merge: {exc} is held by a running crawl", file=sys.stderr)
        return 1
    except (sqlite3.Error, OSError) as exc:
        print(f"merge: {exc}", file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 1 if summary.bad_files else 0


if __name__ == "__main__":
    sys.exit(main())

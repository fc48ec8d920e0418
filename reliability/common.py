"""What the reliability checks share: running the pipeline verbs, and reading an end state.

Every verb runs as ``make`` runs it, in a subprocess of this interpreter (``python -m crawler``,
``python -m extract.batch``), so a SIGKILL takes the whole process down as a power cut would.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

REPO = Path(__file__).resolve().parents[1]
#: the crawl settings of every harness crawl: loopback sites, so no politeness delay is needed
FAST = ("-s", "DOWNLOAD_DELAY=0.02", "-s", "AUTOTHROTTLE_ENABLED=False")

#: the natural key of every table that must never hold two rows for one thing
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "documents": ("url", "sha256"),
    "report_links": ("adcode", "document_url"),
    "warc_digests": ("url",),
    "sites": ("adcode",),
    "reports": ("id",),
    "sections": ("report_id", "section"),
    "proactive_stats": ("report_id", "item", "measure"),
    "request_stats": ("report_id", "row", "applicant"),
    "appeal_stats": ("report_id", "proceeding", "result"),
    "checks": ("report_id", "check", "scope"),
    "extractions": ("sha256", "extractor_version"),
    "extract_errors": ("sha256", "url"),
}


@dataclass
class Result:
    """One thing tried and whether it held, for the report table."""

    kind: str
    name: str
    passed: bool
    detail: str = ""
    bytes_lost: int = 0
    duplicates: int = 0
    extra: dict = field(default_factory=dict)

    def line(self) -> str:
        """``PASS crash crawl.downloaded:40 — detail``."""
        mark = "PASS" if self.passed else "FAIL"
        return f"{mark}  {self.kind:8} {self.name:32} {self.detail}".rstrip()


def env_with(**extra: str) -> dict[str, str]:
    """This process's environment without a crash armed, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_CRASH_AT"}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def run_crawl(
    sources: Path, data: Path, *settings: str, env: dict | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    """``python -m crawler --sources S --data D`` with the fast settings plus ``settings``."""
    return subprocess.run(
        [sys.executable, "-m", "crawler", "--sources", str(sources), "--data", str(data)]
        + [*FAST, *settings],
        cwd=REPO,
        env=env or env_with(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_extract(
    data: Path, workers: int = 1, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """``python -m extract.batch --data D --workers N`` (what ``make extract`` runs)."""
    return subprocess.run(
        [sys.executable, "-m", "extract.batch", "--data", str(data), "--workers", str(workers)],
        cwd=REPO,
        env=env or env_with(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def rows(db: sqlite3.Connection, sql: str) -> list[tuple]:
    """Sorted rows of ``sql`` (``[]`` when a table it reads does not exist)."""
    try:
        return sorted(db.execute(sql).fetchall(), key=repr)
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise


def connect(data: Path) -> sqlite3.Connection:
    """A read-only connection to ``DATA/archive.db``."""
    return sqlite3.connect(f"file:{data / 'archive.db'}?mode=ro", uri=True)


def store_files(data: Path) -> dict[str, int]:
    """sha256 → size of every file in ``DATA/files`` whose bytes hash to its name."""
    found = {}
    for path in (data / "files").glob("*/*/*"):
        if path.name.startswith("."):
            continue
        body = path.read_bytes()
        if hashlib.sha256(body).hexdigest() == path.name:
            found[path.name] = len(body)
    return found


def partial_files(data: Path) -> list[str]:
    """Leftovers a killed writer may leave: store temporaries, unhashed names, open WARCs."""
    found = [str(p) for p in (data / "files").glob("*/*/.tmp-*")]
    found += [str(p) for p in (data / "warc").glob("*.open")]
    for path in (data / "files").glob("*/*/*"):
        if not path.name.startswith(".") and hashlib.sha256(path.read_bytes()).hexdigest() != (
            path.name
        ):
            found.append(f"{path} (bytes do not match its name)")
    return found


def warc_records(data: Path) -> tuple[dict[tuple[str, int], str], list[str]]:
    """(file, offset) → target URI of every record of every WARC file, and read errors.

    Every record is read to its end with its digests checked, as a replay tool would.
    """
    records: dict[tuple[str, int], str] = {}
    errors = []
    for path in sorted((data / "warc").glob("*.warc.gz")):
        try:
            with open(path, "rb") as fh:
                iterator = ArchiveIterator(fh, check_digests="raise")
                for record in iterator:
                    record.content_stream().read()
                    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                    records[(path.name, iterator.get_record_offset())] = uri
        except Exception as exc:  # any unreadable byte is a failure to report
            errors.append(f"{path.name}: {type(exc).__name__}: {exc}")
    return records, errors


def duplicates(data: Path) -> dict[str, int]:
    """Rows beyond the first per natural key, per table (only tables that have any)."""
    db = connect(data)
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    found = {}
    for table, key in NATURAL_KEYS.items():
        if table not in tables:
            continue
        cols = ", ".join(f'"{c}"' for c in key)
        (extra,) = db.execute(
            f'select coalesce(sum(n - 1), 0) from (select count(*) n from "{table}"'
            f" group by {cols} having n > 1)"
        ).fetchone()
        if extra:
            found[table] = extra
    (events,) = (
        db.execute(
            "select coalesce(sum(n - 1), 0) from (select count(*) n from events where kind = 'new'"
            " group by report_id having n > 1)"
        ).fetchone()
        if "events" in tables
        else (0,)
    )
    if events:
        found["events(new)"] = events
    db.close()
    return found

"""``make bundle``: the downloadable raw archive, a BagIt bag a journalist can verify offline.

``bundle(DATA)`` writes ``DATA/bundle/nianbao-raw-<UTC>/``, a BagIt 1.0 bag (``bagit`` 1.9.0,
sha256 manifests) whose payload ``data/`` holds:

- ``warc/*.warc.gz``: every request and response, WARC/1.1, as the crawler wrote them, and
  ``warc/index.cdxj``: their CDXJ index (cdxj-indexer), for replay tools such as pywb;
- ``archive.wacz``: the same WARCs packaged as WACZ 1.1 (``wacz`` package, offline), which
  ReplayWeb.page opens as it is;
- ``files/<aa>/<bb>/<sha256>``: every original page and attachment, named by its sha256;
- ``archive.db``: a consistent copy of the SQLite archive (SQLite's backup API);
- ``csv/<table>.csv``: every table of the archive as CSV (UTF-8, header row);
- ``manifest.csv``: one row per WARC and original (path, sha256, size, kind, the URLs it was
  fetched from and the reports parsed from it).

``verify_bundle(PATH)`` validates the bag (every checksum, no file missing or extra), reads
every record of every WARC with warcio, checking its digests, and validates the WACZ with
``wacz validate``. Everything runs offline.

Example::

    path = bundle("data")   # data/bundle/nianbao-raw-20240131T021500Z
    verify_bundle(path)     # raises BundleError on the first problem
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import bagit
from cdxj_indexer.main import write_cdx_index
from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator

from archive.db import copy_database

MANIFEST_COLUMNS = ("path", "sha256", "size", "kind", "urls", "reports")
DB_FILE = "archive.db"
WACZ_FILE = "archive.wacz"
CDXJ_FILE = "warc/index.cdxj"


class BundleError(Exception):
    """Nothing can be bundled, or a bundle does not verify; the message is the one-line reason."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _members(data: Path) -> Iterator[tuple[str, Path, str]]:
    """(path in bundle, file, kind) for every WARC file and every stored original."""
    for warc in sorted((data / "warc").glob("*.warc.gz")):
        yield f"warc/{warc.name}", warc, "warc"
    files = data / "files"
    for original in sorted(files.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*")):
        # the store's temporary names start with ".tmp-"; only finished files count
        if original.is_file() and len(original.name) == 64:
            yield original.relative_to(data).as_posix(), original, "file"


def _provenance(data: Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """URLs each sha256 was fetched from, and the reports parsed from it."""
    urls: dict[str, list[str]] = {}
    reports: dict[str, list[str]] = {}
    db_path = data / DB_FILE
    if not db_path.is_file():
        return urls, reports
    db = Database(db_path)
    try:
        if db["documents"].exists():
            for row in db.query(
                "select distinct sha256, url from documents where sha256 is not null order by url"
            ):
                urls.setdefault(row["sha256"], []).append(row["url"])
        if db["reports"].exists():
            for row in db.query(
                "select id, sha256 from reports where sha256 is not null order by id"
            ):
                reports.setdefault(row["sha256"], []).append(row["id"])
    finally:
        db.close()
    return urls, reports


def manifest_rows(data: str | Path) -> list[dict[str, object]]:
    """One manifest row per WARC and original, with its sha256 computed from the bytes.

    :param data: the data directory
    """
    data = Path(data)
    urls, reports = _provenance(data)
    rows = []
    for name, path, kind in _members(data):
        digest = _sha256(path)
        rows.append(
            {
                "path": name,
                "sha256": digest,
                "size": path.stat().st_size,
                "kind": kind,
                "urls": " ".join(urls.get(digest, [])),
                "reports": " ".join(reports.get(digest, [])),
            }
        )
    return rows


def _place(source: Path, target: Path) -> None:
    """Hard-link ``source`` into the bag where possible (same bytes, no copy), else copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def export_csv(db_path: Path, out: Path) -> list[str]:
    """Write every ordinary table of ``db_path`` as ``out/<table>.csv``; returns the tables.

    FTS indexes and their shadow tables are derived data and left out.
    """
    out.mkdir(parents=True, exist_ok=True)
    db = Database(db_path)
    try:
        fts = db.table_names(fts4=True) + db.table_names(fts5=True)
        tables = [
            t
            for t in db.table_names()
            if t not in fts and not any(t.startswith(f"{name}_") for name in fts)
        ]
        for table in tables:
            with (out / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(db[table].columns_dict)
                for row in db.execute(f"select * from [{table}]"):
                    writer.writerow(row)
    finally:
        db.close()
    return tables


def _wacz(warcs: list[Path], target: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wacz", "create", "-d", "-o", str(target), *map(str, warcs)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not target.is_file():
        lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        raise BundleError(f"bundle: wacz create failed: {lines[-1]}")


def bundle(data: str | Path, out: str | Path | None = None) -> Path:
    """Write the raw archive of ``data`` as a BagIt bag directory; returns its path.

    :param data: the data directory (``warc/``, ``files/``, ``archive.db``)
    :param out: the bag directory to write; default ``DATA/bundle/nianbao-raw-<UTC>``
    :raises BundleError: when there is neither a WARC file nor a stored original
    """
    data = Path(data)
    rows = manifest_rows(data)
    if not rows:
        raise BundleError(f"bundle: {data} holds no WARC files or originals; run make crawl first")
    now = datetime.datetime.now(datetime.UTC)
    target = Path(out) if out else data / "bundle" / f"nianbao-raw-{now:%Y%m%dT%H%M%SZ}"
    if target.exists():
        raise BundleError(f"bundle: {target} exists already")
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for row in rows:
        _place(data / str(row["path"]), partial / str(row["path"]))
    warcs = sorted((partial / "warc").glob("*.warc.gz"))
    if warcs:
        write_cdx_index(str(partial / CDXJ_FILE), [str(w) for w in warcs], {"sort": True})
        _wacz(warcs, partial / WACZ_FILE)
    if (data / DB_FILE).is_file():
        copy_database(data / DB_FILE, partial / DB_FILE)
        export_csv(partial / DB_FILE, partial / "csv")
    with (partial / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    bagit.make_bag(
        str(partial),
        bag_info={
            "Source-Organization": "nianbao",
            "External-Description": "Raw archive of annual reports on government information "
            "disclosure: WARC (with CDXJ index and WACZ), originals by sha256, SQLite, CSV",
            "Bagging-Date": now.date().isoformat(),
        },
        checksums=["sha256"],
    )
    # a crash never leaves a half-written bag under the final name
    partial.rename(target)
    return target


def _read_warc(path: Path) -> int:
    """Read every record of one WARC, checking digests; returns the number of records."""
    count = 0
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh, check_digests="raise"):
            record.content_stream().read()
            count += 1
    return count


def verify_bundle(path: str | Path) -> dict[str, int]:
    """Validate a bag written by :func:`bundle` and read every WARC record in it.

    :param path: the bag directory
    :returns: counts: ``files`` in the payload, ``warcs`` and ``records`` read
    :raises BundleError: on the first problem, with the reason
    """
    path = Path(path)
    try:
        bag = bagit.Bag(str(path))
        bag.validate(processes=1)
    except (bagit.BagError, bagit.BagValidationError) as exc:
        raise BundleError(f"verify-bundle: {path} is not a valid bag: {exc}") from exc
    counts = {"files": len(list(bag.payload_files())), "warcs": 0, "records": 0}
    for warc in sorted((path / "data" / "warc").glob("*.warc.gz")):
        try:
            counts["records"] += _read_warc(warc)
        except Exception as exc:  # warcio raises several types for a broken record
            raise BundleError(f"verify-bundle: {warc.name}: {type(exc).__name__}: {exc}") from exc
        counts["warcs"] += 1
    wacz = path / "data" / WACZ_FILE
    if wacz.is_file():
        result = subprocess.run(
            [sys.executable, "-m", "wacz", "validate", "-f", str(wacz)],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0 or "Validation succeeded" not in result.stdout:
            lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
            raise BundleError(f"verify-bundle: {WACZ_FILE} invalid: {lines[-1]}")
    return counts

"""``make bundle``: the downloadable raw archive, one tar file a journalist can verify offline.

The tar holds, under one top folder ``nianbao-raw-<UTC>/``:

- ``warc/*.warc.gz``: every request and response, WARC/1.1, as the crawler wrote them;
- ``files/<aa>/<bb>/<sha256>``: every original page and attachment, named by its sha256;
- ``manifest.csv``: one row per file (path, sha256, size, kind, the URLs it was fetched from and
  the reports parsed from it);
- ``SHA256SUMS``: ``sha256sum -c`` checks every file of the bundle.

Members are already compressed (gzipped WARCs, PDFs), so the tar itself is not.

Example::

    path = bundle("data")   # data/bundle/nianbao-raw-20240131T021500Z.tar
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import tarfile
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

MANIFEST_COLUMNS = ("path", "sha256", "size", "kind", "urls", "reports")


class BundleError(Exception):
    """Nothing can be bundled; the message is the one-line reason."""


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
    db_path = data / "archive.db"
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
    """One manifest row per file of the bundle, with its sha256 computed from the bytes.

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


def _text_member(tar: tarfile.TarFile, name: str, text: str, mtime: float) -> None:
    payload = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = int(mtime)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(payload))


def bundle(data: str | Path, out: str | Path | None = None) -> Path:
    """Write the raw archive of ``data`` as one tar; returns its path.

    :param data: the data directory (``warc/``, ``files/``, ``archive.db``)
    :param out: the tar to write; default ``DATA/bundle/nianbao-raw-<UTC>.tar``
    :raises BundleError: when there is neither a WARC file nor a stored original
    """
    data = Path(data)
    rows = manifest_rows(data)
    if not rows:
        raise BundleError(f"bundle: {data} holds no WARC files or originals; run make crawl first")
    now = datetime.datetime.now(datetime.UTC)
    top = f"nianbao-raw-{now:%Y%m%dT%H%M%SZ}"
    target = Path(out) if out else data / "bundle" / f"{top}.tar"
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = io.StringIO()
    writer = csv.DictWriter(manifest, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    sums = "".join(f"{r['sha256']}  {r['path']}\n" for r in rows)
    partial = target.with_name(f".{target.name}.partial")
    with tarfile.open(partial, "w") as tar:
        for row in rows:
            tar.add(data / str(row["path"]), arcname=f"{top}/{row['path']}", recursive=False)
        manifest_text = manifest.getvalue()
        _text_member(tar, f"{top}/manifest.csv", manifest_text, now.timestamp())
        manifest_sum = hashlib.sha256(manifest_text.encode("utf-8")).hexdigest()
        sums += f"{manifest_sum}  manifest.csv\n"
        _text_member(tar, f"{top}/SHA256SUMS", sums, now.timestamp())
    # a crash never leaves a half-written bundle under the final name
    partial.replace(target)
    return target

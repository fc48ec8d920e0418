"""Serve the archived original of a report: ``/-/files/<sha256>``, and one WARC record:
``/-/warc/<file>/<offset>`` (the gzip member of the record at that offset, itself a valid
one-record ``.warc.gz``).

Only a file that is in the store under a validated 64-hex sha256 is served; the URL never carries
a path. The store is ``files/`` next to the first database file (``DATA/files`` beside
``DATA/archive.db``). Originals are sent as downloads with a sandboxing CSP, so an archived HTML
page never runs in the archive's origin.
"""

from __future__ import annotations

import re
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response
from warcio.archiveiterator import ArchiveIterator

SHA256 = re.compile(r"^[0-9a-f]{64}$")
EXTENSIONS = {
    "application/pdf": ".pdf",
    "text/html": ".html",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/plain": ".txt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}


def store_path(root: Path, sha256: str) -> Path | None:
    """The stored file for ``sha256`` under ``root``, or ``None`` if invalid or absent.

    >>> store_path(Path("/nowhere"), "../etc/passwd") is None
    True
    """
    if not SHA256.match(sha256):
        return None
    path = root / sha256[:2] / sha256[2:4] / sha256
    return path if path.is_file() else None


def download_headers(sha256: str, content_type: str | None) -> dict[str, str]:
    """Headers that make the original a sandboxed download named after its sha256."""
    media = (content_type or "application/octet-stream").split(";")[0].strip().lower()
    return {
        "content-disposition": f'attachment; filename="{sha256}{EXTENSIONS.get(media, "")}"',
        "content-security-policy": "sandbox",
        "x-content-type-options": "nosniff",
        "cache-control": "public, max-age=31536000, immutable",
    }


def _store_root(datasette) -> Path | None:
    for db in datasette.databases.values():
        if db.path:
            return Path(db.path).parent / "files"
    return None


async def _content_type(datasette, sha256: str) -> str | None:
    for db in datasette.databases.values():
        if db.path and await db.table_exists("documents"):
            rows = await db.execute(
                "select content_type from documents where sha256 = ? and content_type is not null "
                "limit 1",
                [sha256],
            )
            if rows.first():
                return rows.first()[0]
    return None


async def serve_file(datasette, request):
    sha256 = request.url_vars["sha256"]
    root = _store_root(datasette)
    path = store_path(root, sha256) if root else None
    if path is None:
        return Response.text("no such file in the archive", status=404)
    content_type = await _content_type(datasette, sha256)
    return Response(
        path.read_bytes(),
        status=200,
        headers=download_headers(sha256, content_type),
        content_type=(content_type or "application/octet-stream"),
    )


WARC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.warc\.gz$")


def warc_record_bytes(path: Path, offset: int) -> bytes | None:
    """The raw bytes of the record starting at ``offset`` of ``path``, or ``None``."""
    with path.open("rb") as fh:
        fh.seek(offset)
        records = ArchiveIterator(fh)
        try:
            record = next(records)
        except (StopIteration, Exception):
            return None
        record.content_stream().read()
        records.read_to_end(record)
        length = records.member_info[1] if records.member_info else None
        fh.seek(offset)
        return fh.read(length) if length else None


async def serve_warc_record(datasette, request):
    name, offset = request.url_vars["name"], int(request.url_vars["offset"])
    root = _store_root(datasette)
    path = root.parent / "warc" / name if root and WARC_NAME.match(name) else None
    data = warc_record_bytes(path, offset) if path and path.is_file() else None
    if data is None:
        return Response.text("no such WARC record in the archive", status=404)
    return Response(
        data,
        status=200,
        headers={
            "content-disposition": f'attachment; filename="{name[:-8]}-{offset}.warc.gz"',
            "x-content-type-options": "nosniff",
        },
        content_type="application/warc",
    )


@hookimpl
def register_routes():
    return [
        (r"^/-/files/(?P<sha256>[0-9a-f]{64})$", serve_file),
        (r"^/-/warc/(?P<name>[^/]+)/(?P<offset>[0-9]{1,15})$", serve_warc_record),
    ]

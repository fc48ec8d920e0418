"""The raw archive bundle: WARC files, originals by sha256, a manifest, and checksums that verify."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from archive import crawldb
from archive.bundle import BundleError, bundle, manifest_rows
from archive.store import FileStore
from archive.warc import WarcWriter
from tests.helpers import REPO

PDF = b"%PDF-1.7 a report"
URL = "http://127.0.0.11/module/download/downfile.jsp?classid=0&filename=abc.pdf"


@pytest.fixture
def crawled(tmp_path: Path) -> tuple[Path, str]:
    """DATA after a tiny crawl: one WARC exchange, the original in the store, a documents row."""
    data = tmp_path / "data"
    sha = FileStore(data / "files").put(PDF)
    writer = WarcWriter(data / "warc")
    writer.write_exchange(
        url=URL,
        method="GET",
        request_headers=[],
        request_body=b"",
        status=200,
        response_headers=[("Content-Type", "application/pdf")],
        response_body=PDF,
    )
    writer.close()
    db = crawldb.open_db(data / "archive.db")
    db["documents"].insert(
        {"id": "d1", "url": URL, "sha256": sha, "content_type": "application/pdf"}
    )
    db.close()
    # a store temp file of an interrupted write is not part of the archive
    (data / "files" / sha[:2] / sha[2:4] / ".tmp-xyz").write_bytes(b"half")
    return data, sha


def test_manifest_rows(crawled):
    data, sha = crawled
    rows = manifest_rows(data)
    assert [r["kind"] for r in rows] == ["warc", "file"]
    original = rows[1]
    assert original["path"] == f"files/{sha[:2]}/{sha[2:4]}/{sha}"
    assert (original["sha256"], original["size"], original["urls"]) == (sha, len(PDF), URL)


def test_bundle_verifies(crawled, tmp_path):
    data, sha = crawled
    path = bundle(data)
    assert path.parent == data / "bundle" and path.suffix == ".tar"
    with tarfile.open(path) as tar:
        names = tar.getnames()
        top = names[0].split("/")[0]
        read = {n.removeprefix(top + "/"): tar.extractfile(n).read() for n in names}
    assert read[f"files/{sha[:2]}/{sha[2:4]}/{sha}"] == PDF
    assert not any(".tmp-" in n for n in read)
    sums = read["SHA256SUMS"].decode().splitlines()
    assert len(sums) == 3  # the WARC, the original, the manifest
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256(read[name]).hexdigest() == digest, name
    manifest = list(csv.DictReader(io.StringIO(read["manifest.csv"].decode())))
    assert [m["kind"] for m in manifest] == ["warc", "file"]
    assert manifest[1]["urls"] == URL


def test_bundle_cli_on_empty_data(tmp_path):
    with pytest.raises(BundleError, match="run make crawl first"):
        bundle(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "archive", "bundle", "--data", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1

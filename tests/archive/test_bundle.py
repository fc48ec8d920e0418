"""The raw archive bundle: a BagIt bag of WARCs (CDXJ, WACZ), originals, SQLite and CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import bagit
import pytest

from archive import crawldb
from archive.bundle import BundleError, bundle, manifest_rows, verify_bundle
from archive.store import FileStore
from archive.warc import WarcWriter
from tests.helpers import REPO, archive_get

PDF = b"%PDF-1.7 a report"
URL = "http://127.0.0.11/module/download/downfile.jsp?classid=0&filename=abc.pdf"


@pytest.fixture
def crawled(tmp_path: Path) -> tuple[Path, str]:
    """DATA after a tiny crawl: one WARC exchange, the original in the store, a documents row."""
    data = tmp_path / "data"
    sha = FileStore(data / "files").put(PDF)
    writer = WarcWriter(data / "warc")
    archive_get(writer, URL, "application/pdf", PDF)
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


def test_bundle_is_a_valid_bag(crawled):
    data, sha = crawled
    path = bundle(data)
    assert path.parent == data / "bundle" and path.name.startswith("nianbao-raw-")
    bag = bagit.Bag(str(path))
    assert bag.is_valid()
    assert bag.algorithms == ["sha256"]
    payload = path / "data"
    assert (payload / "files" / sha[:2] / sha[2:4] / sha).read_bytes() == PDF
    assert not any(".tmp-" in p for p in bag.payload_files())
    (warc,) = (payload / "warc").glob("*.warc.gz")
    # the bag's sha256 manifest lists every payload file with its digest
    digests = {name: entry["sha256"] for name, entry in bag.entries.items()}
    assert digests[f"data/warc/{warc.name}"] == hashlib.sha256(warc.read_bytes()).hexdigest()
    manifest = list(csv.DictReader(io.StringIO((payload / "manifest.csv").read_text())))
    assert [m["kind"] for m in manifest] == ["warc", "file"]
    assert manifest[1]["urls"] == URL
    # the CDXJ index names the URL; the WACZ holds the WARC and its own index
    cdxj = (payload / "warc" / "index.cdxj").read_text()
    assert "downfile.jsp" in cdxj and '"status": "200"' in cdxj
    with zipfile.ZipFile(payload / "archive.wacz") as wacz:
        names = wacz.namelist()
        assert f"archive/{warc.name}" in names
        assert "datapackage.json" in names and any(n.startswith("indexes/") for n in names)
        assert wacz.read(f"archive/{warc.name}") == warc.read_bytes()
    # the database and a CSV of each of its tables
    assert (payload / "archive.db").is_file()
    with (payload / "csv" / "documents.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["id"], r["sha256"]) for r in rows] == [("d1", sha)]


def test_verify_bundle_reads_every_record_and_catches_damage(crawled):
    data, sha = crawled
    path = bundle(data)
    assert verify_bundle(path) == {
        "files": len(list(bagit.Bag(str(path)).payload_files())),
        "warcs": 1,
        "records": 3,
    }
    result = subprocess.run(
        [sys.executable, "-m", "archive", "verify-bundle", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "3 records read from 1 WARC files" in result.stdout
    original = path / "data" / "files" / sha[:2] / sha[2:4] / sha
    original.unlink()
    original.write_bytes(PDF + b"tampered")
    with pytest.raises(BundleError, match="not a valid bag"):
        verify_bundle(path)


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

"""extract.batch over a tmp DATA dir: report_links from the crawler schema, files in the store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

import extract
from archive import crawldb
from archive.store import FileStore
from extract import batch
from tests.archive.sample import html_report, parsed_report
from tests.helpers import REPO

BROKEN_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\nxref\n0 3\n"


def make_data(tmp_path: Path, documents: list[tuple[str, bytes, str, str]]) -> Path:
    """A DATA dir whose report_links point at ``documents`` (id, bytes, content type, publisher)."""
    data = tmp_path / "data"
    store = FileStore(data / "files")
    db = crawldb.open_db(data / "archive.db")
    for report_id, body, content_type, publisher in documents:
        sha = store.put(body)
        ext = "pdf" if content_type == "application/pdf" else "html"
        db["report_links"].insert(
            {
                "id": report_id,
                "adcode": "990101",
                "region": "甲县",
                "publisher": publisher,
                "year": 2023,
                "title": f"{publisher}2023年政府信息公开工作年度报告",
                "url": f"http://127.0.0.11/art/2024/1/20/art_1_{report_id}.html",
                "published": "2024-01-20",
                "document_url": f"http://127.0.0.11/art/2024/1/20/{report_id}.{ext}",
                "document_sha256": sha,
                "content_type": content_type,
                "status": "online",
            }
        )
    db.close()
    return data


def stand_in_parse(path, *, content_type=None, hints=None):
    """A parser for the runner's own tests: fails on PDFs, reads hints for HTML."""
    body = Path(path).read_bytes()
    if body.startswith(b"%PDF"):
        raise ValueError("no /Root object\nsecond line")
    parsed = parsed_report(
        new=7, publisher=hints["publisher"], year=hints["year"], fail_balance=True
    )
    parsed["format"] = "html"
    return parsed


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr(extract, "parse_document", stand_in_parse, raising=False)
    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", "test-1", raising=False)


def _documents():
    return [
        (
            "r-html",
            html_report("甲县教育局").encode("utf-8"),
            "text/html; charset=utf-8",
            "甲县教育局",
        ),
        ("r-pdf", BROKEN_PDF, "application/pdf", "甲县财政局"),
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_runner_records_success_and_failure_and_goes_on(tmp_path, stand_in, workers):
    data = make_data(tmp_path, _documents())
    summary = batch.run(data, workers=workers)
    assert (summary.documents, summary.parsed, summary.failed, summary.reports) == (2, 1, 1, 1)
    assert summary.formats == {"html": 1, "failed": 1}
    db = Database(data / "archive.db")
    assert [r["id"] for r in db["reports"].rows] == ["r-html"]
    statuses = {r["status"]: r for r in db["extractions"].rows}
    assert set(statuses) == {"ok", "failed"}
    assert statuses["failed"]["error"] == "ValueError: no /Root object"
    errors = list(db["extract_errors"].rows)
    assert [(e["url"].rsplit("/", 1)[-1], e["reason"]) for e in errors] == [
        ("r-pdf.pdf", "ValueError: no /Root object")
    ]


def test_rerun_parses_nothing_new(tmp_path, stand_in):
    data = make_data(tmp_path, _documents())
    batch.run(data)
    again = batch.run(data)
    assert (again.documents, again.parsed, again.failed) == (0, 0, 0)


def test_new_extractor_version_reparses(tmp_path, stand_in, monkeypatch):
    data = make_data(tmp_path, _documents())
    batch.run(data)
    monkeypatch.setattr(extract, "EXTRACTOR_VERSION", "test-2", raising=False)
    again = batch.run(data)
    assert (again.documents, again.parsed, again.failed) == (2, 1, 1)
    assert Database(data / "archive.db")["reports"].get("r-html")["extractor_version"] == "test-2"


def test_missing_file_is_an_error_and_retried(tmp_path, stand_in):
    data = make_data(tmp_path, _documents()[:1])
    path = next((data / "files").rglob("*"), None)
    for f in (data / "files").rglob("*"):
        if f.is_file():
            f.unlink()
    assert path is not None
    summary = batch.run(data)
    assert (summary.missing, summary.parsed) == (1, 0)
    db = Database(data / "archive.db")
    assert db["extract_errors"].count == 1
    assert db["extractions"].count == 0  # so the next run tries again once the file is there


def test_summary_lines(tmp_path, stand_in):
    data = make_data(tmp_path, _documents())
    lines = batch.run(data).lines()
    assert lines[0] == "extract: 2 documents to parse (extractor version test-1)"
    assert "by format: failed 1, html 1" in lines[1]
    assert "parsed 1, failed 1" in lines[2]
    assert lines[3] == "  reports failing a check: requests_balance 1"


def test_cli_without_archive_exits_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "extract.batch", "--data", str(tmp_path / "nowhere")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"extract: {tmp_path / 'nowhere' / 'archive.db'} not found; run make crawl first"
    ]


@pytest.mark.skipif(
    not hasattr(extract, "parse_document"), reason="extract.parse_document is not built yet"
)
def test_real_extractor_over_html_and_broken_pdf(tmp_path):
    """The real extractor: the HTML report parses into its numbers, the broken PDF fails."""
    data = make_data(tmp_path, _documents())
    result = subprocess.run(
        [sys.executable, "-m", "extract.batch", "--data", str(data), "--workers", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "parsed 1, failed 1" in result.stdout
    db = Database(data / "archive.db")
    report = db["reports"].get("r-html")
    assert (report["form_version"], report["format"], report["year"]) == ("2021", "html", 2023)
    values = {
        (r["row"], r["applicant"]): r["value"]
        for r in db.query("select * from request_stats where report_id = 'r-html'")
    }
    assert values[("new_requests", "total")] == 7
    assert values[("partly_granted", "natural_person")] == 1
    printed = db.execute(
        "select printed from request_stats where report_id = 'r-html' "
        "and row = 'new_requests' and applicant = 'total'"
    ).fetchone()
    assert printed == ("7",)  # the cell text, from the extractor's provenance
    fees = db.execute(
        "select value from proactive_stats where report_id = 'r-html' and measure = 'amount_10k_yuan'"
    ).fetchone()
    assert fees == (12.5,)
    failed = db.execute("select reason from extract_errors").fetchall()
    assert len(failed) == 1 and failed[0][0]

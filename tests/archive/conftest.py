"""Fixtures: a real archive.db in a tmp dir, filled through archive.db.save_report."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.db import open_archive, save_report
from archive.derived import rebuild
from tests.archive.sample import parsed_report

LINKS = [
    # id, adcode, region, publisher, year, new requests, fail the balance check
    ("r-edu-2022", "990101", "甲县", "甲县教育局", 2022, 4, False),
    ("r-edu-2023", "990101", "甲县", "甲县教育局", 2023, 7, True),
    ("r-gov-2023", "990101", "甲县", "甲县人民政府", 2023, 30, False),
    ("r-fin-2023", "990102", "乙县", "乙县财政局", 2023, 2, False),
]


def link(report_id, adcode, region, publisher, year, sha="ab" * 32) -> dict:
    return {
        "id": report_id,
        "adcode": adcode,
        "region": region,
        "publisher": publisher,
        "year": year,
        "title": f"{publisher}{year}年政府信息公开工作年度报告",
        "url": f"http://127.0.0.11/art/{year}/{report_id}.html",
        "document_url": f"http://127.0.0.11/art/{year}/{report_id}.html",
        "published": f"{year + 1}-01-20",
        "document_sha256": sha,
    }


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def filled_archive(db_path: Path) -> Path:
    """Four reports in two counties, one failing requests_balance."""
    db = open_archive(db_path)
    for report_id, adcode, region, publisher, year, new, fail in LINKS:
        parsed = parsed_report(new=new, year=year, publisher=publisher, fail_balance=fail)
        save_report(
            db, link(report_id, adcode, region, publisher, year), parsed, extractor_version="t1"
        )
    rebuild(db)
    db.close()
    return db_path


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    """DATA built from the sample web (WARC, store, crawl tables, extraction) plus a hostile
    report; shared by every test of the session."""
    pytest.importorskip("sampleweb.generate")
    from tests.archive.published import add_hostile_report, build_sample_data

    data = tmp_path_factory.mktemp("published")
    truths = build_sample_data(tmp_path_factory.mktemp("sampleweb-root"), data)
    add_hostile_report(data)
    return data, truths


@pytest.fixture(scope="session")
def server(published):
    """A real ``python -m archive serve --public`` process over :func:`published`."""
    from tests.archive.published import Server

    running = Server(published[0])
    yield running
    running.stop()


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    """DATA of the serve benchmark's generated archive (400 reports, 2,400 sections of report
    prose): real schema, derived tables, stamp; more matches of 公开 than a search window."""
    from bench.serve import build_archive

    data = tmp_path_factory.mktemp("generated") / "data"
    build_archive(data, 400)
    return data


@pytest.fixture(scope="session")
def big(generated):
    """A real ``python -m archive serve --public`` process over :func:`generated`."""
    from tests.archive.published import Server

    running = Server(generated)
    yield running
    running.stop()

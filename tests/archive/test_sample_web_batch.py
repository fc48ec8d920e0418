"""The batch over every document of the sample web reproduces its truth, cell by cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

import extract
from archive.db import STATS_TABLES
from sampleweb.crossyear import failing_by_report

generate = pytest.importorskip("sampleweb.generate").generate
pytestmark = pytest.mark.skipif(
    not hasattr(extract, "parse_document"), reason="extract.parse_document is not built yet"
)


@pytest.fixture(scope="module")
def sample_archive(published) -> tuple[Path, dict[str, dict]]:
    """DATA with one report_links row per sample-web document, extracted by the real batch
    (the session's :func:`tests.archive.conftest.published`, built once)."""
    return published


def test_reports_match_truth(sample_archive):
    data, truths = sample_archive
    db = Database(data / "archive.db")
    got = {
        r["id"]: (r["publisher"], r["year"], r["format"], r["form_version"])
        for r in db["reports"].rows
        if r["id"] in truths
    }
    assert got == {
        rid: (t["publisher"], t["year"], t["format"], t["form_version"])
        for rid, t in truths.items()
    }


@pytest.mark.parametrize("table", STATS_TABLES)
def test_every_cell_matches_truth(sample_archive, table):
    """Printed blanks (truth null) are stored 0 with blank = 1; everything else as printed."""
    data, truths = sample_archive
    a, b = STATS_TABLES[table]
    db = Database(data / "archive.db")
    got = {(r["report_id"], r[a], r[b]): (r["value"], r["blank"]) for r in db[table].rows}
    expected = {
        (rid, x, y): ((0, 1) if v is None else (v, 0))
        for rid, t in truths.items()
        for x, y, v in t[table]
    }
    assert {k: got.get(k) for k in expected} == expected


def test_failing_checks_match_truth(sample_archive):
    data, truths = sample_archive
    db = Database(data / "archive.db")
    got = {
        (r["report_id"], r["check"], r["scope"])
        for r in db.query('select report_id, "check", scope from checks where passed = 0')
    }
    expected = {(rid, c, s) for rid, t in truths.items() for c, s, *_ in t["failing_checks"]}
    # the archive's cross-year checks (carried_out of N vs carried_in of N+1) fail too
    expected |= {(rid, c, s) for rid, fails in failing_by_report(truths).items() for c, s in fails}
    assert expected, "the sample web should hold reports with arithmetic errors"
    assert got == expected

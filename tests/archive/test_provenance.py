"""Every stored number keeps where it came from: page, printed text, label, score and PDF box."""

from __future__ import annotations

import io
import json

import pdfplumber
import pytest
from sqlite_utils import Database

from archive.db import STATS_TABLES, open_archive, save_report
from extract import parse_bytes
from extract.labels import THRESHOLD
from extract.template import REQUEST_ROWS
from tests.archive.conftest import link

sampleweb = pytest.importorskip("sampleweb")
from sampleweb.counties import COUNTIES, YEARS  # noqa: E402
from sampleweb.render_pdf import FontMissing, report_pdf  # noqa: E402
from sampleweb.reportdata import build_report  # noqa: E402

PROVENANCE = ("label", "score", "bbox")


@pytest.fixture(scope="module")
def sample_pdf():
    """A real sample-web PDF report (index 1 of a county renders as PDF) and its truth."""
    county = COUNTIES[0]
    report = build_report(county, county.organs[0], YEARS[-1], index=1)
    assert report.style.fmt == "pdf"
    try:
        return report, report_pdf(report)
    except FontMissing as err:
        pytest.skip(str(err))


def test_pdf_cell_provenance_is_stored(db_path, sample_pdf):
    report, data = sample_pdf
    db = open_archive(db_path)
    save_report(
        db, link("r-pdf", "990101", "甲县", report.publisher, report.year), parse_bytes(data)
    )
    row = next(
        db.query(
            "select * from request_stats where report_id = 'r-pdf'"
            " and row = 'new_requests' and applicant = 'natural_person'"
        )
    )
    truth = report.requests[("new_requests", "natural_person")]
    assert row["value"] == truth
    assert row["printed"] == str(truth)
    assert row["page"] == 1
    zh = next(c.zh for c in REQUEST_ROWS if c.code == "new_requests")
    assert zh in row["label"]
    assert THRESHOLD < row["score"] <= 1.0
    x0, top, x1, bottom = json.loads(row["bbox"])
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[row["page"] - 1]
        assert 0 <= x0 < x1 <= page.width and 0 <= top < bottom <= page.height
        # the box holds exactly the printed text: it is in the page's top-left coordinates
        assert page.crop((x0, top, x1, bottom)).extract_text().strip() == str(truth)
    # every number of the report carries its provenance
    for table in STATS_TABLES:
        missing = db.execute(
            f"select count(*) from {table} where report_id = 'r-pdf'"
            " and (label is null or score is null or bbox is null or page is null)"
        ).fetchone()[0]
        assert missing == 0, table
        assert db[table].count > 0


def test_non_pdf_cells_have_no_box(db_path):
    db = open_archive(db_path)
    parsed = {
        "request_stats": [["new_requests", "total", 5]],
        "cells": [
            {
                "table": "requests",
                "codes": ["new_requests", "total"],
                "page": None,
                "text": "5",
                "label": "一、本年新收政府信息公开申请数量",
                "score": 0.97,
                "bbox": None,
            }
        ],
    }
    save_report(db, link("r-html", "990101", "甲县", "甲县教育局", 2023), parsed)
    row = next(db.query("select label, score, bbox, printed from request_stats"))
    assert row == {
        "label": "一、本年新收政府信息公开申请数量",
        "score": 0.97,
        "bbox": None,
        "printed": "5",
    }


def test_open_archive_adds_provenance_columns_to_an_old_archive(db_path):
    # an archive written before the provenance columns existed
    old = Database(db_path)
    old["reports"].create({"id": str, "year": int}, pk="id", strict=True)
    for table, (a, b) in STATS_TABLES.items():
        old[table].create(
            {
                "report_id": str,
                a: str,
                b: str,
                "value": "ANY",
                "blank": int,
                "printed": str,
                "page": int,
            },
            pk=("report_id", a, b),
            strict=True,
        )
    old["reports"].insert({"id": "r-old", "year": 2020})
    old["request_stats"].insert(
        {"report_id": "r-old", "row": "new_requests", "applicant": "total", "value": 3}
    )
    old.close()

    db = open_archive(db_path)
    for table in STATS_TABLES:
        assert set(PROVENANCE) <= set(db[table].columns_dict), table
    assert db["request_stats"].columns_dict["score"] is float
    old_row = next(db.query("select value, label, bbox from request_stats"))
    assert old_row == {"value": 3, "label": None, "bbox": None}
    save_report(
        db,
        link("r-new", "990101", "甲县", "甲县教育局", 2023),
        {
            "request_stats": [["new_requests", "total", 5]],
            "cells": [
                {
                    "table": "requests",
                    "codes": ["new_requests", "total"],
                    "page": 2,
                    "text": "5",
                    "label": "本年新收",
                    "score": 0.9,
                    "bbox": [10, 20, 30, 40],
                }
            ],
        },
    )
    new_row = next(db.query("select page, label, score, bbox from request_stats where value = 5"))
    assert new_row == {
        "page": 2,
        "label": "本年新收",
        "score": 0.9,
        "bbox": "[10.0, 20.0, 30.0, 40.0]",
    }

"""The PDF reports: embedded CJK text and ruled tables that pdfplumber can read."""

from __future__ import annotations

import pdfplumber
import pytest

from extract.template import APPLICANTS
from sampleweb import render_pdf


@pytest.fixture(scope="module")
def pdf_report(truth):
    return next(r for r in truth["reports"] if r["format"] == "pdf" and r["form_version"] == "2021")


def test_text_is_extractable_chinese(tree, pdf_report):
    with pdfplumber.open(tree / pdf_report["file"]) as pdf:
        text = "\n".join(p.extract_text() for p in pdf.pages)
        fonts = {c["fontname"] for p in pdf.pages for c in p.chars}
    assert "本年新收政府信息公开申请数量" in text
    assert pdf_report["title"] in text
    assert fonts and all("WenQuanYiZenHei" in f for f in fonts)


def test_table_three_grid_is_found(tree, pdf_report):
    values = {(a, b): v for a, b, v in pdf_report["request_stats"]}
    expected = [
        "" if values["new_requests", a.code] is None else str(values["new_requests", a.code])
        for a in APPLICANTS
    ]
    with pdfplumber.open(tree / pdf_report["file"]) as pdf:
        tables = [t for p in pdf.pages for t in p.extract_tables()]
    grid = next(t for t in tables if any("申请人情况" in (c or "") for c in t[0]))
    # a table broken across pages loses the label columns' inner rules on the first page
    assert len(grid[0]) in (8, 10)
    new_row = next(row for row in grid if "本年新收" in (row[0] or "").replace(" ", ""))
    assert [c or "" for c in new_row[-7:]] == expected


def test_missing_font_names_the_debian_package(monkeypatch, tmp_path):
    monkeypatch.setattr(render_pdf, "_FONT_DIRS", (str(tmp_path),))
    with pytest.raises(render_pdf.FontMissing, match="fonts-wqy-zenhei"):
        render_pdf.find_font()

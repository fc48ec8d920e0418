"""Scanned PDFs and images: the ruled grid from the page image, then OCR against the truth."""

import subprocess
import sys

import cv2
import numpy as np
import pytest

from bench.scans import scanned_pdf, scanned_png
from extract import parse_bytes
from extract.evaluate import compare
from extract.readers.grid import deskew, find_tables, skew_angle

sampleweb = pytest.importorskip("sampleweb")
from sampleweb.counties import COUNTIES  # noqa: E402
from sampleweb.render_pdf import report_pdf  # noqa: E402
from sampleweb.reportdata import build_report  # noqa: E402


def ruled_page(angle: float = 0.0) -> np.ndarray:
    """A 3 x 4 table at 200 dpi: a header merged across 3 columns, a label merged down 2 rows."""
    page = np.full((900, 1400), 240, np.uint8)
    xs, ys = [100, 400, 600, 800, 1000], [100, 160, 220, 280]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 2)
    for x in (xs[0], xs[-1]):
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 2)
    cv2.line(page, (xs[1], ys[0]), (xs[1], ys[-1]), 0, 2)
    for x in xs[2:4]:
        cv2.line(page, (x, ys[1]), (x, ys[-1]), 0, 2)  # the header above is one merged cell
    # the label cell spans rows 2 and 3: its middle line stops at the label column
    cv2.line(page, (xs[0], ys[2]), (xs[1], ys[2]), 255, 4)
    cv2.putText(page, "12", (680, 260), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    if angle:
        matrix = cv2.getRotationMatrix2D((700, 450), angle, 1.0)
        page = cv2.warpAffine(page, matrix, (1400, 900), borderValue=240)
    return page


@pytest.mark.parametrize("angle", [0.0, 0.8, -0.6])
def test_grid_from_ruling_lines(angle):
    page = ruled_page(angle)
    assert skew_angle(page) == pytest.approx(-angle, abs=0.1)
    (table,) = find_tables(deskew(page))
    assert (table.rows, table.cols) == (3, 4)
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in table.cells}
    assert spans == {
        (0, 0): (1, 1),
        (0, 1): (1, 3),
        (1, 0): (2, 1),
        (1, 1): (1, 1),
        (1, 2): (1, 1),
        (1, 3): (1, 1),
        (2, 1): (1, 1),
        (2, 2): (1, 1),
        (2, 3): (1, 1),
    }


def test_html_and_pdf_parsing_do_not_load_the_ocr_stack():
    code = (
        "import sys, extract; extract.parse_bytes('<p>年度报告</p>'.encode());"
        "print(sorted(m for m in ('cv2', 'onnxruntime', 'rapidocr') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture(scope="module")
def report():
    r = build_report(COUNTIES[1], COUNTIES[1].organs[1], 2022)
    return r, report_pdf(r)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("make", "fmt"), [(scanned_pdf, "pdf_scanned"), (scanned_png, "image")], ids=["pdf", "png"]
)
def test_scanned_report_against_truth(report, make, fmt):
    r, pdf = report
    truth = r.truth()
    got = parse_bytes(make(pdf, seed="test"))
    assert got["format"] == fmt
    right, total, misses = compare(truth, got)
    assert total == 200
    assert right / total >= 0.97, misses
    assert got["form_version"] == truth["form_version"]
    assert got["sections"] == truth["sections"]
    assert (got["publisher"], got["year"]) == (truth["publisher"], truth["year"])
    # the largest table: table 三 has every one of its 25 x 7 cells
    assert len(got["request_stats"]) == 175

"""Memory stays bounded on a 500-page PDF: a real report followed by 498 pages of filler."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time

import pypdfium2
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

sampleweb = pytest.importorskip("sampleweb")
from sampleweb.counties import COUNTIES, YEARS  # noqa: E402
from sampleweb.render_pdf import FontMissing, register_font, report_pdf  # noqa: E402
from sampleweb.reportdata import build_report  # noqa: E402

PAGES = 500
#: peak RSS of ``python -m extract`` on the 500-page file, in MiB; measured about 110 (see the
#: test), so this bound catches memory that grows with the page count
PEAK_MIB = 400
#: a word of filler text; no template words, so filler tables are not read as statistics
FILLER = "附件说明本页为目录与附录内容仅供参考"


def filler_pdf(pages: int, font: str) -> bytes:
    """``pages`` pages of text lines, every fifth with a ruled 6 x 4 table of numbers."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    for no in range(pages):
        c.setFont(font, 10)
        for line in range(40):
            c.drawString(60, height - 60 - line * 14, f"{FILLER} {no}-{line} " + FILLER * 2)
        if no % 5 == 0:
            xs = [60 + 120 * i for i in range(5)]
            ys = [200 + 20 * i for i in range(7)]
            for y in ys:
                c.line(xs[0], y, xs[-1], y)
            for x in xs:
                c.line(x, ys[0], x, ys[-1])
            for i in range(6):
                for j in range(4):
                    c.drawString(xs[j] + 5, ys[i] + 6, str(no * 100 + i * 4 + j))
        c.showPage()
    c.save()
    return out.getvalue()


def long_pdf(report_bytes: bytes, pages: int) -> bytes:
    """The report's pages followed by filler up to ``pages`` pages, merged with pdfium."""
    report = pypdfium2.PdfDocument(report_bytes)
    filler = pypdfium2.PdfDocument(filler_pdf(pages - len(report), register_font()))
    report.import_pages(filler)
    out = io.BytesIO()
    report.save(out)
    count = len(report)
    filler.close()
    report.close()
    assert count == pages
    return out.getvalue()


# run the parse in a child of a fresh interpreter so RUSAGE_CHILDREN holds only that parse
_MEASURE = """
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-m", "extract", sys.argv[1], "--json"],
                      capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": done.returncode, "peak_kib": peak, "stderr": done.stderr[-2000:]}))
sys.stdout.write(done.stdout)
"""


@pytest.mark.slow
def test_500_page_pdf_parses_in_bounded_memory(tmp_path):
    county = COUNTIES[0]
    report = build_report(county, county.organs[0], YEARS[-1], index=1)
    started = time.monotonic()
    try:
        data = long_pdf(report_pdf(report), PAGES)
    except FontMissing as err:
        pytest.skip(str(err))
    path = tmp_path / "long.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True
    )
    elapsed = time.monotonic() - started
    status, _, output = done.stdout.partition("\n")
    measured = json.loads(status)
    assert measured["rc"] == 0, measured["stderr"]
    peak_mib = measured["peak_kib"] / 1024
    print(f"500-page PDF: peak RSS {peak_mib:.0f} MiB, {elapsed:.1f} s")
    assert peak_mib < PEAK_MIB
    parsed = json.loads(output)
    truth = report.truth()
    for table in ("proactive_stats", "request_stats", "appeal_stats"):
        assert sorted(map(tuple, parsed[table])) == sorted(map(tuple, truth[table])), table
    assert parsed["form_version"] == truth["form_version"]
    # the filler's ruled tables hold no template words, so none of their numbers is stored
    assert {c["page"] for c in parsed["cells"]} <= {1, 2, 3}

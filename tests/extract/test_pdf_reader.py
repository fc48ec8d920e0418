"""The PDF reader: ruled tables with merged cells, page stitching, scanned PDFs."""

import io

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from extract import UnsupportedDocument, parse_bytes
from extract.readers.pdf import read_pdf


def ruled_pdf(rows, spans=(), repeat=1):
    buf = io.BytesIO()
    story = []
    for _ in range(repeat):
        table = Table(rows)
        style = [("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]
        style += [("SPAN", a, b) for a, b in spans]
        table.setStyle(TableStyle(style))
        story.append(table)
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()


def test_merged_cells_get_their_origin_and_bbox():
    data = ruled_pdf(
        [["head", "", "x"], ["", "", "1"], ["a", "b", "2"]],
        spans=[((0, 0), (1, 1))],  # a 2x2 merged cell
    )
    grid = read_pdf(data).grids[0]
    assert [[c.text for c in row] for row in grid.rows] == [
        ["head", "head", "x"],
        ["head", "head", "1"],
        ["a", "b", "2"],
    ]
    assert grid.rows[1][1].origin == (0, 0)
    assert grid.rows[2][2].page == 1 and grid.rows[2][2].bbox is not None
    assert [c.text for c in grid.distinct(1)] == ["head", "1"]


def test_table_continued_on_next_page_is_stitched():
    rows = [[f"row{i}", str(i), str(i * 2)] for i in range(70)]
    doc = read_pdf(ruled_pdf(rows))
    assert len(doc.grids) == 1
    grid = doc.grids[0]
    assert len(grid.rows) == 70
    assert {c.page for row in grid.rows for c in row} == {1, 2}
    assert [c.text for c in grid.distinct(69)] == ["row69", "69", "138"]


def test_scanned_pdf_raises_a_clear_error():
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.rect(100, 100, 300, 300, fill=1)  # an image-like page with no text
    c.showPage()
    c.save()
    with pytest.raises(UnsupportedDocument, match="scanned PDF"):
        parse_bytes(buf.getvalue())


def test_vector_rulings_and_pdfplumber_give_the_same_grid(monkeypatch):
    data = ruled_pdf([["head", "", "x"], ["", "", "1"], ["a", "b", "2"]], spans=[((0, 0), (1, 1))])
    texts = lambda g: [[(c.text, c.origin) for c in row] for row in g.rows]  # noqa: E731
    vector_grid = read_pdf(data).grids[0]
    # a page whose rulings pdfium's paths do not give is read by pdfplumber instead
    monkeypatch.setattr("extract.readers.vector.page_tables", lambda page, textpage: [])
    fallback_grid = read_pdf(data).grids[0]
    assert texts(vector_grid) == texts(fallback_grid)
    assert texts(vector_grid)[2] == [("a", (2, 0)), ("b", (2, 1)), ("2", (2, 2))]


def test_two_tables_on_a_page_are_snapped_apart():
    # columns 3 pt apart in two tables on one page must not split each other's cells
    buf = io.BytesIO()
    story = []
    for widths in ((100, 100), (103, 97)):
        table = Table([["a", "1"], ["b", "2"]], colWidths=widths)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, (0, 0, 0))]))
        story += [table, Table([[" "]])]
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    grids = read_pdf(buf.getvalue()).grids
    assert [[[c.text for c in row] for row in g.rows] for g in grids] == [
        [["a", "1"], ["b", "2"]],
        [["a", "1"], ["b", "2"]],
    ]


def test_section_text_is_the_prose_without_the_tables_cells():
    from sampleweb.counties import COUNTIES
    from sampleweb.narrative import paragraphs
    from sampleweb.render_pdf import report_pdf
    from sampleweb.reportdata import build_report

    report = build_report(COUNTIES[0], COUNTIES[0].organs[1], 2023)
    result = parse_bytes(report_pdf(report), content_type="application/pdf")
    texts = {code: text.replace("\n", "") for code, text in result["section_texts"].items()}
    prose = {code: "".join(lines) for code, lines in paragraphs(report).items()}
    # the prose, whole, and nothing of the tables but the captions of the proactive table's
    # parts (a row that is one cell across is kept: on real reports such rows can be prose)
    captions = "".join(f"第二十条第（{n}）项" for n in ("一", "五", "六", "八"))
    assert texts == prose | {"proactive": captions}
    # and the tables themselves are read as before
    assert all(len(result[t]) > 5 for t in ("proactive_stats", "request_stats", "appeal_stats"))
    assert result["checks"] and all(passed for _, _, passed, _ in result["checks"])

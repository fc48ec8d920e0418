"""The DOCX reader: table 三 laid out from the template with gridSpan and vMerge merges."""

import io

import docx
import pytest

from extract import ExtractError, parse_bytes
from extract.readers import grid_from_spans
from extract.readers.docx import read_docx
from extract.template import APPLICANTS, request_rows

ROWS = request_rows("2021")
LABEL_COLS = 3


def value(r: int, a: int) -> int:
    return 100 * r + a + 1


def table_three_spans() -> list[tuple[int, int, int, int, str]]:
    """Table 三 as printed cells: 3 header rows, parents merged down, leaves merged across."""
    orgs = [a for a in APPLICANTS if a.parents]
    spans = [
        (
            0,
            0,
            3,
            LABEL_COLS,
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        ),
        (0, LABEL_COLS, 1, len(APPLICANTS), "申请人情况"),
        (1, LABEL_COLS, 2, 1, APPLICANTS[0].zh),
        (1, LABEL_COLS + 1, 1, len(orgs), orgs[0].parents[0]),
        (1, LABEL_COLS + 1 + len(orgs), 2, 1, APPLICANTS[-1].zh),
    ]
    spans += [(2, LABEL_COLS + 1 + i, 1, 1, a.zh) for i, a in enumerate(orgs)]
    top = 3
    for depth in (1, 2):
        # a parent cell covers the consecutive rows that print it at this depth
        i = 0
        while i < len(ROWS):
            parents = ROWS[i].parents
            if len(parents) < depth:
                i += 1
                continue
            j = i
            while j < len(ROWS) and ROWS[j].parents[:depth] == parents[:depth]:
                j += 1
            spans.append((top + i, depth - 1, j - i, 1, parents[depth - 1]))
            i = j
    for i, row in enumerate(ROWS):
        col = len(row.parents)
        spans.append((top + i, col, 1, LABEL_COLS - col, row.zh))
        spans += [(top + i, LABEL_COLS + a, 1, 1, str(value(i, a))) for a in range(len(APPLICANTS))]
    return spans


def docx_bytes(spans) -> bytes:
    document = docx.Document()
    document.add_paragraph("某县财政局2022年政府信息公开工作年度报告")
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    height = max(r + rs for r, _, rs, _, _ in spans)
    width = max(c + cs for _, c, _, cs, _ in spans)
    table = document.add_table(rows=height, cols=width)
    for r, c, rs, cs, text in spans:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        cell.text = text
    document.add_paragraph("五、存在的主要问题及改进情况")
    document.add_paragraph("无。")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def table_three():
    spans = table_three_spans()
    return spans, docx_bytes(spans)


def test_merged_cells_become_one_printed_cell(table_three):
    spans, data = table_three
    grid = read_docx(data).grids[0]
    want = grid_from_spans(spans)
    assert [[c.text for c in row] for row in grid.rows] == [
        [c.text for c in row] for row in want.rows
    ]
    assert [[c.origin for c in row] for row in grid.rows] == [
        [c.origin for c in row] for row in want.rows
    ]
    # （三）不予公开 is printed once (vMerge), though python-docx repeats it in 8 rows
    assert len({c.origin for row in grid.rows for c in row if c.text == "（三）不予公开"}) == 1
    assert grid.rows[3 + 4][0].origin == (3 + 2, 0)  # 三、本年度办理结果 from its first row


def test_every_number_of_table_three(table_three):
    _, data = table_three
    result = parse_bytes(data)
    assert result["format"] == "docx"
    assert result["form_version"] == "2021"
    assert (result["publisher"], result["year"]) == ("某县财政局", 2022)
    assert result["sections"] == {
        "requests": "三、收到和处理政府信息公开申请情况",
        "problems": "五、存在的主要问题及改进情况",
    }
    want = [
        [row.code, applicant.code, value(i, a)]
        for i, row in enumerate(ROWS)
        for a, applicant in enumerate(APPLICANTS)
    ]
    assert sorted(result["request_stats"]) == sorted(want)
    assert len(result["request_stats"]) == len(ROWS) * len(APPLICANTS) == 175


def test_gridbefore_and_damaged_packages():
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "a", "b"
    tr = table.rows[0]._tr
    tr.remove(tr.tc_lst[0])
    tr_pr = tr.get_or_add_trPr()
    before = tr_pr.makeelement(docx.oxml.ns.qn("w:gridBefore"), {docx.oxml.ns.qn("w:val"): "1"})
    tr_pr.append(before)
    buf = io.BytesIO()
    document.save(buf)
    grid = read_docx(buf.getvalue()).grids[0]
    assert [[c.text for c in row] for row in grid.rows] == [["", "b"]]
    assert grid.rows[0][1].origin == (0, 1)
    with pytest.raises(ExtractError, match="DOCX"):
        parse_bytes(b"PK\x03\x04 word/ [Content_Types] not a zip")

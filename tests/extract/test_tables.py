"""Grids → tables by code: headers, blocks, template versions."""

from extract.readers.html import read_html
from extract.tables import map_tables
from extract.template import APPLICANTS, appeal_cells, request_rows


def html_table(rows):
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return read_html(f"<table>{body}</table>".encode()).grids


def test_applicant_columns_follow_the_printed_header():
    order = ["总计", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    grids = html_table([["", *order], ["一、本年新收政府信息公开申请数量", 9, 1, 2, 3, 0, 0, 3]])
    stats = {a: v for _, a, v in map_tables(grids).requests}
    assert stats == {
        "total": 9,
        "natural_person": 1,
        "business": 2,
        "research": 3,
        "public_interest": 0,
        "legal_services": 0,
        "other_org": 3,
    }


def test_without_header_the_template_order_is_used():
    grids = html_table([["（七）总计", 1, 0, 0, 0, 0, 0, 1]])
    assert map_tables(grids).requests[-1] == ["handled_total", "total", 1]
    assert [a for _, a, _ in map_tables(grids).requests] == [a.code for a in APPLICANTS]


def test_appeals_as_one_row_of_15_with_blanks():
    values = ["1", "", "", "", "1"] + [""] * 10
    grids = html_table([["行政复议", "行政诉讼"], values])
    out = map_tables(grids)
    assert out.appeals[0] == ["review", "upheld", 1]
    assert out.appeals[1] == ["review", "corrected", 0]
    assert [(p, r) for p, r, _ in out.appeals] == appeal_cells()
    assert "blank" in out.cells[1]["flags"]


def test_2021_report_with_2019_other_handling_row_and_form_from_labels():
    rows = [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], ["规章", 1, 0, 5]]
    rows += [[r.zh, 0, 0, 0, 0, 0, 0, 0] for r in request_rows("2021")[:19]]
    rows += [["（六）其他处理", 1, 0, 0, 0, 0, 0, 1]]
    out = map_tables(html_table(rows))
    assert out.form_version() == "2021"
    assert ["other_handling", "total", 1] in out.requests
    assert out.proactive == [
        ["rules", "issued", 1],
        ["rules", "repealed", 0],
        ["rules", "in_force", 5],
    ]


def test_measures_follow_printed_cells_not_misaligned_colspans():
    html = """<table>
    <tr><td>信息内容</td><td>上一年项目数量</td><td colspan="2">本年增/减</td><td>处理决定数量</td></tr>
    <tr><td>行政许可</td><td colspan="2">7</td><td>-1</td><td>30</td></tr></table>"""
    out = map_tables(read_html(html.encode()).grids)
    assert out.proactive == [
        ["licensing", "prior_items", 7],
        ["licensing", "change", -1],
        ["licensing", "decisions", 30],
    ]
    assert out.form_version() == "2019"


def test_provenance_keeps_printed_text_and_label():
    grids = html_table(
        [["信息内容", "采购项目数量", "采购总金额"], ["政府集中采购", "6", "251000元"]]
    )
    out = map_tables(grids)
    assert out.proactive[-1] == ["procurement", "amount_10k_yuan", 25.1]
    cell = out.cells[-1]
    assert cell["text"] == "251000元" and cell["label"] == "政府集中采购"
    assert cell["codes"] == ["procurement", "amount_10k_yuan"] and "yuan" in cell["flags"]


def test_appeals_printed_one_row_per_proceeding():
    rows = [
        ["", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
        ["行政复议", 1, 0, 0, 1, 2],
        ["未经复议直接起诉", 0, 0, 0, 0, 0],
        ["复议后起诉", "", "", "", "", ""],
    ]
    out = map_tables(html_table(rows))
    assert [(p, r) for p, r, _ in out.appeals] == appeal_cells()
    assert out.appeals[3] == ["review", "pending", 1]


def test_label_cells_that_also_print_their_headings():
    rows = [
        ["三、本年度办理结果（一）予以公开", 1, 0, 0, 0, 0, 0, 1],
        ["（三）不予公开 1.属于国家秘密", 2, 0, 0, 0, 0, 0, 2],
        ["2.其他法律行政法规禁止公开", 3, 0, 0, 0, 0, 0, 3],
        ["（四）无法提供 2.没有现成信息需要另行制作", 4, 0, 0, 0, 0, 0, 4],
    ]
    totals = [r for r in map_tables(html_table(rows)).requests if r[1] == "total"]
    assert totals == [
        ["granted", "total", 1],
        ["denied_state_secret", "total", 2],
        ["denied_prohibited", "total", 3],
        ["unable_needs_creation", "total", 4],
    ]

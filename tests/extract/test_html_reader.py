"""The HTML reader: rowspan/colspan expanded into a true grid, nested markup, encodings."""

from extract.readers.html import decode_html, read_html


def texts(grid):
    return [[c.text for c in row] for row in grid.rows]


def test_rowspan_and_colspan_make_a_rectangle_with_origins():
    html = b"""<table>
      <tr><td rowspan="2" colspan="2">head</td><td>a</td></tr>
      <tr><td>b</td></tr>
      <tr><td>c</td><td colspan="2">d</td></tr>
    </table>"""
    grid = read_html(html).grids[0]
    assert texts(grid) == [["head", "head", "a"], ["head", "head", "b"], ["c", "d", "d"]]
    assert grid.rows[1][1].origin == (0, 0)
    assert grid.rows[2][2].origin == (2, 1)
    assert [c.text for c in grid.distinct(1)] == ["head", "b"]


def test_rowspan_carries_row_headers_into_later_rows():
    html = """<table><tbody>
      <tr><td rowspan="3">三、本年度办理结果</td><td rowspan="2">（三）不予公开</td>
          <td>1.属于国家秘密</td><td>4</td></tr>
      <tr><td>2.其他法律行政法规禁止公开</td><td>0</td></tr>
      <tr><td>（四）无法提供</td><td>1.本机关不掌握相关政府信息</td><td>7</td></tr>
    </tbody></table>""".encode()
    grid = read_html(html).grids[0]
    assert [c.text for c in grid.distinct(1)] == [
        "三、本年度办理结果",
        "（三）不予公开",
        "2.其他法律行政法规禁止公开",
        "0",
    ]
    assert [c.text for c in grid.distinct(2)][1] == "（四）无法提供"


def test_word_export_markup_nested_spans_and_nbsp():
    html = """<table class=MsoNormalTable><tr>
      <td><p class=MsoNormal><span lang=EN-US>本年新</span><span>制作数量</span></p></td>
      <td><p class=MsoNormal><span>&nbsp;</span></p></td>
      <td><p><span>1</span><span>2</span></p></td></tr></table>""".encode()
    grid = read_html(html).grids[0]
    assert texts(grid) == [["本年新制作数量", "", "12"]]


def test_gbk_bytes_and_declared_gb2312():
    page = (
        '<html><head><meta charset="gb2312"><title>县教育局2023年政府信息公开工作年度报告</title>'
    )
    page += "</head><body><p>一、总体情况</p></body></html>"
    doc = read_html(page.encode("gbk"))
    assert doc.title == "县教育局2023年政府信息公开工作年度报告"
    assert [b.text for b in doc.blocks] == ["一、总体情况"]
    assert decode_html("规章".encode("gb18030")) == "规章"


def test_blocks_split_on_br_and_skip_table_text():
    html = "<div><p>导语<br/>四、政府信息公开行政复议、行政诉讼情况</p><table><tr><td><p>表内</p></td></tr></table></div>"
    doc = read_html(html.encode())
    assert [b.text for b in doc.blocks] == ["导语", "四、政府信息公开行政复议、行政诉讼情况"]


def test_headings_inside_a_layout_table_are_text():
    html = """<table><tr><td><p>一、总体情况</p><p>正文</p>
      <table><tr><td>规章</td><td>1</td></tr></table></td></tr></table>"""
    doc = read_html(html.encode())
    assert [b.text for b in doc.blocks] == ["一、总体情况", "正文"]
    assert len(doc.grids) == 1

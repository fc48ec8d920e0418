"""parse_document end to end on small documents: format detection, meta, sections, errors."""

import zipfile
from io import BytesIO

import pytest

from extract import UnreadableDocument, detect_format, parse_bytes, parse_document
from extract.meta import report_meta
from extract.readers.text import read_text, split_run

REPORT = """<html><head><meta charset="gb2312">
<meta name="ArticleTitle" content="县财政局2022年政府信息公开工作年度报告"></head><body>
<p class=MsoNormal>一、总体情况</p><p>全年主动公开信息 12 条。</p>
<p>二、主动公开政府信息情况</p>
<table><tr><td colspan=4>第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>行政 规范性文件</td><td>3</td><td>&nbsp;</td><td>１２</td></tr></table>
<p>五、存在问题及改进情况</p><p>无。</p></body></html>"""


def test_gbk_html_report():
    result = parse_bytes(REPORT.encode("gbk"))
    assert result["format"] == "html"
    assert result["form_version"] == "2021"
    assert (result["publisher"], result["year"]) == ("县财政局", 2022)
    assert result["sections"] == {
        "overview": "一、总体情况",
        "proactive": "二、主动公开政府信息情况",
        "problems": "五、存在问题及改进情况",
    }
    assert result["section_texts"]["overview"] == "全年主动公开信息 12 条。"
    assert result["proactive_stats"] == [
        ["normative_docs", "issued", 3],
        ["normative_docs", "repealed", 0],
        ["normative_docs", "in_force", 12],
    ]
    assert result["cells"][1]["flags"] == ["blank"]
    assert result["checks"] == []


def test_hints_fill_and_take_precedence():
    result = parse_bytes(REPORT.encode("gbk"), hints={"publisher": "某某县财政局"})
    assert result["publisher"] == "某某县财政局" and result["year"] == 2022


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\xef\xbb\xbf<!DOCTYPE html><p>x", "html"),
        ("<div>规章</div>".encode("gb18030"), "html"),
        (b"\xd0\xcf\x11\xe0rest", "doc"),
        ("标题: 年度报告\n正文".encode(), "text"),
    ],
)
def test_detect_format(data, fmt):
    assert detect_format(data) == fmt


def test_docx_without_a_body_is_unreadable(tmp_path):
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    path = tmp_path / "report.docx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(UnreadableDocument, match="DOCX"):
        parse_document(path)


def test_meta_from_titles():
    assert (
        report_meta("2020年度某某镇人民政府政府信息公开工作年度报告")["publisher"]
        == "某某镇人民政府"
    )
    assert report_meta("", {"year": "2021", "title": "t"}) == {
        "title": "t",
        "year": 2021,
        "publisher": None,
    }


def test_flattened_text_keeps_only_unambiguous_splits():
    text = (
        "二、主动公开政府信息情况 第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数"
        "规章 000行政规范性文件693665第二十条第（五）项信息内容本年处理决定数量行政许可2293"
        "三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量640020470"
        "二、上年结转政府信息公开申请数量1000001三、本年度办理结果（一）予以公开0000000"
        "四、政府信息公开行政复议、行政诉讼情况行政复议结果维持总计000000000000000"
        "五、存在的主要问题及改进情况无"
    )
    doc = read_text(text.encode())
    rows = [[c.text for c in g.distinct(0)] for g in doc.grids]
    assert ["规章", "0", "0", "0"] in rows
    assert ["行政许可", "2293"] in rows
    assert ["二、上年结转政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1"] in rows
    assert ["", *"0" * 15] in rows
    assert not any(r[0].endswith("规范性文件") for r in rows)  # 693665: 69/3/665? never guess
    assert not any(r[0].startswith("一、本年新收") for r in rows)
    assert len(doc.warnings) == 2
    assert split_run("0 0 0 0 0 00", 7) == ["0"] * 7

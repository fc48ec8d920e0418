"""DOC/WPS through LibreOffice: format detection, clear errors, and a real conversion."""

import io

import pytest

from extract import ExtractError, detect_format, parse_bytes
from extract.readers import doc as doc_reader

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
needs_soffice = pytest.mark.skipif(
    doc_reader.soffice() is None, reason="LibreOffice (soffice) is not installed"
)


def test_ole_bytes_are_doc_unless_named_or_typed_wps():
    assert detect_format(OLE + b"\0" * 100) == "doc"
    assert detect_format(OLE, content_type="application/msword") == "doc"
    assert detect_format(OLE, name="报告.WPS") == "wps"
    assert detect_format(OLE, content_type="application/kswps") == "wps"
    assert detect_format(OLE, content_type="application/vnd.ms-works") == "wps"


def test_missing_soffice_is_a_clear_extract_error(monkeypatch):
    monkeypatch.setenv("NIANBAO_SOFFICE", "no-such-soffice-binary")
    with pytest.raises(doc_reader.ConverterMissing, match="LibreOffice"):
        parse_bytes(OLE + b"\0" * 100)
    assert issubclass(doc_reader.ConverterMissing, ExtractError)


@needs_soffice
def test_garbage_doc_fails_with_a_one_line_reason():
    with pytest.raises(ExtractError) as err:
        parse_bytes(OLE + b"\0" * 600)
    assert "\n" not in str(err.value) and str(err.value)


@needs_soffice
def test_a_converted_doc_reads_like_its_docx():
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("青山县民政局2016年政府信息公开工作年度报告")
    d.add_paragraph("三、依申请公开政府信息情况")
    d.add_paragraph("全年共受理政府信息公开申请7件，其中同意公开5件。")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "行政复议", "2"
    t.cell(1, 0).text, t.cell(1, 1).text = "行政诉讼", "1"
    # LibreOffice's DOC export drops a table that ends the document, as Word never writes one
    d.add_paragraph("七、其他需要报告的事项")
    buf = io.BytesIO()
    d.save(buf)
    data = doc_reader.convert(buf.getvalue(), "docx", "doc:MS Word 97")
    assert data[:4] == OLE[:4]
    got = doc_reader.read_doc(data)
    assert got.format == "doc"
    assert [b.text for b in got.blocks] == [
        "青山县民政局2016年政府信息公开工作年度报告",
        "三、依申请公开政府信息情况",
        "全年共受理政府信息公开申请7件，其中同意公开5件。",
        "七、其他需要报告的事项",
    ]
    assert [[c.text for c in row] for row in got.grids[0].rows] == [
        ["行政复议", "2"],
        ["行政诉讼", "1"],
    ]
    parsed = parse_bytes(data, name="report.wps")
    assert parsed["format"] == "wps"
    assert parsed["prose_figures"] == [
        ["requests_received", 7, "全年共受理政府信息公开申请7件，其中同意公开5件。"],
        ["requests_granted", 5, "全年共受理政府信息公开申请7件，其中同意公开5件。"],
    ]

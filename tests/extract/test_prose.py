"""Headline figures read from the prose of free-form reports, with their sentences."""

import pytest

from extract import parse_bytes
from extract.prose import PROSE_FIGURES, prose_figures
from extract.template import DIMENSIONS

REPORT = """<html><head><title>青山县民政局2016年政府信息公开工作年度报告</title></head><body>
<p>一、概述</p><p>2016年，我局认真贯彻落实《条例》。</p>
<p>二、主动公开政府信息的情况</p>
<p>全年共主动公开政府信息1,024条，其中规范性文件3件。</p>
<p>三、依申请公开政府信息情况</p>
<p>2016年共受理政府信息公开申请17件，其中同意公开12件，其余均已答复。</p>
<p>四、政府信息公开的收费及减免情况</p><p>本年度收取检索、复制费用共计40元。</p>
<p>五、因政府信息公开申请行政复议、提起行政诉讼的情况</p>
<p>本年度被申请行政复议2件，被提起行政诉讼0件。</p>
<p>六、存在的主要问题及改进措施</p><p>公开内容还不够全面。</p>
<p>七、其他需要报告的事项</p><p>无。</p>
</body></html>"""


def test_a_free_form_report_keeps_its_headings_and_states_its_figures():
    got = parse_bytes(REPORT.encode())
    assert got["form_version"] == "free"
    assert got["year"] == 2016
    assert got["sections"] == {
        "overview": "一、概述",
        "proactive": "二、主动公开政府信息的情况",
        "requests": "三、依申请公开政府信息情况",
        "fees": "四、政府信息公开的收费及减免情况",
        "appeals": "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        "problems": "六、存在的主要问题及改进措施",
        "other": "七、其他需要报告的事项",
    }
    received = "2016年共受理政府信息公开申请17件，其中同意公开12件，其余均已答复。"
    appeals = "本年度被申请行政复议2件，被提起行政诉讼0件。"
    assert got["prose_figures"] == [
        ["proactive_items", 1024, "全年共主动公开政府信息1,024条，其中规范性文件3件。"],
        ["requests_received", 17, received],
        ["requests_granted", 12, received],
        ["reviews", 2, appeals],
        ["suits", 0, appeals],
        ["fees_yuan", 40, "本年度收取检索、复制费用共计40元。"],
    ]


def test_templated_reports_have_no_prose_figures():
    sampleweb = pytest.importorskip("sampleweb")
    from sampleweb.render_html import report_body
    from sampleweb.reportdata import build_report

    county = sampleweb.counties.COUNTIES[0]
    body = report_body(build_report(county, county.organs[0], 2022))
    assert "收到政府信息公开申请" in body  # the overview states a figure in prose
    got = parse_bytes(f"<html><body>{body}</body></html>".encode())
    assert got["form_version"] == "2021"
    assert got["prose_figures"] == []


def test_first_statement_wins_and_words_without_numbers_give_nothing():
    text = "全年受理申请5件。另有咨询，受理申请的渠道畅通。年内又受理申请3件。未收取任何费用。"
    assert prose_figures(text) == [["requests_received", 5, "全年受理申请5件。"]]
    assert prose_figures("本年度未发生行政复议、行政诉讼。") == []


def test_half_width_and_mixed_punctuation_quote_the_printed_sentence():
    text = "概述：主动公开信息 86 条; 受理公开申请共计3份。"
    assert prose_figures(text) == [
        ["proactive_items", 86, "概述：主动公开信息 86 条;"],
        ["requests_received", 3, "受理公开申请共计3份。"],
    ]


def test_every_figure_is_a_coded_dimension():
    assert [c.code for c in DIMENSIONS["prose_figure"]] == [f.code for f in PROSE_FIGURES]
    assert {f.code for f in PROSE_FIGURES} == {
        "proactive_items",
        "requests_received",
        "requests_granted",
        "reviews",
        "suits",
        "fees_yuan",
    }

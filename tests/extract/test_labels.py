"""Label → code matching: variants seen in real reports."""

import pytest

from extract.labels import match, score
from extract.normalize import RADICAL_LOOKALIKES, norm_label
from extract.template import APPLICANTS, DIMENSIONS, REQUEST_ROWS, SECTIONS

ITEMS = DIMENSIONS["item"]


@pytest.mark.parametrize(
    ("printed", "context", "code"),
    [
        ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "", "partly_granted"),
        ("（二）部分公开（区分处理的，只计这一情 形，不 计其他情形）", "", "partly_granted"),
        ("2.其他法律行政止公开", "（三）不予公开", "denied_prohibited"),
        ("1.属于国家秘密", "（三）不予公开", "denied_state_secret"),
        ("1.本机关不掌握相关政府信息", "(四)无法提供", "unable_not_held"),
        ("1.信访举报投诉类申请", "（五） 不予处理", "rejected_petition"),
        ("5.要求行政机关确认或重 新出具 已获取信息", "（五）不予处理", "rejected_confirm"),
        ("（六）其他处理", "", "other_handling"),
        ("3.其他", "（六）其他处理", "other_other"),
        ("（七）总计", "", "handled_total"),
        ("四、结转下年度继续办理", "", "carried_out"),
        ("⼀、本年新收政府信息公开申请数量", "", "new_requests"),  # Kangxi radical 一
    ],
)
def test_request_rows(printed, context, code):
    assert match(printed, REQUEST_ROWS, context=context)[0] == code


def test_same_number_under_different_subheadings_is_told_apart():
    # "3." rows exist under （四） and （五）; the sub-heading decides between near-equal labels
    assert match("3.要求", REQUEST_ROWS, context="（五）不予处理")[0] == "rejected_publication"
    assert match("3.补正后", REQUEST_ROWS, context="（四）无法提供")[0] == "unable_unclear"
    right = match("1.属于国家秘密", REQUEST_ROWS, context="（三）不予公开")
    wrong = match("1.属于国家秘密", REQUEST_ROWS, context="（四）无法提供")
    assert right == ("denied_state_secret", 1.0) and wrong[1] < right[1]


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("规范性文件", "normative_docs"),
        ("行政规范性文件", "normative_docs"),
        ("行政 许可", "licensing"),
        ("规章", "rules"),
        ("政府集中采购", "procurement"),
    ],
)
def test_items(printed, code):
    assert match(printed, ITEMS, threshold=0.8)[0] == code


def test_applicants_and_unmapped():
    assert match("社会公益 组织", APPLICANTS)[0] == "public_interest"
    assert match("其他", APPLICANTS)[0] == "other_org"
    code, s = match("发布日期", APPLICANTS)
    assert code is None and s < 0.5


def test_renumbered_and_variant_section_headings():
    assert match("五、存在问题及改进情况", SECTIONS)[0] == "problems"
    assert match("五、政府信息公开工作存在的主要问题及改进情况", SECTIONS)[0] == "problems"
    assert match("(四)政府信息公开行政复议、行政诉讼情况", SECTIONS)[0] == "appeals"


def test_normalisation_folds_brackets_spaces_and_radicals():
    assert norm_label("（ 三 ）不予 公开") == norm_label("(三)不予公开") == "(三)不予公开"
    assert norm_label("3.危及“三安全一稳定”") == "3.危及三安全一稳定"
    assert norm_label("⻓期") == "长期"
    assert score("【一】", "(一)") == 1.0


def test_radical_table_names_match_their_ideographs():
    import unicodedata

    for radical, ideograph in RADICAL_LOOKALIKES.items():
        assert unicodedata.name(radical).startswith("CJK RADICAL")
        assert "CJK UNIFIED IDEOGRAPH" in unicodedata.name(ideograph)

"""Report recognition, look-alike rejection, publisher and year."""

from __future__ import annotations

import pytest

from crawler.titles import is_report_title, report_publisher, report_year

REPORTS = [
    "青岚县人民政府2023年政府信息公开工作年度报告",
    "梧溪县教育局2021年度政府信息公开工作年度报告",
    "2021年度石桥镇人民政府政府信息公开工作年度报告",
    "青岚县财政局2022年政府信息公开工作年度报告（图片版）",
    "青岚县财政局2022年政府信息公开工作年度报告(超链版)",
    "松岭县 2020 年政府信息公开工作年度报告（文字版）",
    "某某县2019年政府信息公开年报",
    "二〇二〇年度信息公开年度报告",
]
LOOK_ALIKES = [
    "青岚县人民政府2023年政府信息公开工作年度报告的解读",
    "图解：青岚县2023年政府信息公开工作年度报告",
    "一图读懂青岚县人民政府2021年政府信息公开工作年度报告",
    "青岚县2024年政务公开工作要点",
    "青岚县财政局2023年部门决算",
    "青岚县2023年国民经济和社会发展统计公报",
    "政府信息公开工作年度报告",  # no year
    "青岚县2023年法治政府建设年度报告",  # not about information disclosure
]


@pytest.mark.parametrize("title", REPORTS)
def test_reports_are_recognised(title):
    assert is_report_title(title)


@pytest.mark.parametrize("title", LOOK_ALIKES)
def test_look_alikes_are_rejected(title):
    assert not is_report_title(title)


def test_short_titles_need_a_report_column():
    assert not is_report_title("2023年度报告")
    assert is_report_title("2023年度报告", in_report_column=True)
    assert not is_report_title("2023年度报告的解读", in_report_column=True)


@pytest.mark.parametrize(
    ("title", "county", "column", "publisher", "year"),
    [
        ("青岚县人民政府2023年政府信息公开工作年度报告", "青岚县", None, "青岚县人民政府", 2023),
        ("石桥镇人民政府2024年政府信息公开工作年度报告", "青岚县", None, "石桥镇人民政府", 2024),
        ("2021年度石桥镇人民政府政府信息公开工作年度报告", "青岚县", None, "石桥镇人民政府", 2021),
        (
            "2019年度青岚县卫生健康局政府信息公开工作年度报告",
            "青岚县",
            None,
            "青岚县卫生健康局",
            2019,
        ),
        ("青岚县2022年政府信息公开工作年度报告", "青岚县", None, "青岚县人民政府", 2022),
        ("2020年政府信息公开工作年度报告", "松岭县", "县教育局", "松岭县教育局", 2020),
        ("2020年政府信息公开工作年度报告", "松岭县", "白杨镇人民政府", "白杨镇人民政府", 2020),
        ("2020年政府信息公开工作年度报告", "松岭县", "政府信息公开年报", "松岭县人民政府", 2020),
        ("关于县财政局2020年政府信息公开年报（图片版）", "松岭县", None, "松岭县财政局", 2020),
    ],
)
def test_publisher_and_year(title, county, column, publisher, year):
    assert report_publisher(title, county, column) == publisher
    assert report_year(title) == year


def test_year_is_the_year_reported_on_not_a_later_date():
    assert report_year("青岚县2023年政府信息公开工作年度报告（2024年1月30日）") == 2023

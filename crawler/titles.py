"""Recognising annual reports by their titles, and reading the issuing organ and year from them.

A title is a report when, after NFKC normalisation and removal of spaces, it

1. names a year (``2023年``, ``2023年度``, ``二〇二三年``),
2. contains ``年度报告`` or ``年报``,
3. says ``信息公开`` (or is listed in a column already known to hold annual reports), and
4. is none of the look-alikes in :data:`LOOK_ALIKES` (解读, 图解, 工作要点, 决算 …).

Publisher rule (one rule, documented), first that applies:

1. the title's text before the year (leading ``关于``/brackets, trailing punctuation removed):
   ``青岚县教育局2023年…`` → ``青岚县教育局``;
2. the text between the year and ``政府信息公开``/``年度报告``, when it ends like an organ name
   (政府, 局, 委, 办, 中心, 镇, 乡, 街道 …): ``2021年度石桥镇人民政府政府信息公开…`` → ``石桥镇人民政府``;
3. the name of the sub-column the report was listed in, when it ends like an organ name;
4. the county government, ``{county}人民政府``.

A bare region name (``青岚县2023年…``) means that region's government (``青岚县人民政府``). A name
starting with a bare ``县``/``区``/``市`` (``县教育局``, as sub-columns are often labelled) is
completed with the county's name (``青岚县教育局``); complete names (``青岚县教育局``,
``石桥镇人民政府``) are kept as printed. On the sample web this yields the truth's ``publisher``.

The year is the year reported on, read from the title, never the publication date.
"""

from __future__ import annotations

import re
import unicodedata

LOOK_ALIKES: tuple[str, ...] = (
    "解读",
    "图解",
    "一图读懂",
    "工作要点",
    "决算",
    "预算",
    "统计公报",
    "答记者问",
    "发布会",
    "征求意见",
    "通知",
    "考核",
    "评估",
)
VERSION_SUFFIX = re.compile(
    r"[（(](?:图片版|超链版|文字版|全文|PDF版|pdf版|word版|修订版|更正)[)）]\s*$"
)
_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})\s*年")
_REPORT_WORDS = re.compile(r"年度?报告|年报")
_LEADING_NOISE = re.compile(r"^(?:关于|转发|[《“\"【\[〔])+")
_TRAILING_NOISE = re.compile(r"[\s《“”\"'：:，,、\-—_（(【\[]+$")
_BARE_LEVEL = re.compile(r"^[县区市](?![级委])")
# Names of issuing organs end like this; a column called 政府信息公开年报 names no organ.
ORGAN_END = re.compile(
    r"(政府|局|委|委员会|办|办公室|中心|院|所|镇|乡|街道|办事处|处|队|会|部|站|馆|厅|署)$"
)
# What follows the organ in "2023年度青岚县教育局政府信息公开工作年度报告".
_AFTER_YEAR = re.compile(r"(?:的)?(?:政府信息公开|信息公开|政务公开|年度报告|年报).*$")
_REGION_ONLY = re.compile(r"[^县区市镇乡]{1,12}(自治县|自治州|县|区|市|旗|镇|乡)|[县区市]")


def normalise(title: str) -> str:
    """NFKC, no whitespace (full-width spaces and ``&nbsp;`` included).

    >>> normalise("青岚县 2023 年政府信息公开工作年度报告\\u3000")
    '青岚县2023年政府信息公开工作年度报告'
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", title or ""))


def strip_version(title: str) -> str:
    """Drop a trailing version note such as （图片版）.

    >>> strip_version("青岚县2023年政府信息公开工作年度报告（图片版）")
    '青岚县2023年政府信息公开工作年度报告'
    """
    return VERSION_SUFFIX.sub("", title.strip())


def _year_match(text: str) -> re.Match[str] | None:
    match = _YEAR.search(text)
    if match:
        return match
    return _CN_YEAR.search(text)


def report_year(title: str) -> int | None:
    """The year reported on, from the title.

    >>> report_year("梧溪县教育局2021年度政府信息公开工作年度报告")
    2021
    >>> report_year("二〇二〇年政府信息公开工作年度报告")
    2020
    >>> report_year("政府信息公开工作年度报告") is None
    True
    """
    match = _year_match(normalise(title))
    if not match:
        return None
    return int(match.group(1).translate(_CN_DIGITS))


def is_report_title(title: str, *, in_report_column: bool = False) -> bool:
    """True when ``title`` names an annual report on government information disclosure.

    >>> is_report_title("青岚县财政局2022年政府信息公开工作年度报告（超链版）")
    True
    >>> is_report_title("青岚县2022年政府信息公开工作年度报告的解读")
    False
    >>> is_report_title("2023年度报告", in_report_column=True)
    True

    :param title: the title as listed or as in the article's ``ArticleTitle``.
    :param in_report_column: the title was listed in an annual-report column, so ``信息公开``
        may be left out of it.
    """
    text = strip_version(normalise(title))
    if not text or report_year(text) is None or not _REPORT_WORDS.search(text):
        return False
    if any(word in text for word in LOOK_ALIKES):
        return False
    return "信息公开" in text or in_report_column


def complete_organ(name: str, county: str) -> str:
    """Give a bare ``县…``/``区…`` organ name its county.

    >>> complete_organ("县教育局", "青岚县")
    '青岚县教育局'
    >>> complete_organ("石桥镇人民政府", "青岚县")
    '石桥镇人民政府'
    """
    name = normalise(name)
    if county and _BARE_LEVEL.match(name) and not name.startswith(county):
        return county + name[1:]
    return name


def report_publisher(title: str, county: str, column: str | None = None) -> str:
    """The issuing organ of a report (see the module docstring for the rule).

    >>> report_publisher("青岚县教育局2023年政府信息公开工作年度报告", "青岚县")
    '青岚县教育局'
    >>> report_publisher("2023年政府信息公开工作年度报告", "松岭县", column="县财政局")
    '松岭县财政局'
    >>> report_publisher("2023年政府信息公开工作年度报告", "松岭县")
    '松岭县人民政府'
    >>> report_publisher("2021年度石桥镇人民政府政府信息公开工作年度报告", "青岚县")
    '石桥镇人民政府'
    >>> report_publisher("2023年政府信息公开工作年度报告", "松岭县", column="政府信息公开年报")
    '松岭县人民政府'
    >>> report_publisher("松岭县2023年政府信息公开工作年度报告", "松岭县")
    '松岭县人民政府'

    :param title: the report's title.
    :param county: the county's name from the sources file.
    :param column: the name of the (sub-)column the report was listed in, if any.
    """
    text = strip_version(normalise(title))
    match = _year_match(text)
    prefix = text[: match.start()] if match else ""
    prefix = _TRAILING_NOISE.sub("", _LEADING_NOISE.sub("", prefix))
    after = text[match.end() :] if match else ""
    after = _AFTER_YEAR.sub("", after.removeprefix("度"))
    column_name = _TRAILING_NOISE.sub("", normalise(column or ""))
    candidates = (prefix, *(n if ORGAN_END.search(n) else "" for n in (after, column_name)))
    for name in candidates:
        if len(name) < 2:
            continue
        if _REGION_ONLY.fullmatch(name):
            # "青岚县2023年…": a region's report is its government's.
            return complete_organ(name, county) + "人民政府"
        return complete_organ(name, county)
    return f"{county}人民政府"

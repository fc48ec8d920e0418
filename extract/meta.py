"""Publisher, year reported on and title of a report, from its text and the crawler's hints.

Example::

    >>> report_meta("2019年上海市人民政府办公厅政府信息公开工作年度报告")
    {'title': '2019年上海市人民政府办公厅政府信息公开工作年度报告', 'year': 2019, 'publisher': '上海市人民政府办公厅'}
    >>> report_meta("洪泽区人民政府 2023 年政府信息公开工作年度报告")["publisher"]
    '洪泽区人民政府'
"""

from __future__ import annotations

import re

from extract.normalize import fold

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?")
_TAIL = re.compile(r"\s*(?:政府信息公开|政务公开|信息公开).*$")
_TITLE_WORDS = ("年度报告", "工作报告", "年报")


def find_title(candidates: list[str]) -> str:
    """The first candidate that reads like a report title (≤ 80 chars, with 年度报告 or 年报)."""
    for i, text in enumerate(candidates):
        if len(text) <= 80 and any(w in text for w in _TITLE_WORDS) and "政府信息公开" in text:
            # PDF titles are often broken before the year: take the line above along
            if _YEAR.match(text) and i > 0 and len(candidates[i - 1]) <= 30:
                prev = candidates[i - 1]
                if not _YEAR.search(prev) and not prev.startswith(("一、", "（", "(")):
                    return f"{prev} {text}"
            return text
    return ""


_PERIOD = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")


def year_from_text(lines: list[str]) -> int | None:
    """The year of the statistics period (数据统计期限从2019年1月1日…), if the text states one.

    >>> year_from_text(["本报告中所列数据统计期限自2020年1月1日起至2020年12月31日止。"])
    2020
    """
    for line in lines:
        m = _PERIOD.search(line)
        if m:
            return int(m.group(1))
    return None


def report_meta(title: str, hints: dict | None = None) -> dict:
    """``{title, year, publisher}``; the crawler's ``hints`` take precedence where given."""
    hints = hints or {}
    text = fold(title).strip()
    year = None
    publisher = ""
    m = _YEAR.search(text)
    if m:
        year = int(m.group(1))
        before, after = text[: m.start()].strip(), text[m.end() :].strip()
        publisher = before or _TAIL.sub("", after)
    return {
        "title": hints.get("title") or title or None,
        "year": int(hints["year"]) if hints.get("year") else year,
        "publisher": hints.get("publisher") or publisher or None,
    }

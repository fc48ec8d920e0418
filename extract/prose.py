"""Headline figures stated in the prose of free-form (2008–2018) reports, with their sentences.

Free-form reports print no template tables; they state a few figures in running text
(主动公开政府信息X条, 受理申请X件, 行政复议X件). :data:`PROSE_FIGURES` says, as data, which figure
each phrasing gives; :func:`prose_figures` finds the first statement of each figure and keeps the
sentence it came from, so every value can be checked against the document by a reader.

Example::

    >>> prose_figures("全年主动公开政府信息1,234条。共受理政府信息公开申请15件，其中同意公开12件。")
    [['proactive_items', 1234, '全年主动公开政府信息1,234条。'], \
['requests_received', 15, '共受理政府信息公开申请15件，其中同意公开12件。'], \
['requests_granted', 12, '共受理政府信息公开申请15件，其中同意公开12件。']]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.normalize import fold

#: a number as prose prints it: digits with thousands commas, or 零/无 for none
_NUM = r"(?P<v>\d[\d,]*(?:\.\d+)?|零|无)"
#: what may stand between a phrase and its number (共, 共计, 合计, 为, 累计, spaces)
_GLUE = r"\s*(?:共计|合计|累计|总计|共|计|为|达)?\s*"


@dataclass(frozen=True)
class ProseFigure:
    """One headline figure of a free-form report.

    :param code: the figure's code in the ``prose_figures`` table
    :param zh: a Chinese label for readers
    :param en: an English label
    :param unit: the unit the prose states it in
    :param patterns: regular expressions over the folded text, each with a group ``v``; tried in
        order, the first match in the document wins
    """

    code: str
    zh: str
    en: str
    unit: str
    patterns: tuple[str, ...]


def _after(phrase: str, units: str) -> str:
    return phrase + _GLUE + _NUM + r"\s*(?:" + units + ")"


PROSE_FIGURES: tuple[ProseFigure, ...] = (
    ProseFigure(
        "proactive_items",
        "主动公开政府信息数",
        "Items of government information published proactively",
        "条",
        (_after(r"主动公开(?:各类)?(?:政府)?信息", "条|件|项"),),
    ),
    ProseFigure(
        "requests_received",
        "受理政府信息公开申请数",
        "Disclosure requests received",
        "件",
        (
            _after(
                r"(?:受理|收到|接到|接收)(?:各类)?(?:政府信息公开|信息公开|公开)?申请", "件|份|条"
            ),
        ),
    ),
    ProseFigure(
        "requests_granted",
        "同意公开的申请数",
        "Requests granted",
        "件",
        (_after(r"(?:同意公开|予以公开|全部公开)", "件|份|条"),),
    ),
    ProseFigure(
        "reviews",
        "行政复议案件数",
        "Administrative reviews",
        "件",
        (_after(r"行政复议(?:案件|申请)?", "件|起|宗"),),
    ),
    ProseFigure(
        "suits",
        "行政诉讼案件数",
        "Lawsuits",
        "件",
        (_after(r"行政诉讼(?:案件)?", "件|起|宗"),),
    ),
    ProseFigure(
        "fees_yuan",
        "收取的费用（元）",
        "Fees charged (yuan)",
        "元",
        (r"(?:收取|收费)[^。;!?]{0,16}?" + _GLUE + _NUM + r"\s*元",),
    ),
)

_COMPILED = tuple((f.code, tuple(re.compile(p) for p in f.patterns)) for f in PROSE_FIGURES)
#: sentence ends as printed (searched in the printed text, where 。 is not yet folded to ".")
_SENTENCE_END = "。！？；!?;\n"


def _value(text: str) -> int | float:
    if text in ("零", "无"):
        return 0
    text = text.replace(",", "")
    return float(text) if "." in text else int(text)


def _sentence(printed: str, start: int, end: int) -> str:
    """The sentence of ``printed`` around [start, end): from the last stop before to the next."""
    left = max((printed.rfind(c, 0, start) for c in _SENTENCE_END), default=-1) + 1
    stops = [i for i in (printed.find(c, end) for c in _SENTENCE_END) if i >= 0]
    right = min(stops) + 1 if stops else len(printed)
    return printed[left:right].strip()


def _fold_mapped(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the printed character it came from."""
    parts, origin = [], []
    for i, ch in enumerate(text):
        f = fold(ch)
        parts.append(f)
        origin += [i] * len(f)
    return "".join(parts), origin


def prose_figures(text: str) -> list[list]:
    """``[[figure, value, sentence]]`` for every figure of :data:`PROSE_FIGURES` the text states.

    The sentence is quoted as printed (full-width punctuation kept); matching runs on the folded
    text, whose positions are mapped back to the printed text.

    >>> prose_figures("本年度未发生因政府信息公开申请行政复议、行政诉讼的情况。")
    []
    >>> prose_figures("被申请行政复议0件，被提起行政诉讼1起。")[1]
    ['suits', 1, '被申请行政复议0件，被提起行政诉讼1起。']
    """
    folded, origin = _fold_mapped(text)
    out = []
    for code, patterns in _COMPILED:
        hits = [m for m in (p.search(folded) for p in patterns) if m]
        if not hits:
            continue
        m = min(hits, key=lambda h: h.start())
        start, end = origin[m.start()], origin[m.end() - 1] + 1
        out.append([code, _value(m.group("v")), _sentence(text, start, end)])
    return out

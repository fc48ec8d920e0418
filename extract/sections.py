"""The six sections of a report: headings as printed, mapped to codes, and their text.

Headings are short blocks (a paragraph or line of their own) that match a section label; in
flattened text, where everything is one line, the template's headings are searched in the text.
Each section is taken once, in printed order.

Example::

    >>> from extract.readers import Block
    >>> find_sections([Block("一、总体情况"), Block("正文"), Block("五、存在问题及改进情况")])[0]
    {'overview': '一、总体情况', 'problems': '五、存在问题及改进情况'}
"""

from __future__ import annotations

from extract import labels
from extract.normalize import norm_label
from extract.readers import Block
from extract.template import ALL_SECTIONS, SECTIONS

#: a heading is a short block; longer blocks are prose that mentions a heading
MAX_HEADING = 40
HEADING_THRESHOLD = 0.75


def find_sections(blocks: list[Block]) -> tuple[dict[str, str], dict[str, str]]:
    """``({code: heading as printed}, {code: text})`` from the blocks of a document."""
    headings: dict[str, str] = {}
    starts: list[tuple[int, str]] = []
    for i, block in enumerate(blocks):
        if len(norm_label(block.text)) > MAX_HEADING:
            continue
        remaining = [s for s in ALL_SECTIONS if s.code not in headings]
        code, _ = labels.match(block.text, remaining, threshold=HEADING_THRESHOLD)
        if code:
            headings[code] = block.text
            starts.append((i, code))
    texts = {}
    for n, (i, code) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(blocks)
        texts[code] = "\n".join(b.text for b in blocks[i + 1 : end])
    return headings, texts


def find_sections_flat(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """Sections of flattened text: the template's headings found in order in the running text.

    >>> find_sections_flat("x 二、主动公开政府信息情况 表 三、收到和处理政府信息公开申请情况 y")[0]
    {'proactive': '二、主动公开政府信息情况', 'requests': '三、收到和处理政府信息公开申请情况'}
    """
    headings: dict[str, str] = {}
    starts: list[tuple[int, int, str]] = []
    pos = 0
    for sec in SECTIONS:
        hits = [(text.find(label, pos), label) for label in sec.labels if "、" in label]
        hits = [(p, label) for p, label in hits if p >= 0]
        if hits:
            p, label = min(hits)
            headings[sec.code] = label
            starts.append((p, p + len(label), sec.code))
            pos = p + len(label)
    texts = {}
    for n, (_, end, code) in enumerate(starts):
        stop = starts[n + 1][0] if n + 1 < len(starts) else len(text)
        texts[code] = text[end:stop].strip()
    return headings, texts

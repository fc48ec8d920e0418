"""Tolerant matching of printed labels onto template codes.

A printed label is compared with every candidate code's labels (and aliases) after
:func:`extract.normalize.norm_label`; the score is a :class:`difflib.SequenceMatcher` ratio, taken
both on the whole label and with the leading numbering ("（二）", "2.", "五、") removed so that
renumbered headings still match. Codes nested under a sub-heading (``1.`` under ``（三）不予公开``)
are compared together with that sub-heading, so the same ``1.`` under ``（四）无法提供`` is told apart.

Example::

    >>> from extract.template import REQUEST_ROWS
    >>> match("1.属于国家秘密", REQUEST_ROWS, context="（三）不予公开")[0]
    'denied_state_secret'
    >>> match("2.其他法律行政止公开", REQUEST_ROWS, context="(三)不予公开")[0]
    'denied_prohibited'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher
from functools import lru_cache

from extract.normalize import norm_label
from extract.template import Code

#: below this score a label is left unmapped
THRESHOLD = 0.72

NUMBERING = re.compile(
    r"^(?:\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十]+[、,.]|\d+[.、,)])"
)
SUBHEADING = re.compile(r"^\([一二三四五六七八九十]+\)")


def strip_numbering(label: str) -> str:
    """A normalised label without its leading numbering.

    >>> strip_numbering("(二)部分公开")
    '部分公开'
    """
    return NUMBERING.sub("", label, count=1)


@lru_cache(maxsize=65536)
def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


# labels repeat in every report (and within one); matching them is most of a parse's work
@lru_cache(maxsize=65536)
def score(printed: str, label: str) -> float:
    """Similarity of two labels in [0, 1] after normalisation, tolerant of renumbering.

    >>> score("（一） 予以公开", "(一)予以公开")
    1.0
    """
    a, b = norm_label(printed), norm_label(label)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    whole = _ratio(a, b)
    sa, sb = strip_numbering(a), strip_numbering(b)
    bare = _ratio(sa, sb) * 0.97 if sa and sb and (sa != a or sb != b) else 0.0
    return max(whole, bare)


def subheading(code: Code) -> str:
    """The sub-heading a code is printed under (``（三）不予公开``), or ``""``."""
    for parent in reversed(code.parents):
        if SUBHEADING.match(norm_label(parent)):
            return parent
    return ""


@lru_cache(maxsize=1024)
def keys(code: Code) -> tuple[str, ...]:
    """Every printed form of ``code``, each prefixed with its sub-heading."""
    head = subheading(code)
    return tuple(head + label for label in code.labels)


def match(
    printed: str,
    codes: Iterable[Code],
    *,
    context: str = "",
    threshold: float = THRESHOLD,
) -> tuple[str | None, float]:
    """The best code for a printed label, with its score; ``(None, score)`` below ``threshold``.

    :param printed: the label as printed
    :param codes: candidate codes (e.g. ``template.REQUEST_ROWS``)
    :param context: the sub-heading the label is printed under, if any
    :param threshold: minimum score to accept

    >>> from extract.template import APPLICANTS
    >>> match("法律服务 机构", APPLICANTS)
    ('legal_services', 1.0)
    >>> match("天气", APPLICANTS)[0] is None
    True
    """
    query = context + printed
    best: tuple[str | None, float] = (None, 0.0)
    for code in codes:
        for key in keys(code):
            s = score(query, key)
            if s > best[1]:
                best = (code.code, s)
    if best[1] < threshold:
        return None, best[1]
    return best

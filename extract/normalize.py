"""Text and label normalisation shared by every reader and matcher.

Real reports print the template's labels with full-width or half-width brackets, stray spaces,
Kangxi radicals (⼀ for 一) and CJK Radicals Supplement look-alikes (⻓ for 长) that PDF fonts
produce. Labels and text are folded the same way so that a label can be found in running text.

Example::

    >>> norm_label("（二） 部分公开")
    '(二)部分公开'
    >>> norm_text("⻓期 ⼀致")
    '长期 一致'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: CJK Radicals Supplement code points that NFKC leaves alone, mapped to the unified ideograph
#: they look like (the Kangxi Radicals block U+2F00-2FDF is already handled by NFKC).
RADICAL_LOOKALIKES: dict[str, str] = {
    "\u2e8c": "小",  # CJK RADICAL SMALL ONE
    "\u2e8d": "小",  # CJK RADICAL SMALL TWO
    "\u2ea0": "民",  # CJK RADICAL CIVILIAN
    "\u2ebc": "月",  # CJK RADICAL MEAT
    "\u2ec4": "西",  # CJK RADICAL WEST TWO
    "\u2ec5": "见",  # CJK RADICAL C-SIMPLIFIED SEE
    "\u2ec6": "角",  # CJK RADICAL SIMPLIFIED HORN
    "\u2ec9": "贝",  # CJK RADICAL C-SIMPLIFIED SHELL
    "\u2ecb": "车",  # CJK RADICAL C-SIMPLIFIED CART
    "\u2ed3": "长",  # CJK RADICAL C-SIMPLIFIED LONG
    "\u2ed4": "门",  # CJK RADICAL C-SIMPLIFIED GATE
    "\u2ed7": "雨",  # CJK RADICAL RAIN
    "\u2ed8": "青",  # CJK RADICAL BLUE
    "\u2eda": "页",  # CJK RADICAL C-SIMPLIFIED LEAF
    "\u2edb": "风",  # CJK RADICAL C-SIMPLIFIED WIND
    "\u2edc": "飞",  # CJK RADICAL C-SIMPLIFIED FLY
    "\u2edd": "食",  # CJK RADICAL EAT ONE
    "\u2ee2": "马",  # CJK RADICAL C-SIMPLIFIED HORSE
    "\u2ee3": "骨",  # CJK RADICAL BONE
    "\u2ee4": "鬼",  # CJK RADICAL GHOST
    "\u2ee5": "鱼",  # CJK RADICAL C-SIMPLIFIED FISH
    "\u2ee6": "鸟",  # CJK RADICAL C-SIMPLIFIED BIRD
    "\u2ee7": "卤",  # CJK RADICAL C-SIMPLIFIED SALT
    "\u2ee8": "麦",  # CJK RADICAL SIMPLIFIED WHEAT
    "\u2ee9": "黄",  # CJK RADICAL SIMPLIFIED YELLOW
    "\u2eea": "黾",  # CJK RADICAL C-SIMPLIFIED FROG
    "\u2eec": "齐",  # CJK RADICAL C-SIMPLIFIED EVEN
    "\u2eee": "齿",  # CJK RADICAL C-SIMPLIFIED TOOTH
    "\u2ef0": "龙",  # CJK RADICAL C-SIMPLIFIED DRAGON
    "\u2ef2": "龟",  # CJK RADICAL C-SIMPLIFIED TURTLE
}

#: punctuation folded to one form after NFKC, identically for labels and text
_FOLD = str.maketrans(
    {
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "［": "(",
        "］": ")",
        "[": "(",
        "]": ")",
        "〈": "(",
        "〉": ")",
        "{": "(",
        "}": ")",
        "“": "",
        "”": "",
        '"': "",
        "‘": "",
        "’": "",
        "'": "",
        "「": "",
        "」": "",
        "『": "",
        "』": "",
        "《": "",
        "》": "",
        "，": ",",
        "。": ".",
        "；": ";",
        "：": ":",
        "—": "-",
        "–": "-",
        "－": "-",
        "～": "~",
        "﹒": ".",
        "·": "",
    }
)
_RADICALS = str.maketrans(RADICAL_LOOKALIKES)
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFKC, radical look-alikes and punctuation folded; whitespace kept.

    >>> fold("（三）不予公开")
    '(三)不予公开'
    """
    text = unicodedata.normalize("NFKC", text.translate(_RADICALS))
    return text.translate(_FOLD)


def clean(text: str) -> str:
    """Text as printed with whitespace runs (incl. NBSP, ideographic space) collapsed; no folding.

    >>> clean(" （一）\u00a0 予以公开 ")
    '（一） 予以公开'
    """
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def norm_text(text: str) -> str:
    """Folded text with runs of whitespace (incl. NBSP, ideographic space) collapsed to one space.

    >>> norm_text("规章\\u00a0\\u3000 0")
    '规章 0'
    """
    return _SPACE.sub(" ", fold(text)).strip()


@lru_cache(maxsize=65536)
def norm_label(text: str) -> str:
    """A label folded for matching: like :func:`norm_text` with every space removed.

    >>> norm_label("4.无正当理由大量反复 申请")
    '4.无正当理由大量反复申请'
    """
    return _SPACE.sub("", fold(text))

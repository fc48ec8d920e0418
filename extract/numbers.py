"""Table cells → numbers, never guessing.

A cell gives ``(value, flags, note)``: blank cells (empty, ``—``, ``/``, ``无``) are 0 with flag
``blank``; a note printed in the cell ("22（其中修订16件）") is kept; amounts printed in 元 are
converted to 万元 for amount measures. A cell that is not one number gives value ``None`` with flag
``unparsed``.

Example::

    >>> parse_cell("1,234")
    Number(value=1234, flags=(), note='')
    >>> parse_cell("251000元", amount=True).value
    25.1
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.normalize import fold

BLANKS = frozenset({"", "-", "--", "---", "/", "\\", "无", "~", "空", "null"})
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)(.*)$")
_UNIT = re.compile(r"^(万元|元|万|件|条|个|项|次|宗|人次)")
_NOTE = re.compile(r"^\((.*)\)$")


@dataclass(frozen=True)
class Number:
    """A parsed cell: ``value`` (int, float or None), ``flags`` and any note printed with it."""

    value: int | float | None
    flags: tuple[str, ...] = ()
    note: str = ""


def _num(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def parse_cell(text: str | None, *, amount: bool = False) -> Number:
    """Parse one printed cell.

    :param text: the cell text as printed (``None`` is a blank cell)
    :param amount: the cell holds money in 万元; a value printed in 元 is converted

    >>> parse_cell("—")
    Number(value=0, flags=('blank',), note='')
    >>> parse_cell("22（其中修订16件）")
    Number(value=22, flags=('note',), note='其中修订16件')
    >>> parse_cell("45670万元", amount=True).value
    45670
    >>> parse_cell("1 113").flags
    ('unparsed',)
    """
    raw = (text or "").strip()
    s = fold(raw).strip()
    if s in BLANKS or not s.strip("-/~ "):
        return Number(0, ("blank",))
    if re.search(r"\d\s+\d", s):
        # digits split by spaces are two numbers run together or OCR damage: never guess
        return Number(None, ("unparsed",), raw)
    s = _THOUSANDS.sub("", "".join(s.split()))
    m = _NUMBER.match(s)
    if not m:
        return Number(None, ("unparsed",), raw)
    value = _num(m.group(1))
    rest = m.group(2)
    flags: list[str] = []
    unit = _UNIT.match(rest)
    if unit:
        rest = rest[unit.end() :]
        flags.append("unit")
        if amount and unit.group(1) == "元":
            value = round(value / 10000, 6)
            flags.append("yuan")
    note = ""
    if rest:
        n = _NOTE.match(rest)
        if not n:
            # "1.属于国家秘密" is a label, not the number 1 with a note
            return Number(None, ("unparsed",), raw)
        note = n.group(1)
        flags.append("note")
    return Number(value, tuple(flags), note)

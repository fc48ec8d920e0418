"""Cells → numbers."""

import pytest

from extract.numbers import parse_cell


@pytest.mark.parametrize(
    ("text", "value", "flags"),
    [
        ("1,234", 1234, ()),
        ("１２３", 123, ()),
        ("", 0, ("blank",)),
        (None, 0, ("blank",)),
        ("—", 0, ("blank",)),
        ("——", 0, ("blank",)),
        ("/", 0, ("blank",)),
        ("\u00a0", 0, ("blank",)),
        ("-3", -3, ()),
        ("7730.28", 7730.28, ()),
        ("22（其中修订16件）", 22, ("note",)),
        ("1 113", None, ("unparsed",)),
        ("1.属于国家秘密", None, ("unparsed",)),
        ("自然人", None, ("unparsed",)),
    ],
)
def test_cells(text, value, flags):
    n = parse_cell(text)
    assert (n.value, n.flags) == (value, flags)


def test_note_is_kept():
    assert parse_cell("22（其中修订16件）").note == "其中修订16件"


def test_amounts_in_yuan_are_converted_to_10k_yuan():
    assert parse_cell("251000元", amount=True).value == 25.1
    assert parse_cell("45670万元", amount=True).value == 45670
    assert parse_cell("45670 万元", amount=True).value == 45670
    assert parse_cell("251000元").value == 251000  # not an amount measure: left alone

"""A report's three tables laid out as the template prints them, from extract.template.

Each table is a list of grids (rows × columns, labels in Chinese with English); table 二 prints
one grid per run of items sharing the same measures, table 三 rows × applicants, table 四
proceedings × results. The cells hold the stored value with its provenance (printed text, page).

Example::

    >>> grids = report_grids("2021", {})
    >>> [g["table"] for g in grids]
    ['proactive_stats', 'proactive_stats', 'proactive_stats', 'request_stats', 'appeal_stats']
    >>> grids[3]["columns"][0]["zh"]
    '自然人'
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby
from typing import Any

from extract.template import (
    APPEAL_PROCEEDINGS,
    APPEAL_RESULTS,
    APPLICANTS,
    PROACTIVE,
    Code,
    code_label,
    request_rows,
)

#: the section each table is printed under
TABLE_SECTIONS = {
    "proactive_stats": "proactive",
    "request_stats": "requests",
    "appeal_stats": "appeals",
}

Cells = Mapping[str, Mapping[tuple[str, str], Mapping[str, Any]]]


def _label(code: Code) -> dict[str, str]:
    return {"code": code.code, "zh": code.zh, "en": code.en}


def _grid(table: str, columns, rows, cells: Cells) -> dict[str, Any]:
    stored = cells.get(table, {})
    return {
        "table": table,
        "section_zh": code_label("section", TABLE_SECTIONS[table]),
        "section_en": code_label("section", TABLE_SECTIONS[table], "en"),
        "columns": [_label(c) for c in columns],
        "rows": [
            {
                **_label(r),
                "parents": " ".join(r.parents),
                "cells": [stored.get((r.code, c.code)) for c in columns],
            }
            for r in rows
        ],
    }


def report_grids(form_version: str | None, cells: Cells) -> list[dict[str, Any]]:
    """The grids of a report of ``form_version`` filled from ``cells``.

    :param form_version: ``2019``, ``2021`` or ``free`` (laid out as 2021)
    :param cells: per stats table, ``{(first code, second code): row}`` of the stored rows
    """
    version = form_version if form_version in PROACTIVE else "2021"
    grids = []
    for measures, items in groupby(PROACTIVE[version], key=lambda p: p.measures):
        grids.append(_grid("proactive_stats", measures, [p.item for p in items], cells))
    grids.append(_grid("request_stats", APPLICANTS, request_rows(version), cells))
    grids.append(_grid("appeal_stats", APPEAL_RESULTS, APPEAL_PROCEEDINGS, cells))
    return grids

"""The "full" profile: the basic web plus a gkmlpt county, a slow county, a blocked county,
crawler hazards, more document formats, and epochs for incremental crawls.

Everything added is recorded in truth.json: ``hazards`` (one dict per hazard: ``kind``,
``adcode``, ``host``, ``paths``, ``expected``), ``excluded`` (reports a polite crawler cannot
or must not get, each with a ``reason``), ``removed``/``added`` (what the epoch changed).

Example::

    >>> [v for v, _ in VARIANTS.values()][:3]
    ['image_version', 'docx', 'scanned']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pypdfium2

from extract.template import REQUEST_ROWS, proactive_cells

from .counties import (
    ARCHIVE_ORGAN,
    BLOCKED,
    COUNTIES,
    GKMLPT,
    SLOW,
    SLOW_YEARS,
    YEARS,
    County,
)
from .families import gkmlpt, standard
from .families.common import SiteBuild, distractors
from .freeform import free_reports
from .layout import LOOKALIKES, annotated, number
from .render_doc import doc_available
from .reportdata import Report, build_report, evaluate_checks

SLOW_ROOT = "/c100287/xxgknb_4f2a/"
SLOW_LATENCY = (0.5, 0.8)
_OTHER_SUBROWS = ("other_no_correction", "other_unpaid_fee", "other_other")


def _image_version(r: Report) -> None:
    r.title = f"{r.title}（文字版）"
    r.style = dataclasses.replace(r.style, fmt="html")


def _docx(r: Report) -> None:
    r.style = dataclasses.replace(r.style, fmt="docx")


def _doc(r: Report) -> None:
    """A Word 97 DOC, or a DOCX where LibreOffice is missing (the truth's format says which)."""
    r.style = dataclasses.replace(r.style, fmt="doc" if doc_available() else "docx")


def _scanned(r: Report) -> None:
    r.style = dataclasses.replace(r.style, fmt="pdf")
    r.extra["scanned"] = True


def _lookalikes(r: Report) -> None:
    r.style = dataclasses.replace(r.style, fmt="pdf", lookalikes=True)
    r.sections = {k: v.translate(LOOKALIKES) for k, v in r.sections.items()}
    r.extra["lookalikes"] = True


def _single_other(r: Report) -> None:
    """A 2021 report on the 2019 form: the three 其他处理 rows printed as one."""
    r.style = dataclasses.replace(r.style, fmt="html", single_other=True)
    applicants = {a for _, a in r.requests}
    for a in sorted(applicants):
        parts = [r.requests.pop((row, a)) for row in _OTHER_SUBROWS]
        r.requests["other_handling", a] = sum(p or 0 for p in parts)
    rows = [c.code for c in REQUEST_ROWS]
    r.requests = dict(sorted(r.requests.items(), key=lambda kv: rows.index(kv[0][0])))
    r.failing_checks = evaluate_checks(r.requests, r.appeals, r.form_version)
    r.extra["printed_other_handling"] = True


def _annotated(r: Report) -> None:
    """Notes and units inside table 二 cells; the truth keeps the plain number (万元 for amounts)."""
    r.style = dataclasses.replace(r.style, fmt="html", annotated=True)
    r.proactive["normative_docs", "made"] = 22
    if not r.proactive.get(("procurement", "amount_10k_yuan")):
        r.proactive["procurement", "amount_10k_yuan"] = 25.1
    r.extra["annotated_cells"] = [
        [item, measure, annotated(item, measure, r.proactive.get((item, measure)), r.style)]
        for item, measure in proactive_cells(r.form_version)
        if annotated(item, measure, r.proactive.get((item, measure)), r.style)
        != number(r.proactive.get((item, measure)))
    ]


def _image_only(r: Report) -> None:
    """A report posted only as 图片版: one tall PNG, no 文字版 beside it (format ``png``)."""
    r.title = f"{r.title}（图片版）"
    r.style = dataclasses.replace(r.style, fmt="png")


def _fmt(fmt: str) -> Callable[[Report], None]:
    def apply(r: Report) -> None:
        r.style = dataclasses.replace(r.style, fmt=fmt)

    return apply


# (organ index, year) of the gkmlpt county -> (variant, how the report changes); the tag of
# the variant tells the family which layout hazard to put on the report
VARIANTS: dict[tuple[int, int], tuple[str, Callable[[Report], None]]] = {
    (0, 2024): ("image_version", _image_version),
    (0, 2023): ("docx", _docx),
    (1, 2022): ("scanned", _scanned),
    (2, 2024): ("scanned", _scanned),
    (0, 2022): ("lookalikes", _lookalikes),
    (1, 2023): ("single_other", _single_other),
    (2, 2020): ("annotated", _annotated),
    (3, 2023): ("gbk_page", _fmt("html")),
    (1, 2024): ("dup_listing", _fmt("html")),
    (2, 2022): ("retry_503", _fmt("html")),
    (3, 2021): ("redirect", _fmt("html")),
    (3, 2020): ("attachment_404", _fmt("pdf")),
    (1, 2021): ("doc", _doc),
    (1, 2018): ("image_only", _image_only),
}
# (organ index, year) of gkmlpt reports outside YEARS (an organ/year with no other report)
EXTRA_GKMLPT: tuple[tuple[int, int], ...] = ((1, 2018),)
# epoch changes: (adcode, organ index, year) reports added from epoch 1, and removed
ADDED: tuple[tuple[str, int, int], ...] = (
    ("330991", 0, 2025),
    ("440991", 0, 2025),
    ("440991", 3, 2025),
)
REMOVED: tuple[tuple[str, int, int], ...] = (("620991", 1, 2019),)
# still listed from epoch 1, but its page answers 410 Gone
GONE: tuple[tuple[str, int, int], ...] = (("430991", 2, 2021),)


def reports_at(county: County, years: tuple[int, ...], epoch: int) -> list[Report]:
    """The county's reports at ``epoch``: 2025 reports appear and one report goes at epoch 1."""
    out = []
    for i, organ in enumerate(county.organs):
        ys = [*years, *(y for a, o, y in ADDED if epoch >= 1 and (a, o) == (county.adcode, i))]
        for j, year in enumerate(ys):
            if epoch >= 1 and (county.adcode, i, year) in REMOVED:
                continue
            out.append(build_report(county, organ, year, index=i * len(years) + j))
    return out + free_reports(county)


def gkmlpt_reports(epoch: int) -> list[Report]:
    reports = reports_at(GKMLPT, YEARS, epoch)
    base = len(GKMLPT.organs) * len(YEARS)
    reports += [
        build_report(GKMLPT, GKMLPT.organs[i], year, index=base + k)
        for k, (i, year) in enumerate(EXTRA_GKMLPT)
    ]
    organs = GKMLPT.organ_names()
    for r in reports:
        variant = VARIANTS.get((organs.index(r.publisher), r.year))
        if variant:
            tag, change = variant
            change(r)
            r.tags.add(tag)
    return reports


def hidden_reports() -> list[Report]:
    r = build_report(GKMLPT, ARCHIVE_ORGAN, 2023, index=0)
    r.style = dataclasses.replace(r.style, fmt="html")
    return [r]


def slow_site(epoch: int) -> tuple[list[Report], list, SiteBuild]:
    reports = reports_at(SLOW, SLOW_YEARS, epoch)
    extras = distractors(SLOW)
    site = standard.build(SLOW, reports, extras, root=SLOW_ROOT)
    lo, hi = SLOW_LATENCY
    site.server["latency"] = [lo, hi]
    site.hazards += [
        {
            "kind": "slow_site",
            "adcode": SLOW.adcode,
            "host": SLOW.host,
            "paths": ["/"],
            "expected": f"every response takes {lo}–{hi} s: crawl it completely anyway",
            "latency": [lo, hi],
        },
        {
            "kind": "nav_only_column",
            "adcode": SLOW.adcode,
            "host": SLOW.host,
            "paths": ["/", "/zfxxgk/index.html", f"{SLOW_ROOT}index.html"],
            "expected": f"the report column {SLOW_ROOT} is not a known slug: reach it by "
            "following the home page navigation",
        },
    ]
    return reports, extras, site


def gkmlpt_site(epoch: int, slow_reports: list[Report]) -> tuple[list[Report], list, SiteBuild]:
    reports = gkmlpt_reports(epoch)
    extras = distractors(GKMLPT)
    target = slow_reports[0]
    url = f"http://{SLOW.host}:{gkmlpt.PORT}{target.page}"
    site = gkmlpt.build(GKMLPT, reports, extras, hidden_reports(), [(url, target.title)])
    site.hazards.append(
        {
            "kind": "cross_county_link",
            "adcode": GKMLPT.adcode,
            "host": GKMLPT.host,
            "paths": ["/", url.replace(gkmlpt.PORT, "{port}")],
            "expected": f"skipped: the link leaves {GKMLPT.host} for {SLOW.host}; the report is "
            f"in truth under {SLOW.adcode} (reached through that county's own column), never "
            f"attributed to {GKMLPT.adcode}",
            "title": target.title,
            "target_adcode": SLOW.adcode,
        }
    )
    return reports, extras, site


def blocked_site() -> SiteBuild:
    site = SiteBuild(server={"blocked": True})
    site.hazards.append(
        {
            "kind": "antibot_412",
            "adcode": BLOCKED.adcode,
            "host": BLOCKED.host,
            "paths": ["/", "/robots.txt"],
            "expected": "every request answers 412 with an inline $_ts script: record status "
            "'blocked', find no reports, do not try to get around it",
        }
    )
    return site


def table_breaks(pdf: bytes) -> bool:
    """Whether table 三 of a text PDF starts on one page and ends on a later one.

    It starts at the 本年新收 row and ends at the 结转下年度 row, whose characters have no
    look-alike forms.
    """
    doc = pypdfium2.PdfDocument(pdf)
    try:
        texts = [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()
    first = next((i for i, t in enumerate(texts) if "本年新收" in t), None)
    last = next((i for i, t in enumerate(reversed(texts)) if "结转下年度" in t), None)
    return first is not None and last is not None and len(texts) - 1 - last > first


def table_break_hazard(out: Path, reports: list[dict]) -> dict:
    """One hazard listing every text PDF whose table 三 breaks across pages."""
    files = [
        r["file"]
        for r in reports
        if r["format"] == "pdf"
        and not r.get("scanned")
        and table_breaks((out / r["file"]).read_bytes())
    ]
    return {
        "kind": "table_across_pages",
        "adcode": "",
        "host": "",
        "paths": [],
        "files": files,
        "expected": "table 三 continues on the next page (no repeated header): join the parts "
        "before reading rows",
    }


def basic_site_hazards() -> list[dict]:
    """Hazards the three basic counties already carry, restated for the full profile's tests."""
    return [
        {
            "kind": "distractors",
            "adcode": c.adcode,
            "host": c.host,
            "paths": [],
            "expected": "articles in the report columns that are not annual reports "
            "(解读, 工作要点, 部门决算, 图片版): listed in truth['distractors'], never reports",
        }
        for c in (*COUNTIES, GKMLPT, SLOW)
    ]


__all__ = [
    "ADDED",
    "GONE",
    "REMOVED",
    "VARIANTS",
    "basic_site_hazards",
    "blocked_site",
    "gkmlpt_site",
    "reports_at",
    "slow_site",
]

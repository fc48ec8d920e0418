"""The numbers and printing choices of every sample report, and the checks they pass or fail.

Values satisfy every check of ``extract.template.CHECKS`` unless a deliberate error is applied;
``failing_checks`` is always computed from the final values, so the truth cannot drift.

Example::

    >>> from sampleweb.counties import COUNTIES
    >>> r = build_report(COUNTIES[0], COUNTIES[0].organs[0], 2021)
    >>> r.form_version, r.publisher
    ('2021', '青岚县人民政府')
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from extract.template import (
    APPEAL_PROCEEDINGS,
    APPEAL_RESULTS,
    APPLICANTS,
    CHECKS,
    OUTCOME_ROWS,
    SECTIONS,
    proactive_cells,
    request_rows,
)

from .counties import County, Organ

Value = int | float | None

# (low, high) per measure before scaling by organ size; amounts are drawn as 万元 with 2 decimals
_MEASURE_RANGES: dict[str, tuple[int, int]] = {
    "made": (0, 6),
    "published": (0, 6),
    "total_public": (5, 60),
    "issued": (0, 6),
    "repealed": (0, 3),
    "in_force": (5, 60),
    "prior_items": (10, 120),
    "change": (-5, 8),
    "decisions": (0, 400),
    "items": (0, 40),
    "amount_10k_yuan": (0, 900),
}
_APPLICANT_WEIGHT: dict[str, float] = {
    "natural_person": 1.0,
    "business": 0.3,
    "research": 0.05,
    "public_interest": 0.05,
    "legal_services": 0.1,
    "other_org": 0.1,
}
# outcome rows that carry most requests; the rest are mostly zero
_COMMON_OUTCOMES = (
    "granted",
    "partly_granted",
    "unable_not_held",
    "rejected_repeat",
    "denied_third_party",
    "other_handling",
    "other_other",
)

# deliberate errors: (table, key, delta) applied to a consistent report
_ERRORS: tuple[tuple[str, tuple[str, str], int], ...] = (
    ("request_stats", ("handled_total", "total"), 1),
    ("request_stats", ("new_requests", "natural_person"), 2),
    ("appeal_stats", ("review", "total"), 1),
    ("request_stats", ("granted", "business"), 1),
)
_TABLE_DIMS = {"request_stats": ("row", "applicant"), "appeal_stats": ("proceeding", "result")}


@dataclass(frozen=True)
class Style:
    """How one report is printed: label variants, table markup and blank cells."""

    fmt: str  # html | pdf
    markup: str  # word | plain | wps (HTML table dialects)
    halfwidth_brackets: bool = False
    stray_space: bool = False
    alias_normative: bool = False
    short_partly: bool = False
    misprint: bool = False
    heading_variant: bool = False
    blank_zeros: bool = False
    # full profile only: Kangxi/radical look-alike glyphs in labels, the 2019 single
    # （六）其他处理 row in a 2021 table, notes and units inside table 二 cells
    lookalikes: bool = False
    single_other: bool = False
    annotated: bool = False


@dataclass
class Report:
    adcode: str
    region: str
    publisher: str
    year: int
    title: str
    published: str
    form_version: str
    style: Style
    sections: dict[str, str]
    proactive: dict[tuple[str, str], Value]
    requests: dict[tuple[str, str], Value]
    appeals: dict[tuple[str, str], Value]
    failing_checks: list[list[str]] = field(default_factory=list)
    page: str = ""
    document: str = ""
    file: str = ""  # where the document's bytes sit in the generated tree, relative to DIR
    extra: dict = field(default_factory=dict)  # full-profile truth fields, appended last
    tags: set[str] = field(default_factory=set)  # full-profile layout hazards (not truth)

    def truth(self) -> dict:
        """The report's entry in truth.json (see the sample web spec)."""
        return {
            "adcode": self.adcode,
            "region": self.region,
            "publisher": self.publisher,
            "year": self.year,
            "title": self.title,
            "published": self.published,
            "page": self.page,
            "document": self.document,
            "file": self.file,
            "format": self.style.fmt,
            "form_version": self.form_version,
            "sections": self.sections,
            "proactive_stats": [[i, m, v] for (i, m), v in self.proactive.items()],
            "request_stats": [[r, a, v] for (r, a), v in self.requests.items()],
            "appeal_stats": [[p, r, v] for (p, r), v in self.appeals.items()],
            "failing_checks": self.failing_checks,
            **self.extra,
        }


def form_version(year: int) -> str:
    """The template version of a report year: ``form_version(2020) == '2019'``."""
    return "2019" if year < 2021 else "2021"


def _proactive(rng: random.Random, fv: str, size: int) -> dict[tuple[str, str], Value]:
    out: dict[tuple[str, str], Value] = {}
    for item, measure in proactive_cells(fv):
        lo, hi = _MEASURE_RANGES[measure]
        if measure == "amount_10k_yuan":
            out[item, measure] = round(rng.uniform(lo, hi * size / 3), 2)
        elif lo < 0:
            out[item, measure] = rng.randint(lo, hi)
        else:
            out[item, measure] = rng.randint(lo, max(lo, hi * size // 3))
    # rules are issued by prefecture level and above: a county prints zeros
    for item, measure in list(out):
        if item == "rules":
            out[item, measure] = 0
    return out


def _requests(rng: random.Random, fv: str, size: int) -> dict[tuple[str, str], Value]:
    rows = [r.code for r in request_rows(fv)]
    outcomes = [r for r in rows if r in OUTCOME_ROWS]
    cols = [a.code for a in APPLICANTS if a.code != "total"]
    vals: dict[tuple[str, str], int] = {}
    for a in cols:
        scale = _APPLICANT_WEIGHT[a] * size * 4
        for r in outcomes:
            common = r in _COMMON_OUTCOMES
            vals[r, a] = rng.randint(0, int(scale * (3 if common else 0.3)))
        handled = sum(vals[r, a] for r in outcomes)
        carried_out = rng.randint(0, int(scale * 0.5))
        carried_in = rng.randint(0, min(handled + carried_out, int(scale * 0.5)))
        vals["handled_total", a] = handled
        vals["carried_out", a] = carried_out
        vals["carried_in", a] = carried_in
        vals["new_requests", a] = handled + carried_out - carried_in
    out: dict[tuple[str, str], Value] = {}
    for r in rows:
        for a in APPLICANTS:
            if a.code == "total":
                out[r, a.code] = sum(vals[r, c] for c in cols)
            else:
                out[r, a.code] = vals[r, a.code]
    return out


def _appeals(rng: random.Random, size: int) -> dict[tuple[str, str], Value]:
    out: dict[tuple[str, str], Value] = {}
    for p in APPEAL_PROCEEDINGS:
        parts = {
            r.code: rng.choice((0, 0, 0, 1, size)) for r in APPEAL_RESULTS if r.code != "total"
        }
        for r in APPEAL_RESULTS:
            out[p.code, r.code] = sum(parts.values()) if r.code == "total" else parts[r.code]
    return out


def evaluate_checks(
    requests: dict[tuple[str, str], Value], appeals: dict[tuple[str, str], Value], fv: str
) -> list[list[str]]:
    """``[check, scope]`` of every check that fails; blank and unprinted cells count as zero.

    >>> evaluate_checks({("new_requests", "total"): 1}, {}, "2021")[0]
    ['requests_balance', 'total']
    """
    tables = {"request_stats": requests, "appeal_stats": appeals}
    scopes = {
        "applicant": [a.code for a in APPLICANTS],
        "row": [r.code for r in request_rows(fv)],
        "proceeding": [p.code for p in APPEAL_PROCEEDINGS],
    }
    failing = []
    for check in CHECKS:
        values = tables[check.table]
        first = _TABLE_DIMS[check.table][0]

        def cell(scope: str, code: str, _c=check, _v=values, _f=first) -> float:
            key = (scope, code) if _c.over == _f else (code, scope)
            return _v.get(key) or 0

        for scope in scopes[check.over]:
            lhs = sum(cell(scope, c) for c in check.lhs)
            rhs = sum(cell(scope, c) for c in check.rhs)
            if lhs != rhs:
                failing.append([check.code, scope])
    return failing


def _style(rng: random.Random, fmt: str) -> Style:
    return Style(
        fmt=fmt,
        markup=rng.choice(("word", "word", "plain", "wps")),
        halfwidth_brackets=rng.random() < 0.25,
        stray_space=rng.random() < 0.25,
        alias_normative=rng.random() < 0.3,
        short_partly=rng.random() < 0.2,
        misprint=rng.random() < 0.1,
        heading_variant=rng.random() < 0.3,
        blank_zeros=rng.random() < 0.3,
    )


def _blank(rng: random.Random, values: dict, share: float = 0.5) -> None:
    for key, v in values.items():
        if v == 0 and rng.random() < share:
            values[key] = None


def _sections(style: Style) -> dict[str, str]:
    out = {}
    for s in SECTIONS:
        heading = s.zh
        if style.heading_variant and s.code == "problems":
            heading = s.aliases[0]
        out[s.code] = heading
    return out


def _title(rng: random.Random, publisher: str, year: int) -> str:
    if rng.random() < 0.15:
        return f"{year}年度{publisher}政府信息公开工作年度报告"
    return f"{publisher}{year}年政府信息公开工作年度报告"


def build_report(county: County, organ: Organ, year: int, index: int = 0) -> Report:
    """The data of one report; ``index`` (its position in the county) picks format and errors.

    About a third of reports are PDFs; every thirteenth report carries one deliberate error.
    """
    publisher = organ.name(county.name)
    rng = random.Random(f"{county.adcode}:{publisher}:{year}")
    fv = form_version(year)
    fmt = "pdf" if index % 3 == 1 else "html"
    style = _style(rng, fmt)
    published = dt.date(year + 1, 1, 1) + dt.timedelta(days=rng.randint(4, 85))
    report = Report(
        adcode=county.adcode,
        region=county.name,
        publisher=publisher,
        year=year,
        title=_title(rng, publisher, year),
        published=published.isoformat(),
        form_version=fv,
        style=style,
        sections=_sections(style),
        proactive=_proactive(rng, fv, organ.size),
        requests=_requests(rng, fv, organ.size),
        appeals=_appeals(rng, organ.size),
    )
    if style.blank_zeros:
        for table in (report.proactive, report.requests, report.appeals):
            _blank(rng, table)
    if index % 13 == 4:
        table, key, delta = _ERRORS[(index // 13) % len(_ERRORS)]
        values = report.requests if table == "request_stats" else report.appeals
        values[key] = (values.get(key) or 0) + delta
    report.failing_checks = evaluate_checks(report.requests, report.appeals, fv)
    return report


__all__ = ["Report", "Style", "build_report", "evaluate_checks", "form_version"]

"""What every family shares: the build result, distractor articles, page skeletons.

Example::

    >>> page("标题", "<p>正文</p>", nav=[("/", "首页")]).startswith("<!DOCTYPE html>")
    True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from html import escape

from ..counties import County
from ..narrative import preamble
from ..render_html import report_body
from ..render_pdf import report_pdf
from ..reportdata import Report


@dataclass
class Distractor:
    """An article in a report column that is not an annual report."""

    title: str
    publisher: str
    published: str
    text: str
    page: str = ""


@dataclass
class SiteBuild:
    """The files of one site (path on the site -> bytes) and what the server needs beyond them."""

    files: dict[str, bytes] = field(default_factory=dict)
    server: dict = field(default_factory=dict)
    # site path -> tree path of documents not stored at their own URL (download endpoints)
    stored: dict[str, str] = field(default_factory=dict)
    # full profile: hazard records, extra distractor entries, reports kept out of ``reports``
    hazards: list[dict] = field(default_factory=list)
    distractors: list[dict] = field(default_factory=list)
    excluded: list[dict] = field(default_factory=list)


def distractors(county: County) -> list[Distractor]:
    """Interpretations, work plans and final accounts posted among the reports."""
    rng = random.Random(f"{county.adcode}:distractors")
    gov, fin = county.organ_names()[0], county.organ_names()[2]
    specs = [
        (f"{gov}2023年政府信息公开工作年度报告的解读", gov, 2024),
        (f"一图读懂{gov}2021年政府信息公开工作年度报告", gov, 2022),
        (f"{county.name}2024年政务公开工作要点", gov, 2024),
        (f"{county.name}2022年政务公开工作要点", gov, 2022),
        (f"{fin}2023年部门决算", fin, 2024),
        (
            f"{county.organ_names()[1]}2022年度政府信息公开工作年度报告的解读",
            county.organ_names()[1],
            2023,
        ),
    ]
    out = []
    for title, publisher, year in specs:
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(10, 200))
        text = f"{title}。本文由{publisher}发布，供社会公众参阅。"
        out.append(Distractor(title, publisher, day.isoformat(), text))
    return out


def page(
    title: str,
    body: str,
    *,
    nav: list[tuple[str, str]],
    charset: str = "utf-8",
    metas: dict[str, str] | None = None,
) -> str:
    """A full page: header navigation, then ``body``."""
    meta = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in (metas or {}).items())
    links = " | ".join(f'<a href="{escape(h)}">{escape(t)}</a>' for h, t in nav)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"{meta}<title>{escape(title)}</title>\n</head>\n<body>\n"
        f'<div class="header"><div class="nav">{links}</div></div>\n'
        f'<div class="main">\n{body}\n</div>\n'
        '<div class="footer">主办单位：县人民政府办公室　网站标识码：0000000000</div>\n'
        "</body>\n</html>\n"
    )


def article_body(report: Report, attachment: str | None, label: str | None = None) -> str:
    """Article content: the whole report, or a short note linking the PDF attachment."""
    if attachment is None:
        return report_body(report)
    name = escape(label or f"{report.title}.pdf")
    return (
        f"<p>{escape(preamble(report))}</p>\n"
        f"<p>现将《{escape(report.title)}》全文予以公布，详见附件。</p>\n"
        f'<p>附件：<a href="{escape(attachment)}" target="_blank">{name}</a></p>'
    )


def pdf_bytes(report: Report) -> bytes:
    return report_pdf(report)


def stable_id(*parts: object, digits: int = 6) -> int:
    """A deterministic number for article ids: ``stable_id('a', 1)`` is the same on every run."""
    h = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return 10 ** (digits - 1) + int(h[:15], 16) % (9 * 10 ** (digits - 1))


def robots(disallow: str) -> bytes:
    return f"User-agent: *\nDisallow: {disallow}\n".encode()


def items_by_date(reports: list[Report], extras: list[Distractor]) -> list:
    """Reports and distractors newest first, ties broken by title so the order is stable."""
    return sorted([*reports, *extras], key=lambda a: (a.published, a.title), reverse=True)

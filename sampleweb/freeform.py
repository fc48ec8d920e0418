"""Free-form (pre-2019) reports of the full profile: prose under their own headings, no tables.

Before the 2019 template, reports were prose with headings such as 概述 and
政府信息公开的收费及减免情况, and stated a few headline figures in sentences. Each free report
states every figure it has in exactly one sentence; the truth records the headings as printed
(``sections``) and ``prose_figures`` as ``[figure, value, sentence]`` in the order of
:data:`extract.prose.PROSE_FIGURES`. Years without reviews or suits say so without a number, so the
truth has no ``reviews``/``suits`` figure then.

Example::

    >>> from sampleweb.counties import GKMLPT
    >>> r = free_report(GKMLPT, GKMLPT.organs[0], 2016)
    >>> r.form_version, r.title
    ('free', '东澜县人民政府2016年政府信息公开工作年度报告')
    >>> [f[0] for f in r.extra["prose_figures"]][:3]
    ['proactive_items', 'requests_received', 'requests_granted']
"""

from __future__ import annotations

import datetime as dt
import random

from extract.prose import PROSE_FIGURES

from .counties import County, Organ
from .reportdata import Report, _style

#: (adcode, organ index) → years that organ published free-form reports for
#: (full-profile counties only: the basic counties must stay as the basic profile prints them)
FREE_REPORTS: dict[tuple[str, int], tuple[int, ...]] = {
    ("440991", 0): (2015, 2016, 2017, 2018),
    ("440991", 3): (2016, 2018),
}

#: the headings as free-form reports print them, with the section code each maps to
HEADINGS: tuple[tuple[str, str], ...] = (
    ("overview", "一、概述"),
    ("proactive", "二、主动公开政府信息的情况"),
    ("requests", "三、依申请公开政府信息情况"),
    ("fees", "四、政府信息公开的收费及减免情况"),
    ("appeals", "五、因政府信息公开申请行政复议、提起行政诉讼的情况"),
    ("problems", "六、存在的主要问题及改进措施"),
    ("other", "七、其他需要报告的事项"),
)
_ORDER = [f.code for f in PROSE_FIGURES]


def _figures(rng: random.Random, size: int) -> dict[str, int]:
    received = rng.randint(0, 12 * size)
    appealed = rng.random() < 0.5
    out = {
        "proactive_items": rng.randint(80, 900) * size,
        "requests_received": received,
        "requests_granted": rng.randint(0, received),
        "fees_yuan": rng.choice((0, 0, 12, 35)),
    }
    if appealed:
        out["reviews"] = rng.randint(0, 2)
        out["suits"] = rng.randint(0, 1)
    return out


def paragraphs(report: Report) -> dict[str, list[str]]:
    """Paragraphs per section code; each figure's sentence is one whole paragraph or part."""
    sentence = {code: text for code, _, text in report.extra["prose_figures"]}
    p, y = report.publisher, report.year
    appeals = (
        [sentence["reviews"]]
        if "reviews" in sentence
        else ["本年度未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"]
    )
    return {
        "overview": [
            f"{y}年，{p}认真贯彻落实《中华人民共和国政府信息公开条例》，"
            "以公开为常态、不公开为例外，扎实推进政府信息公开工作。"
        ],
        "proactive": [
            sentence["proactive_items"] + "其中通过政府门户网站公开的占绝大多数，"
            "同时通过政务微博、公开栏等渠道方便群众获取。"
        ],
        "requests": [sentence["requests_received"]],
        "fees": [sentence["fees_yuan"]],
        "appeals": appeals,
        "problems": [
            "公开内容还不够全面，信息更新不够及时。"
            f"下一步，{p}将健全工作机制，加强督促检查，推动政府信息公开工作常态化。"
        ],
        "other": ["本年度无其他需要报告的事项。"],
    }


def _sentences(f: dict[str, int]) -> dict[str, str]:
    """The one sentence that states each figure (reviews and suits share one)."""
    out = {
        "proactive_items": f"全年共主动公开政府信息{f['proactive_items']:,}条。",
        "requests_received": (
            f"全年共受理政府信息公开申请{f['requests_received']}件，"
            f"其中同意公开{f['requests_granted']}件，其余均依法作出答复。"
        ),
        "fees_yuan": f"本年度收取检索、复制、邮寄等费用共计{f['fees_yuan']}元。",
    }
    out["requests_granted"] = out["requests_received"]
    if "reviews" in f:
        out["reviews"] = out["suits"] = (
            f"本年度因政府信息公开被申请行政复议{f['reviews']}件，被提起行政诉讼{f['suits']}件。"
        )
    return out


def free_report(county: County, organ: Organ, year: int) -> Report:
    """One free-form report as an HTML article."""
    publisher = organ.name(county.name)
    rng = random.Random(f"free:{county.adcode}:{publisher}:{year}")
    figures = _figures(rng, organ.size)
    said = _sentences(figures)
    published = dt.date(year + 1, 2, 1) + dt.timedelta(days=rng.randint(0, 50))
    report = Report(
        adcode=county.adcode,
        region=county.name,
        publisher=publisher,
        year=year,
        title=f"{publisher}{year}年政府信息公开工作年度报告",
        published=published.isoformat(),
        form_version="free",
        style=_style(rng, "html"),
        sections=dict(HEADINGS),
        proactive={},
        requests={},
        appeals={},
    )
    report.extra["prose_figures"] = [
        [code, figures[code], said[code]] for code in _ORDER if code in figures
    ]
    return report


def free_reports(county: County) -> list[Report]:
    """The county's free-form reports, organ by organ."""
    return [
        free_report(county, organ, year)
        for i, organ in enumerate(county.organs)
        for year in FREE_REPORTS.get((county.adcode, i), ())
    ]

"""The prose of the six sections, shared by the HTML and PDF renderers.

Example::

    >>> from sampleweb.counties import COUNTIES
    >>> from sampleweb.reportdata import build_report
    >>> r = build_report(COUNTIES[0], COUNTIES[0].organs[1], 2022)
    >>> paragraphs(r)["overview"][0][:9]
    '2022年，青岚县'
"""

from __future__ import annotations

from . import freeform
from .reportdata import Report

_PREAMBLE = (
    "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息公开办公室"
    "有关要求编制。报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
)


def preamble(report: Report) -> str:
    return _PREAMBLE.format(year=report.year)


def paragraphs(report: Report) -> dict[str, list[str]]:
    """Paragraphs per section code, before any table the section holds."""
    if report.form_version == "free":
        return freeform.paragraphs(report)
    new = report.requests.get(("new_requests", "total")) or 0
    handled = report.requests.get(("handled_total", "total")) or 0
    review = report.appeals.get(("review", "total")) or 0
    suits = sum(report.appeals.get((p, "total")) or 0 for p in ("suit_direct", "suit_after_review"))
    p, y = report.publisher, report.year
    return {
        "overview": [
            f"{y}年，{p}坚持以人民为中心的发展思想，认真贯彻落实《条例》，紧紧围绕中心工作，"
            "持续深化政务公开，不断提升政府信息公开质量和实效。",
            "（一）主动公开。及时公开规范性文件、财政预决算、重大建设项目等信息，"
            "全年通过政府门户网站主动公开政府信息，做到应公开尽公开。",
            f"（二）依申请公开。全年共收到政府信息公开申请{new}件，办结{handled}件，"
            "均在法定期限内答复。",
            "（三）政府信息管理。严格落实公开属性源头认定和保密审查制度，动态更新政府信息公开目录。",
            "（四）平台建设。加强政府网站和政务新媒体管理，优化栏目设置，提升检索和展示功能。",
            "（五）监督保障。将政务公开纳入年度绩效考核，开展业务培训，强化工作人员公开意识。",
        ],
        "proactive": [],
        "requests": [],
        "appeals": [
            f"本年度因政府信息公开工作被申请行政复议{review}件，被提起行政诉讼{suits}件。",
        ],
        "problems": [
            "一是公开内容的深度和广度有待拓展；二是政策解读形式较为单一；三是工作人员业务能力有待提升。",
            f"{y + 1}年，{p}将进一步完善工作机制，丰富解读形式，加强业务培训，推动政务公开工作提质增效。",
        ],
        "other": [
            "本年度未收取信息处理费。"
            f"{p}严格落实人大代表建议和政协提案办理结果公开要求，"
            "全年无其他需要报告的事项。",
        ],
    }

"""The Guangdong gkmlpt (政府信息公开目录平台) county of the full profile, with its hazards.

The home page links ``/gkmlpt/index#{catid}``; that page carries ``SID: '…'`` in
``window._CONFIG`` and no list. Lists come from ``GET /gkmlpt/api/all/{catid}?page=N&sid=SID``
(JSON ``{"total", "articles": [{"id", "title", "url", "created_at"}]}``, answered by the server
from ``SiteBuild.server["gkmlpt"]``). Details are ``/gkmlpt/content/0/{a}/post_{id}.html`` and
attachments ``/attachment/0/{a}/{b}/{id}.{ext}`` linked with class ``nfw-cms-attachment``.

Reports carry ``tags`` (set by :mod:`sampleweb.full`) that put a hazard on them: ``scanned``,
``image_version``, ``image_only``, ``gbk_page``, ``dup_listing``, ``retry_503``, ``redirect``,
``attachment_404``. Each hazard is recorded in ``SiteBuild.hazards``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from ..counties import County
from ..render_doc import report_doc
from ..render_docx import report_docx
from ..render_pdf import report_pdf
from ..render_scan import image_png, scanned_pdf
from ..reportdata import Report
from .common import Distractor, SiteBuild, article_body, items_by_date, page, stable_id

SID = "755031"
NB_CAT = 2581  # 政府信息公开年报
TZGG_CAT = 2577  # 通知公告
PER_PAGE = 10
# replaced by the running port when served (links to another county need an absolute URL)
PORT = "__SAMPLEWEB_PORT__"
ARCHIVE = "/jgjg/archive/"
CALENDAR = "/hdjl/calendar"
CALENDAR_START = "2024-12"
RETRY_503_TIMES = 2
# extraction hazards: tag -> (kind, what an extractor must do)
_FORMAT_HAZARDS = {
    "docx": ("docx_report", "a DOCX attachment; table 三 merges cells with gridSpan and vMerge"),
    "doc": (
        "doc_report",
        "a Word 97 DOC attachment (OLE compound file): convert it with LibreOffice, then read it "
        "as DOCX",
    ),
    "lookalikes": (
        "lookalike_glyphs",
        "a text PDF whose labels use Kangxi/radical look-alikes (⼀ for 一, ⻅ for 见): "
        "NFKC-normalise before matching labels",
    ),
    "single_other": (
        "single_other_row",
        "a 2021-template report printing the 2019 single （六）其他处理 row: truth has "
        "other_handling and none of the three 2021 sub-rows",
    ),
    "annotated": (
        "cell_notes_units",
        "table 二 cells carry notes (22（其中修订14件）) and units (251000元 in a 万元 column): "
        "truth keeps the number (22, 25.1); see the report's annotated_cells",
    ),
}


def post_path(n: int) -> str:
    """Detail page of article ``n``: ``post_path(2345678)`` is under ``/gkmlpt/content/0/2345/``."""
    return f"/gkmlpt/content/0/{n // 1000}/post_{n}.html"


def attachment_path(n: int, ext: str) -> str:
    return f"/attachment/0/{n // 10000}/{n // 100}/{n}.{ext}"


def _nav() -> list[tuple[str, str]]:
    return [
        ("/", "首页"),
        (f"/gkmlpt/index#{NB_CAT}", "政府信息公开年报"),
        (f"/gkmlpt/index#{TZGG_CAT}", "通知公告"),
    ]


def _detail(art, content: str, charset: str = "utf-8") -> str:
    meta = (
        '<table class="xxgk-meta">'
        f"<tr><td>索引号：</td><td>{SID}/{art.published[:4]}-{stable_id(art.title, digits=5)}"
        "</td><td>分类：</td><td>政府信息公开年报</td></tr>"
        f"<tr><td>发布机构：</td><td>{escape(art.publisher)}</td><td>成文日期：</td>"
        f"<td>{art.published}</td></tr>"
        f'<tr><td>名称：</td><td colspan="3">{escape(art.title)}</td></tr></table>'
    )
    body = (
        f'<div class="detail-head">{meta}</div>\n<h1 class="title">{escape(art.title)}</h1>\n'
        f'<div class="article-content">\n{content}\n</div>'
    )
    metas = {"ArticleTitle": art.title, "PubDate": art.published, "ContentSource": art.publisher}
    return page(art.title, body, nav=_nav(), charset=charset, metas=metas)


def _attachment_link(path: str, label: str) -> str:
    return (
        "<p>附件：</p>\n"
        f'<p><a class="nfw-cms-attachment" href="{path}" target="_blank">{escape(label)}</a></p>'
    )


def _document(report: Report) -> tuple[str, bytes]:
    """Extension and bytes of a report's attachment."""
    if report.style.fmt == "docx":
        return "docx", report_docx(report)
    if report.style.fmt == "doc":
        return "doc", report_doc(report)
    pdf = report_pdf(report)
    if "scanned" in report.tags:
        return "pdf", scanned_pdf(pdf, f"{report.adcode}:{report.title}:scan")
    return "pdf", pdf


def _api_entry(n: int, art, url: str) -> dict:
    return {"id": n, "title": art.title, "url": url, "created_at": f"{art.published} 09:30:00"}


def _index_page(county: County) -> str:
    script = (
        '<div id="app"><div class="gkml-tree"></div><div class="gkml-list"></div></div>\n'
        '<script type="text/javascript">\n'
        "  window._CONFIG = {\n"
        f"    SID: '{SID}',\n"
        f"    SITE_NAME: '{county.name}人民政府',\n"
        "    API_ROOT: '/gkmlpt/api',\n"
        f"    CATEGORIES: [{{id: {NB_CAT}, name: '政府信息公开年报'}}, "
        f"{{id: {TZGG_CAT}, name: '通知公告'}}]\n"
        "  };\n</script>\n"
        '<script type="text/javascript" src="/gkmlpt/static/js/gkmlpt.js"></script>'
    )
    return page(f"政府信息公开目录_{county.name}人民政府", script, nav=_nav())


def _article(site: SiteBuild, art: Report, n: int) -> None:
    """Write one report's detail page (and attachment) with the hazards its tags ask for."""
    art.page = post_path(n)
    if "image_only" in art.tags:
        # a 图片版 with no 文字版: the image is the document (the extractor OCRs it)
        art.document = attachment_path(stable_id(art.title, "png", digits=7), "png")
        pdf = report_pdf(dataclasses.replace(art, style=dataclasses.replace(art.style, fmt="pdf")))
        site.files[art.document] = image_png(pdf)
        content = (
            f'<p style="text-align:center"><img src="{art.document}" alt="{escape(art.title)}"></p>'
        )
    elif art.style.fmt == "html":
        art.document = art.page
        content = article_body(art, None)
    else:
        ext, data = _document(art)
        art.document = attachment_path(stable_id(art.title, "att", digits=7), ext)
        if "attachment_404" not in art.tags:
            site.files[art.document] = data
        content = _attachment_link(art.document, f"{art.title}.{ext}")
    if "gbk_page" in art.tags:
        # the bytes are GBK, the <meta> says gb2312, the server's header says utf-8
        site.files[art.page] = _detail(art, content, charset="gb2312").encode("gbk")
    else:
        site.files[art.page] = _detail(art, content).encode()


def _image_version(site: SiteBuild, art: Report) -> dict:
    """A 图片版 article beside the 文字版 report: one tall PNG of the report's pages."""
    title = art.title.replace("（文字版）", "（图片版）")
    n = stable_id(art.adcode, title, digits=7)
    png = attachment_path(stable_id(title, "png", digits=7), "png")
    # the image prints its own title (图片版), which is what its sidecar truth expects
    site.files[png] = image_png(report_pdf(dataclasses.replace(art, title=title)))
    shadow = Distractor(title, art.publisher, art.published, "")
    content = f'<p style="text-align:center"><img src="{png}" alt="{escape(title)}"></p>'
    site.files[post_path(n)] = _detail(shadow, content).encode()
    return {
        "adcode": art.adcode,
        "title": title,
        "page": post_path(n),
        "kind": "image_version",
        "same_as": art.page,
        "document": png,
        "shadow": shadow,
        "id": n,
    }


@dataclass
class _Layout:
    """What the per-tag hazard handlers add to while the site is laid out."""

    site: SiteBuild
    host: str
    lists: dict[int, list[dict]] = field(default_factory=lambda: {NB_CAT: [], TZGG_CAT: []})
    redirects: dict[str, list] = field(default_factory=dict)
    fail_first: dict[str, int] = field(default_factory=dict)
    images: list[dict] = field(default_factory=list)

    def record(self, kind: str, art: Report, paths: list[str], expected: str, **more) -> None:
        self.site.hazards.append(_hazard(kind, self.host, paths, expected, art, **more))


def _redirect(lay: _Layout, art: Report, n: int) -> str:
    old, hop = f"/zwgk/content/post_{n}.html", f"/gkmlpt/redirect/{n}"
    lay.redirects[old] = [301, hop]
    lay.redirects[hop] = [302, art.page]
    lay.record(
        "redirect_chain",
        art,
        [old, hop, art.page],
        "follow 301 then 302; the report's page is the final URL",
    )
    return old


def _retry_503(lay: _Layout, art: Report, n: int) -> None:
    lay.fail_first[art.page] = RETRY_503_TIMES
    lay.record(
        "retry_503",
        art,
        [art.page],
        f"the first {RETRY_503_TIMES} requests answer 503 (Retry-After: 1), then 200: "
        "retry and get the report",
        times=RETRY_503_TIMES,
    )


def _gbk_page(lay: _Layout, art: Report, n: int) -> None:
    lay.record(
        "charset_mismatch",
        art,
        [art.page],
        "bytes are GBK, <meta> says gb2312, Content-Type header says utf-8: decode as GB18030",
        header="utf-8",
        actual="gbk",
    )


def _attachment_404(lay: _Layout, art: Report, n: int) -> None:
    lay.record(
        "attachment_404",
        art,
        [art.page, art.document],
        "the article is fetched, its attachment answers 404: record the failure; the "
        "report is under truth['excluded'], not 'reports'",
    )


def _dup_listing(lay: _Layout, art: Report, n: int) -> None:
    lay.lists[TZGG_CAT].append(_api_entry(n, art, art.page))
    lay.record(
        "duplicate_listing",
        art,
        [f"/gkmlpt/api/all/{NB_CAT}", f"/gkmlpt/api/all/{TZGG_CAT}", art.page],
        "listed in two columns with the same URL: one report",
    )


def _scanned(lay: _Layout, art: Report, n: int) -> None:
    lay.record(
        "scanned_pdf", art, [art.document], "PDF of JPEG page images, no text layer: needs OCR"
    )


def _image(lay: _Layout, art: Report, n: int) -> None:
    lay.images.append(_image_version(lay.site, art))


def _image_only(lay: _Layout, art: Report, n: int) -> None:
    lay.record(
        "image_only_report",
        art,
        [art.page, art.document],
        "a 图片版 article with no 文字版 beside it: it is the report; its document is the PNG "
        "(format png, needs OCR)",
    )


# tag -> handler; a handler may return the URL the lists give instead of the page
_TAG_HANDLERS = {
    "redirect": _redirect,
    "retry_503": _retry_503,
    "gbk_page": _gbk_page,
    "attachment_404": _attachment_404,
    "dup_listing": _dup_listing,
    "scanned": _scanned,
    "image_version": _image,
    "image_only": _image_only,
}


def build(
    county: County,
    reports: list[Report],
    extras: list[Distractor],
    hidden: Sequence[Report] = (),
    offsite: Sequence[tuple[str, str]] = (),
) -> SiteBuild:
    """Lay out the gkmlpt site; sets ``page``/``document`` on every report.

    :param hidden: reports posted only under the robots.txt-disallowed archive
    :param offsite: (absolute URL with the ``PORT`` placeholder, title) links to another county

    >>> from sampleweb.counties import GKMLPT
    >>> sorted(build(GKMLPT, [], []).server)
    ['calendar', 'fail_first', 'gkmlpt', 'port_placeholder', 'redirects']
    """
    lay = _Layout(SiteBuild(), county.host)
    site, lists = lay.site, lay.lists
    for art in items_by_date(reports, extras):
        n = stable_id(county.adcode, art.title, digits=7)
        if isinstance(art, Report):
            _article(site, art, n)
            url = art.page
            for tag in sorted(art.tags & _TAG_HANDLERS.keys()):
                url = _TAG_HANDLERS[tag](lay, art, n) or url
            for tag in sorted(art.tags & _FORMAT_HAZARDS.keys()):
                kind, expected = _FORMAT_HAZARDS[tag]
                lay.record(kind, art, [art.page, art.document], expected)
        else:
            art.page = url = post_path(n)
            site.files[art.page] = _detail(art, f"<p>{escape(art.text)}</p>").encode()
            if "工作要点" in art.title:
                lists[TZGG_CAT].append(_api_entry(n, art, url))
        lists[NB_CAT].append(_api_entry(n, art, url))
    for img in lay.images:
        lists[NB_CAT].append(_api_entry(img["id"], img["shadow"], img["page"]))
        site.distractors.append(
            {k: img[k] for k in ("adcode", "title", "page", "kind", "same_as", "document")}
        )
        site.hazards.append(
            {
                "kind": "image_version",
                "adcode": county.adcode,
                "host": county.host,
                "paths": [img["page"], img["document"], img["same_as"]],
                "expected": "the 图片版 article is the same report as its 文字版 (same_as): one "
                "report in truth; the PNG has a sidecar truth for OCR tests",
            }
        )
    lists[NB_CAT].sort(key=lambda a: (a["created_at"], a["title"]), reverse=True)
    site.files["/gkmlpt/index"] = _index_page(county).encode()
    _archive(site, county, hidden)
    _home(site, county, offsite)
    site.files["/robots.txt"] = f"User-agent: *\nDisallow: {ARCHIVE}\nDisallow: /search/\n".encode()
    calendar_items = [[a["url"], a["title"]] for a in lists[TZGG_CAT][:3]]
    site.server = {
        "gkmlpt": {
            "sid": SID,
            "per_page": PER_PAGE,
            "categories": {str(k): v for k, v in lists.items()},
        },
        "redirects": lay.redirects,
        "fail_first": lay.fail_first,
        "calendar": {"path": CALENDAR, "items": calendar_items},
        "port_placeholder": PORT,
    }
    site.hazards.append(
        {
            "kind": "crawl_trap",
            "adcode": county.adcode,
            "host": county.host,
            "paths": [f"{CALENDAR}?month={CALENDAR_START}"],
            "expected": "an endless calendar: every month links the previous and next month and "
            "repeats the same items; a crawler must not follow it without bound",
            "items": [i[0] for i in calendar_items],
        }
    )
    return site


def _hazard(kind: str, host: str, paths: list[str], expected: str, art: Report, **more) -> dict:
    return {
        "kind": kind,
        "adcode": art.adcode,
        "host": host,
        "paths": paths,
        "expected": expected,
        "title": art.title,
        **more,
    }


def _archive(site: SiteBuild, county: County, hidden: Sequence[Report]) -> None:
    """The robots.txt-disallowed archive column and the reports only it lists."""
    lis = []
    for art in hidden:
        art.page = f"{ARCHIVE}post_{stable_id(county.adcode, art.title, digits=7)}.html"
        art.document = art.page
        site.files[art.page] = _detail(art, article_body(art, None)).encode()
        lis.append(
            f'<li><a href="{art.page}">{escape(art.title)}</a><span>{art.published}</span></li>'
        )
        site.excluded.append({**art.truth(), "reason": "robots_disallowed"})
        site.hazards.append(
            _hazard(
                "robots_disallowed",
                county.host,
                [ARCHIVE, art.page],
                f"robots.txt disallows {ARCHIVE}: do not fetch; the report is under "
                "truth['excluded'], not 'reports'",
                art,
            )
        )
    body = f'<ul class="list">\n{"".join(lis)}\n</ul>'
    site.files[f"{ARCHIVE}index.html"] = page("历史年报归档", body, nav=_nav()).encode()


def _home(site: SiteBuild, county: County, offsite: Sequence[tuple[str, str]]) -> None:
    friends = "".join(f'<li><a href="{escape(u)}">{escape(t)}</a></li>' for u, t in offsite)
    month = dt.date.fromisoformat(f"{CALENDAR_START}-01")
    home = (
        '<ul class="links">'
        f'<li><a href="/gkmlpt/index#{NB_CAT}">政府信息公开年报</a></li>'
        f'<li><a href="/gkmlpt/index#{TZGG_CAT}">通知公告</a></li>'
        f'<li><a href="{CALENDAR}?month={month:%Y-%m}">活动日历</a></li>'
        f'<li><a href="{ARCHIVE}index.html">历史年报归档</a></li>'
        '<li><a href="/search/index.html">站内搜索</a></li></ul>\n'
        f'<div class="friends"><h3>兄弟县区</h3><ul>{friends}</ul></div>'
    )
    site.files["/index.html"] = page(f"{county.name}人民政府", home, nav=_nav()).encode()
    site.files["/search/index.html"] = page("搜索", "<form></form>", nav=_nav()).encode()

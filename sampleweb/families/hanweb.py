"""The Hanweb (大汉 JCMS) county: jpage column filled by POSTs to dataproxy.jsp.

The report column page holds no list items, only the jpage init script carrying ``columnid``,
``unitid``, ``webid`` and ``perpage``; the list comes from ``/module/web/jpage/dataproxy.jsp``,
which the server answers from ``SiteBuild.server["dataproxy"]``. PDFs are served by
``/module/download/downfile.jsp?classid=0&filename=<hex>.pdf`` with a Content-Disposition name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from html import escape

from ..counties import County
from ..reportdata import Report
from .common import Distractor, SiteBuild, article_body, items_by_date, page, pdf_bytes, robots

XXGK_COL = 1229000101
NB_COL = 1229000117
GUIDE_COL = 1229000102
UNITID = 4821
WEBID = 1
PERPAGE = 10
GROUP = 3  # jpage asks for perpage * group records per POST
DOWNLOAD_DIR = "/module/download/files"


def _art_path(published: str, n: int) -> str:
    d = dt.date.fromisoformat(published)
    return f"/art/{d.year}/{d.month}/{d.day}/art_{NB_COL}_{n}.html"


def _record(path: str, title: str, published: str, i: int) -> str:
    a = (
        f'<a href="{path}" title="{escape(title)}" target="_blank">'
        if i % 2 == 0
        else f'<a title="{escape(title)}" target="_blank" href="{path}">'
    )
    return f"<li>{a}{escape(title)}</a><span>{published}</span></li>"


def _nav(county: County) -> list[tuple[str, str]]:
    return [
        ("/", "首页"),
        (f"/col/col{XXGK_COL}/index.html", "政府信息公开"),
        ("/module/search/index.html", "站内搜索"),
    ]


def column_page(county: County) -> str:
    """The report column: a jpage container and its init script, no list items."""
    web = f"{county.name}人民政府"
    script = (
        f'<div id="div{UNITID}"></div>\n'
        '<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>\n'
        '<script type="text/javascript">\n'
        "$(document).ready(function(){\n"
        f"  $('#div{UNITID}').jpage({{\n"
        "    proxyUrl: '/module/web/jpage/dataproxy.jsp',\n"
        f"    perpage: {PERPAGE}, groupSize: {GROUP}, objectType: 'li',\n"
        "    ajaxParam: {col: 1, appid: 1, "
        f"webid: {WEBID}, path: '/', columnid: {NB_COL}, sourceContentType: 1, "
        f"unitid: {UNITID}, webname: '{web}', permissiontype: 0}}\n"
        "  });\n});\n</script>"
    )
    body = f'<div class="position">当前位置：首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div>\n{script}'
    return page(f"政府信息公开年报 {web}", body, nav=_nav(county))


def build(county: County, reports: list[Report], extras: list[Distractor]) -> SiteBuild:
    """Lay out the Hanweb site; sets ``page``/``document``/``file`` on every report."""
    site = SiteBuild()
    nav = _nav(county)
    records = []
    downloads = {}
    for i, art in enumerate(items_by_date(reports, extras)):
        n = 10000 + int(hashlib.sha256(art.title.encode()).hexdigest()[:6], 16) % 90000
        path = _art_path(art.published, n)
        art.page = path
        records.append(_record(path, art.title, art.published, i))
        if isinstance(art, Report):
            attachment = None
            if art.style.fmt == "pdf":
                name = hashlib.sha1(f"{art.adcode}{art.title}".encode()).hexdigest() + ".pdf"
                attachment = f"/module/download/downfile.jsp?classid=0&filename={name}"
                site.files[f"{DOWNLOAD_DIR}/{name}"] = pdf_bytes(art)
                site.stored[attachment] = f"{DOWNLOAD_DIR}/{name}"
                downloads[name] = f"{art.title}.pdf"
            art.document = attachment or path
            content = article_body(art, attachment)
        else:
            content = f"<p>{escape(art.text)}</p>"
        metas = {
            "ArticleTitle": art.title,
            "PubDate": f"{art.published} 09:30",
            "ContentSource": art.publisher,
        }
        body = (
            f'<h1>{escape(art.title)}</h1>\n<div class="info">发布日期：{art.published}'
            f'　来源：{escape(art.publisher)}</div>\n<meta name="ContentStart">'
            f'<div id="zoom">\n{content}\n</div><meta name="ContentEnd">'
        )
        site.files[path] = page(art.title, body, nav=nav, metas=metas).encode()
    home = (
        '<div class="banner">欢迎访问</div>\n<ul class="links">'
        f'<li><a href="/col/col{XXGK_COL}/index.html">政府信息公开</a></li>'
        '<li><a href="/module/search/index.html">站内搜索</a></li></ul>'
    )
    site.files["/index.html"] = page(f"{county.name}人民政府", home, nav=nav).encode()
    xxgk = (
        f'<ul><li><a href="/col/col{GUIDE_COL}/index.html">政府信息公开指南</a></li>'
        f'<li><a href="/col/col{NB_COL}/index.html">政府信息公开年报</a></li></ul>'
    )
    site.files[f"/col/col{XXGK_COL}/index.html"] = page("政府信息公开", xxgk, nav=nav).encode()
    guide = "<p>本指南说明政府信息公开的方式、途径和程序。</p>"
    site.files[f"/col/col{GUIDE_COL}/index.html"] = page(
        "政府信息公开指南", guide, nav=nav
    ).encode()
    site.files[f"/col/col{NB_COL}/index.html"] = column_page(county).encode()
    site.files["/module/search/index.html"] = page("站内搜索", "<form></form>", nav=nav).encode()
    site.files["/robots.txt"] = robots("/module/search/")
    site.server = {
        "dataproxy": {
            str(NB_COL): {
                "unitid": str(UNITID),
                "webid": str(WEBID),
                "perpage": PERPAGE,
                "group": GROUP,
                "records": records,
            }
        },
        "downloads": {"dir": DOWNLOAD_DIR, "names": downloads},
    }
    return site

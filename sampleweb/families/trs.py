"""The TRS WCM county: GBK pages, ``createPageHTML`` pagination, relative article links.

Pages are encoded GBK and declared ``gb2312`` (header and ``<meta>``); the server sets the header
from ``SiteBuild.server["charset"]``. Article links are ``./YYYYMM/tYYYYMMDD_ID.html`` relative to
the column, attachments ``./P0YYYYMMDD….pdf`` relative to the article.
"""

from __future__ import annotations

from html import escape

from ..counties import County
from ..reportdata import Report
from .common import (
    Distractor,
    SiteBuild,
    article_body,
    items_by_date,
    page,
    pdf_bytes,
    robots,
    stable_id,
)

CHARSET = "gb2312"
COLUMN = "/zwgk/zfxxgk/zfxxgknb/"
PER_PAGE = 8


def _encode(html: str) -> bytes:
    return html.encode("gbk")


def _nav() -> list[tuple[str, str]]:
    return [("/", "首页"), ("/zwgk/", "政务公开"), ("/was5/web/search/", "检索")]


def _list_page(county: County, items: list, n: int, pages: int) -> str:
    lis = "\n".join(
        f'<li><a href=".{a.page[len(COLUMN) - 1 :]}" target="_blank" title="{escape(a.title)}">'
        f"{escape(a.title)}</a><span>{a.published}</span></li>"
        for a in items
    )
    body = (
        '<div class="position">您当前的位置：<a href="../../../">首页</a> &gt; '
        '<a href="../../">政务公开</a> &gt; <a href="../">政府信息公开</a> &gt; 政府信息公开年报</div>\n'
        f'<ul class="list">\n{lis}\n</ul>\n'
        '<div class="page"><script type="text/javascript">\n'
        f'createPageHTML({pages}, {n}, "index", "html");\n</script></div>'
    )
    return page(f"政府信息公开年报_{county.name}人民政府", body, nav=_nav(), charset=CHARSET)


def build(county: County, reports: list[Report], extras: list[Distractor]) -> SiteBuild:
    """Lay out the TRS site; sets ``page``/``document``/``file`` on every report."""
    site = SiteBuild(server={"charset": CHARSET})
    nav = _nav()
    arts = items_by_date(reports, extras)
    for art in arts:
        ymd = art.published.replace("-", "")
        n = stable_id(county.adcode, art.title, digits=7)
        art.page = f"{COLUMN}{ymd[:6]}/t{ymd}_{n}.html"
        if isinstance(art, Report):
            attachment = None
            if art.style.fmt == "pdf":
                attachment = f"./P0{ymd}{stable_id(art.title, 'pdf', digits=9)}.pdf"
                art.document = f"{COLUMN}{ymd[:6]}/{attachment[2:]}"
                site.files[art.document] = pdf_bytes(art)
            else:
                art.document = art.page
            content = article_body(art, attachment)
        else:
            content = f"<p>{escape(art.text)}</p>"
        metas = {
            "ArticleTitle": art.title,
            "PubDate": f"{art.published} 10:12",
            "ContentSource": art.publisher,
            "ChnlId": "4417",
            "DocId": str(n),
        }
        body = (
            f'<h1>{escape(art.title)}</h1>\n<div class="info">发布时间：{art.published}'
            f'　来源：{escape(art.publisher)}</div>\n<div class="TRS_Editor">\n{content}\n</div>'
        )
        site.files[art.page] = _encode(page(art.title, body, nav=nav, charset=CHARSET, metas=metas))
    pages = (len(arts) + PER_PAGE - 1) // PER_PAGE
    for n in range(pages):
        name = "index.html" if n == 0 else f"index_{n}.html"
        chunk = arts[n * PER_PAGE : (n + 1) * PER_PAGE]
        site.files[COLUMN + name] = _encode(_list_page(county, chunk, n, pages))
    home = (
        '<ul class="links"><li><a href="./zwgk/">政务公开</a></li>'
        '<li><a href="/was5/web/search/">站内检索</a></li></ul>'
    )
    site.files["/index.html"] = _encode(
        page(f"{county.name}人民政府", home, nav=nav, charset=CHARSET)
    )
    zwgk = (
        '<ul><li><a href="./zfxxgk/">政府信息公开</a></li>'
        '<li><a href="./zcjd/">政策解读</a></li></ul>'
    )
    site.files["/zwgk/index.html"] = _encode(page("政务公开", zwgk, nav=nav, charset=CHARSET))
    site.files["/zwgk/zcjd/index.html"] = _encode(
        page("政策解读", "<p>暂无信息</p>", nav=nav, charset=CHARSET)
    )
    xxgk = (
        '<ul><li><a href="./zfxxgkzn/">政府信息公开指南</a></li>'
        '<li><a href="./zfxxgknb/">政府信息公开年报</a></li></ul>'
    )
    site.files["/zwgk/zfxxgk/index.html"] = _encode(
        page("政府信息公开", xxgk, nav=nav, charset=CHARSET)
    )
    site.files["/zwgk/zfxxgk/zfxxgkzn/index.html"] = _encode(
        page(
            "政府信息公开指南",
            "<p>本指南说明政府信息公开的方式和程序。</p>",
            nav=nav,
            charset=CHARSET,
        )
    )
    site.files["/was5/web/search/index.html"] = _encode(
        page("检索", "<form></form>", nav=nav, charset=CHARSET)
    )
    site.files["/robots.txt"] = robots("/was5/")
    return site

"""The 2020 standard 政府信息公开平台 county: one sub-column per issuing organ.

Each sub-column is a paged list (``index.html``, ``index_2.html`` …) linked by 下一页;
articles are ``…/content_{id}.html``, attachments sit under ``/uploadfile/``.
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

ROOT = "/zfxxgk/zfxxgknb/"
PER_PAGE = 4


def _nav() -> list[tuple[str, str]]:
    return [("/", "首页"), ("/zfxxgk/index.html", "政府信息公开"), ("/search/index.html", "搜索")]


def _pager(n: int, pages: int) -> str:
    name = lambda k: "index.html" if k == 1 else f"index_{k}.html"  # noqa: E731
    links = [f'<a href="{name(1)}">首页</a>']
    if n > 1:
        links.append(f'<a href="{name(n - 1)}">上一页</a>')
    if n < pages:
        links.append(f'<a href="{name(n + 1)}">下一页</a>')
    links.append(f'<a href="{name(pages)}">尾页</a>')
    return f'<div class="pagination">{" ".join(links)} 共{pages}页</div>'


def build(
    county: County, reports: list[Report], extras: list[Distractor], root: str = ROOT
) -> SiteBuild:
    """Lay out the standard-platform site; sets ``page``/``document``/``file`` on every report.

    :param root: the report column (the full profile's slow county uses an unguessable slug)
    """
    site = SiteBuild()
    nav = _nav()
    subcols = []
    for organ in county.organs:
        name = organ.name(county.name)
        folder = f"{root}{organ.slug}/"
        subcols.append((folder, name))
        arts = items_by_date(
            [r for r in reports if r.publisher == name], [d for d in extras if d.publisher == name]
        )
        for art in arts:
            n = stable_id(county.adcode, art.title, digits=8)
            art.page = f"{folder}content_{n}.html"
            if isinstance(art, Report):
                attachment = None
                if art.style.fmt == "pdf":
                    ymd = art.published.replace("-", "")
                    attachment = f"/uploadfile/{ymd[:6]}/{ymd}{stable_id(art.title, digits=6)}.pdf"
                    site.files[attachment] = pdf_bytes(art)
                art.document = attachment or art.page
                content = article_body(art, attachment)
            else:
                content = f"<p>{escape(art.text)}</p>"
            metas = {
                "ArticleTitle": art.title,
                "PubDate": art.published,
                "ContentSource": art.publisher,
            }
            table = (
                f'<table class="xxgk-meta"><tr><td>发布机构：</td><td>{escape(art.publisher)}'
                f"</td><td>成文日期：</td><td>{art.published}</td></tr></table>"
            )
            body = (
                f"{table}\n<h1>{escape(art.title)}</h1>\n"
                f'<div id="UCAP-CONTENT" class="article-content">\n{content}\n</div>'
            )
            site.files[art.page] = page(art.title, body, nav=nav, metas=metas).encode()
        pages = max(1, (len(arts) + PER_PAGE - 1) // PER_PAGE)
        for k in range(1, pages + 1):
            chunk = arts[(k - 1) * PER_PAGE : k * PER_PAGE]
            lis = "\n".join(
                f'<li><span class="date">{a.published}</span><a href="{a.page.rsplit("/", 1)[1]}" '
                f'title="{escape(a.title)}">{escape(a.title)}</a></li>'
                for a in chunk
            )
            body = f'<h2>{escape(name)}</h2>\n<ul class="list">\n{lis}\n</ul>\n{_pager(k, pages)}'
            fname = "index.html" if k == 1 else f"index_{k}.html"
            site.files[folder + fname] = page(f"{name}_政府信息公开年报", body, nav=nav).encode()
    cols = "\n".join(f'<li><a href="{f}index.html">{escape(n)}</a></li>' for f, n in subcols)
    site.files[root + "index.html"] = page(
        "政府信息公开年报", f'<ul class="subcolumns">\n{cols}\n</ul>', nav=nav
    ).encode()
    xxgk = (
        '<ul><li><a href="/zfxxgk/fdzdgknr/index.html">法定主动公开内容</a></li>'
        f'<li><a href="{root}index.html">政府信息公开年报</a></li></ul>'
    )
    site.files["/zfxxgk/index.html"] = page("政府信息公开", xxgk, nav=nav).encode()
    site.files["/zfxxgk/fdzdgknr/index.html"] = page(
        "法定主动公开内容", "<p>暂无信息</p>", nav=nav
    ).encode()
    home = '<ul class="links"><li><a href="/zfxxgk/index.html">政府信息公开</a></li></ul>'
    site.files["/index.html"] = page(f"{county.name}人民政府", home, nav=nav).encode()
    site.files["/search/index.html"] = page("搜索", "<form></form>", nav=nav).encode()
    site.files["/robots.txt"] = robots("/search/")
    return site

"""Dynamic answers of the full profile: the gkmlpt list API, the calendar trap, the 412 wall.

Each returns ``(status, headers, body)`` like the server's other routes.

Example::

    >>> status, headers, body = antibot("GET", "", b"")
    >>> status, b"$_ts" in body
    (412, True)
"""

from __future__ import annotations

import json
import re
from html import escape
from urllib.parse import parse_qs

GKMLPT_API = "/gkmlpt/api/all/"
Answer = tuple[int, dict, bytes]

_TS_PAGE = (
    "<!DOCTYPE html>\n<html><head>\n"
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
    '<meta id="9DhefwqGPrzGxEp9hPaoag" content="Q1cX7gvBNaSmXG3Yp2ArqELz5LB0fLVQu3bf">\n'
    "<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
    '$_ts.nsd=48217;$_ts.cd="qErcrrAlEkWlxGQkqrlrcGAkqsqqckQrcGWmDaQpkq9lDaqlrkQcDGqqxaqrcGqmwq";'
    "</script>\n"
    '<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVI/c.FxJzG50F.dfe1675.js" '
    "r='m'></script>\n</head><body></body></html>\n"
)


def _query(query: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(query).items()}


def antibot(method: str, query: str, body: bytes) -> Answer:
    """Ruishu-style challenge: 412, a cookie, and a page that is only the ``$_ts`` script."""
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Set-Cookie": "FSSBBIl1UgzbN7NO=5wYbE3mJ1xq2YzGk; Path=/; HttpOnly",
    }
    return 412, headers, _TS_PAGE.encode()


def gkmlpt_api(origin: str, conf: dict, path: str, query: str) -> Answer:
    """``/gkmlpt/api/all/{catid}?page=N&sid=SID``: ``per_page`` articles of a category.

    A wrong ``sid`` or an unknown category gives ``total`` 0; a page past the end is empty.
    URLs are absolute on the site's origin, as the real platform returns them.
    """
    q = _query(query)
    catid = path[len(GKMLPT_API) :].strip("/")
    articles = conf["categories"].get(catid, []) if q.get("sid") == conf["sid"] else []
    try:
        page = max(1, int(q.get("page", "1")))
    except ValueError:
        page = 1
    per = conf["per_page"]
    chosen = [{**a, "url": origin + a["url"]} for a in articles[(page - 1) * per : page * per]]
    data = json.dumps({"total": len(articles), "articles": chosen}, ensure_ascii=False)
    return 200, {"Content-Type": "application/json; charset=utf-8"}, data.encode()


def _month(value: str | None) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4,})-(\d{1,2})", value or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        return 2024, 12
    return int(m.group(1)), int(m.group(2))


def calendar(conf: dict, query: str) -> Answer:
    """One month of an endless activity calendar: the same items, links to both neighbours."""
    year, month = _month(_query(query).get("month"))
    prev = (year, month - 1) if month > 1 else (year - 1, 12)
    nxt = (year, month + 1) if month < 12 else (year + 1, 1)
    items = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in conf["items"])
    html = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>活动日历 {year}年{month}月</title></head><body>\n"
        f"<h1>活动日历 {year}年{month}月</h1>\n<ul>{items}</ul>\n"
        f'<a href="{conf["path"]}?month={prev[0]}-{prev[1]:02d}">上个月</a> '
        f'<a href="{conf["path"]}?month={nxt[0]}-{nxt[1]:02d}">下个月</a>\n</body></html>\n'
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode()

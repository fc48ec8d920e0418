"""Decode Chinese government pages right.

Settings: ``NIANBAO_ENCODING_ENABLED``. Pages labelled gb2312/gbk/gb18030 (header or ``<meta>``)
are decoded as GB18030, the superset the sites really use. A page labelled UTF-8 (or not labelled)
whose bytes are not valid UTF-8 but are valid GB18030 is decoded as GB18030: editors save GBK
files into UTF-8 templates. The body bytes are never changed, only the encoding used to read them.
Stats: ``nianbao/encoding/<encoding>``.
"""

from __future__ import annotations

import re

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse

GB_LABELS = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "csgb2312"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_XML_DECL = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.I)


def declared_encodings(content_type: bytes | None, body: bytes) -> list[str]:
    """Every encoding a response declares (header first, then ``<meta>``/XML), lower-cased.

    >>> declared_encodings(b"text/html; charset=GB2312", b'<meta charset="utf-8">')
    ['gb2312', 'utf-8']
    """
    found: list[str] = []
    if content_type:
        match = re.search(rb"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.I)
        if match:
            found.append(match.group(1).decode("ascii").lower())
    head = body[:4096]
    for pattern in (_META_CHARSET, _XML_DECL):
        match = pattern.search(head)
        if match:
            found.append(match.group(1).decode("ascii", "replace").lower())
    return found


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def fixed_encoding(content_type: bytes | None, body: bytes) -> str | None:
    """The encoding to read the body with when Scrapy's choice would be wrong, else None.

    >>> fixed_encoding(b"text/html; charset=gb2312", "政府".encode("gbk"))
    'gb18030'
    >>> fixed_encoding(b"text/html; charset=utf-8", "政府信息公开".encode("gbk"))
    'gb18030'
    >>> fixed_encoding(b"text/html; charset=utf-8", "政府".encode("utf-8")) is None
    True
    """
    declared = declared_encodings(content_type, body)
    if declared and declared[0] in GB_LABELS:
        return "gb18030"
    if not declared or declared[0] in ("utf-8", "utf8"):
        # Whatever the label or the <meta> say, bytes that only read as GBK are GBK.
        if not _decodes(body, "utf-8") and _decodes(body, "gb18030"):
            return "gb18030"
    return None


class EncodingFixMiddleware:
    """Replaces a text response's encoding with GB18030 where that is what its bytes are."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("NIANBAO_ENCODING_ENABLED"):
            raise NotConfigured
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingFixMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            return response
        encoding = fixed_encoding(response.headers.get("Content-Type"), response.body)
        if encoding is None:
            return response
        self.stats.inc_value(f"nianbao/encoding/{encoding}")
        return response.replace(encoding=encoding)

"""Recognising attachment links and naming downloaded files.

Attachments are links whose path ends in one of ``NIANBAO_ATTACHMENT_EXTENSIONS`` or that go
through a download script (Hanweb ``downfile.jsp``, ``download.jsp``, ``DownLoad.aspx`` …). The
file name comes from ``Content-Disposition`` (RFC 6266 ``filename*``, percent-encoded UTF-8 or
GBK, or raw GBK/UTF-8 bytes, as CMSs send them), then from the URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from posixpath import basename
from urllib.parse import parse_qs, unquote, unquote_to_bytes, urlsplit

DOWNLOAD_SCRIPTS = re.compile(
    r"/(?:downfile|download|fileDownload|downLoad)\.(?:jsp|aspx?|do|php)$", re.I
)
DEFAULT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "ofd", "xls", "xlsx", "jpg", "jpeg", "png")
# The document to parse when an article has several attachments: text formats first.
PREFERENCE = ("pdf", "docx", "doc", "wps", "ofd", "xlsx", "xls")
IMAGES = ("jpg", "jpeg", "png")


def extension(url_or_name: str) -> str:
    """The lower-case file extension of a URL (path or ``filename=`` parameter) or a name.

    >>> extension("/module/download/downfile.jsp?classid=0&filename=ab12.pdf")
    'pdf'
    >>> extension("./P020240131.DOCX")
    'docx'
    """
    parts = urlsplit(url_or_name)
    if DOWNLOAD_SCRIPTS.search(parts.path):
        for values in parse_qs(parts.query).values():
            for value in values:
                if "." in value:
                    return value.rsplit(".", 1)[1].lower()
        return ""
    name = basename(parts.path)
    return name.rsplit(".", 1)[1].lower() if "." in name else ""


def is_attachment(url: str, extensions: Iterable[str] = DEFAULT_EXTENSIONS) -> bool:
    """True for links to files rather than pages.

    >>> is_attachment("http://x/module/download/downfile.jsp?classid=0&filename=1a.pdf")
    True
    >>> is_attachment("http://x/art/2024/1/30/art_1_2.html")
    False
    """
    if DOWNLOAD_SCRIPTS.search(urlsplit(url).path):
        return True
    return extension(url) in set(extensions)


def preferred(urls: Iterable[str]) -> str | None:
    """The attachment to parse as the report: by :data:`PREFERENCE`, images never.

    >>> preferred(["a.jpg", "b.doc", "c.pdf"])
    'c.pdf'
    """
    ranked = [
        (PREFERENCE.index(extension(u)), i, u)
        for i, u in enumerate(urls)
        if extension(u) in PREFERENCE
    ]
    return min(ranked)[2] if ranked else None


def _decode_bytes(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def disposition_filename(header: bytes | str | None) -> str | None:
    """The file name in a ``Content-Disposition`` header, decoded.

    >>> disposition_filename("attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf")
    '年报.pdf'
    >>> disposition_filename('attachment; filename="年报.pdf"'.encode("gbk"))
    '年报.pdf'
    >>> disposition_filename("attachment; filename=%C4%EA%B1%A8.pdf")
    '年报.pdf'
    >>> disposition_filename("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fcron.d%2Fx.pdf")
    'x.pdf'
    """
    if not header:
        return None
    raw = header if isinstance(header, bytes) else header.encode("utf-8")
    star = re.search(rb"filename\*\s*=\s*([\w-]+)'[^']*'([^;]+)", raw, re.I)
    if star:
        charset = star.group(1).decode("ascii").lower()
        value = unquote_to_bytes(star.group(2).strip().strip(b'"').decode("latin-1"))
        try:
            name = value.decode("gb18030" if charset in ("gbk", "gb2312") else charset)
        except (LookupError, UnicodeDecodeError):
            name = _decode_bytes(value)
        # a name is never a path: ``../`` and absolute names keep only their last part
        return basename(name.replace("\\", "/")) or None
    plain = re.search(rb"filename\s*=\s*(\"([^\"]*)\"|[^;]+)", raw, re.I)
    if not plain:
        return None
    value = (plain.group(2) if plain.group(2) is not None else plain.group(1)).strip()
    if re.search(rb"%[0-9A-Fa-f]{2}", value):
        value = unquote_to_bytes(value.decode("latin-1"))
    name = _decode_bytes(value)
    return basename(name.replace("\\", "/")) or None


def url_filename(url: str) -> str | None:
    """A file name from the URL (the ``filename=`` parameter of a download script, or the path).

    >>> url_filename("http://x/zfxxgknb/202401/P020240131.pdf")
    'P020240131.pdf'
    """
    parts = urlsplit(url)
    for key, values in parse_qs(parts.query).items():
        if key.lower() in ("filename", "file", "name") and values:
            return basename(values[0])
    name = unquote(basename(parts.path))
    return name or None

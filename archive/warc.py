"""A WARC/1.1 writer for request/response exchanges, built on warcio.

Each file starts with a ``warcinfo`` record; each exchange becomes a ``request`` and a ``response``
record that point at each other with ``WARC-Concurrent-To``. Every record is its own gzip member,
serialised completely in memory and then written with one ``write`` and a flush, so a crash can at
worst lose the record being written, never corrupt the ones before it. Files rotate when they pass
``max_size`` bytes and are named ``<prefix>-<UTC>-<nnnnn>.warc.gz``.

HTTP header blocks are written byte for byte as given (warcio would percent-encode non-ASCII header
bytes such as a GBK ``Content-Disposition``), so the records are assembled here and digests
(``sha1:`` base32, as warcio computes them) are supplied by us. Scrapy hands over bodies with the
chunked transfer coding already removed, so a ``Transfer-Encoding`` header is renamed to
``X-Nianbao-Original-Transfer-Encoding`` to keep the record self-consistent; content codings
(gzip, br) are kept exactly as they came off the wire.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

Header = tuple[str | bytes, str | bytes]

_DROPPED = {b"transfer-encoding": b"X-Nianbao-Original-Transfer-Encoding"}


def _b(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def warc_digest(data: bytes) -> str:
    """The ``sha1:<base32>`` digest form used in WARC headers.

    >>> warc_digest(b"")
    'sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    """
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def warc_date(moment: datetime | None = None) -> str:
    """A WARC/1.1 date with microseconds, e.g. ``2026-01-30T08:00:00.000000Z``."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def http_request_block(url: str, method: str, headers: Iterable[Header], body: bytes) -> bytes:
    """The HTTP request as it went out: request line with path and query, headers, body.

    >>> http_request_block("http://a.example/x?y=1", "GET", [], b"")
    b'GET /x?y=1 HTTP/1.1\\r\\nHost: a.example\\r\\n\\r\\n'
    """
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method.upper()} {target} HTTP/1.1".encode()]
    headers = list(headers)
    names = {_b(name).lower() for name, _ in headers}
    if b"host" not in names:
        lines.append(
            b"Host: " + parts.netloc.encode("idna" if not parts.netloc.isascii() else "ascii")
        )
    lines.extend(_b(name) + b": " + _b(value) for name, value in headers)
    if body and b"content-length" not in names:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def http_response_block(
    status: int, headers: Iterable[Header], body: bytes, protocol: str = "HTTP/1.1"
) -> bytes:
    """The HTTP response: status line, headers as received, body as received.

    >>> http_response_block(200, [("Content-Type", "text/plain")], b"hi")
    b'HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nhi'
    """
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"{protocol} {status} {reason}".encode()]
    for name, value in headers:
        name_b = _DROPPED.get(_b(name).lower(), _b(name))
        lines.append(name_b + b": " + _b(value))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class WarcWriter:
    """Writes exchanges to rotating gzipped WARC/1.1 files in ``directory``.

    >>> writer = WarcWriter(tmp / "warc")  # doctest: +SKIP
    >>> name, offset = writer.write_exchange(url="http://a.example/", method="GET",
    ...     request_headers=[], request_body=b"", status=200,
    ...     response_headers=[("Content-Type", "text/html")], response_body=b"<p>hi")  # doctest: +SKIP
    >>> writer.close()  # doctest: +SKIP

    :param directory: where the files go (created if missing).
    :param prefix: file name prefix.
    :param max_size: rotate to a new file once the current one reaches this many bytes.
    :param info: fields for each file's ``warcinfo`` record.
    """

    def __init__(
        self,
        directory: Path | str,
        *,
        prefix: str = "nianbao",
        max_size: int = 1_000_000_000,
        info: dict[str, str] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.info = {"software": "nianbao crawler (warcio)", "format": "WARC File Format 1.1"}
        self.info.update(info or {})
        self.serial = 0
        self.files: list[Path] = []
        self._fh: io.BufferedWriter | None = None
        self._builder = RecordBuilder(warc_version="1.1")

    @property
    def current(self) -> Path | None:
        """The file being written, if any."""
        return self.files[-1] if self._fh else None

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        while True:
            self.serial += 1
            path = self.directory / f"{self.prefix}-{stamp}-{self.serial:05d}.warc.gz"
            if not path.exists():
                break
        self._fh = open(path, "xb")  # noqa: SIM115 -- held open across records
        self.files.append(path)
        record = self._builder.create_warcinfo_record(path.name, self.info)
        self._write(record)

    def _write(self, record: ArcWarcRecord) -> int:
        buf = io.BytesIO()
        WARCWriter(buf, gzip=True, warc_version="1.1").write_record(record)
        assert self._fh is not None
        offset = self._fh.tell()
        self._fh.write(buf.getvalue())
        self._fh.flush()
        return offset

    def _ensure_open(self) -> None:
        if self._fh is None:
            self._open()
        elif self._fh.tell() >= self.max_size:
            self._close_file()
            self._open()

    def _record(
        self, record_type: str, url: str, block: bytes, payload: bytes, fields: dict[str, str]
    ) -> ArcWarcRecord:
        headers = StatusAndHeaders(
            "",
            [
                ("WARC-Type", record_type),
                ("WARC-Target-URI", url),
                *fields.items(),
                ("WARC-Block-Digest", warc_digest(block)),
                ("WARC-Payload-Digest", warc_digest(payload)),
            ],
            protocol="WARC/1.1",
        )
        content_type = f"application/http; msgtype={record_type}"
        record = ArcWarcRecord(
            "warc", record_type, headers, io.BytesIO(block), None, content_type, len(block)
        )
        record.payload_length = len(block)
        return record

    def write_exchange(
        self,
        *,
        url: str,
        method: str,
        request_headers: Iterable[Header],
        request_body: bytes,
        status: int,
        response_headers: Iterable[Header],
        response_body: bytes,
        protocol: str = "HTTP/1.1",
        ip_address: str | None = None,
        date: datetime | None = None,
    ) -> tuple[str, int]:
        """Write one request and its response; return (file name, offset of the response record).

        :param url: the requested URL, query string included.
        :param method: ``GET``, ``POST`` …
        :param request_headers: (name, value) pairs as sent.
        :param request_body: the request body (form fields of a POST), exactly.
        :param status: the HTTP status code.
        :param response_headers: (name, value) pairs as received, bytes kept as they are.
        :param response_body: the body as it came off the wire (still content-encoded).
        """
        self._ensure_open()
        when = warc_date(date)
        request_id = self._builder._make_warc_id()
        response_id = self._builder._make_warc_id()
        common = {"WARC-Date": when}
        if ip_address:
            common["WARC-IP-Address"] = ip_address
        response = self._record(
            "response",
            url,
            http_response_block(status, response_headers, response_body, protocol),
            response_body,
            {"WARC-Record-ID": response_id, **common, "WARC-Concurrent-To": request_id},
        )
        request = self._record(
            "request",
            url,
            http_request_block(url, method, request_headers, request_body),
            request_body,
            {"WARC-Record-ID": request_id, **common, "WARC-Concurrent-To": response_id},
        )
        self._write(request)
        offset = self._write(response)
        assert self.current is not None
        return self.current.name, offset

    def _close_file(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def close(self) -> None:
        """Flush, fsync and close the current file."""
        self._close_file()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

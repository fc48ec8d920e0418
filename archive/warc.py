"""A WARC/1.1 writer for request/response exchanges, built on warcio.

Each file starts with a ``warcinfo`` record; each exchange becomes a ``request`` and a ``response``
record that point at each other with ``WARC-Concurrent-To``. Every record is its own gzip member,
serialised completely in memory and then written with one ``write`` and a flush, so a crash can at
worst lose the record being written, never corrupt the ones before it. Files rotate when they pass
``max_size`` bytes and are named ``<prefix>-<UTC>-<nnnnn>.warc.gz``. While open, a file is named
``….warc.gz.open``; it gets its final name when closed. A file left ``.open`` by a killed process
is repaired by :func:`repair_open_files` (cut after its last complete record, then renamed), which
every new writer runs on its directory first, so no reader ever meets a truncated record.

Unchanged responses are written as ``revisit`` records (:meth:`WarcWriter.write_exchange` with
``refers_to``): profile ``identical-payload-digest`` when a 200 carries the bytes archived before,
``server-not-modified`` for a 304, the HTTP headers kept and the payload left out.

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
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter
from zlib_ng import zlib_ng

Header = tuple[str | bytes, str | bytes]

OPEN_SUFFIX = ".open"
#: zlib's default; warcio's level 9 costs more CPU for files well under 1 % smaller. Records
#: are deflated by zlib-ng: gzip that every zlib reads, for less CPU than zlib's, above all in
#: setting up each record (half of them are small request records)
GZIP_LEVEL = 6
#: payloads already compressed (PDF streams, images, zip-based office files): deflating them
#: again takes ten times the CPU of storing them for about 6 % smaller records, so their
#: records are gzip members at level 0 (still valid gzip for every WARC reader)
STORED_TYPES = (
    "application/pdf",
    "image/",
    "application/zip",
    "application/x-zip",
    "application/vnd.openxmlformats",
    "application/ofd",
    "application/octet-stream",
)


def gzip_level(headers: Iterable[Header]) -> int:
    """The gzip level for a response record with these HTTP headers: 0 when the payload is
    already compressed (a type of :data:`STORED_TYPES`, or any ``Content-Encoding``).

    >>> gzip_level([("Content-Type", "text/html; charset=gbk")])
    6
    >>> gzip_level([(b"Content-Type", b"application/pdf")])
    0
    >>> gzip_level([("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
    0
    """
    values = {_b(name).lower(): _b(value).strip().lower() for name, value in headers}
    if values.get(b"content-encoding", b"identity") != b"identity":
        return 0
    kind = values.get(b"content-type", b"").decode("latin-1")
    return 0 if kind.startswith(STORED_TYPES) else GZIP_LEVEL


PROFILES = {
    "identical": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    "not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}

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
    """A WARC/1.1 date with microseconds.

    >>> warc_date(datetime(2026, 1, 30, 8, tzinfo=UTC))
    '2026-01-30T08:00:00.000000Z'
    """
    moment = datetime.now(UTC) if moment is None else moment.astimezone(UTC)
    # isoformat, unlike strftime, needs no format string parsed on every record
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def record_id() -> str:
    """A new ``WARC-Record-ID``: a random (version 4) UUID as a URN, as warcio makes them.

    >>> import re
    >>> bool(re.fullmatch(r"<urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>",
    ...     record_id()))
    True
    """
    # uuid.uuid4() builds a UUID object and checks it; two of these per exchange added up
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    h = raw.hex()
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}>"


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


def complete_length(data: bytes) -> int:
    """How many leading bytes of ``data`` are complete gzip members holding a WARC record.

    >>> import gzip
    >>> record = gzip.compress(b"WARC/1.1\\r\\n")
    >>> complete_length(record + record[:7]) == len(record)
    True
    """
    good = position = 0
    while position < len(data):
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            head = inflater.decompress(data[position:], 16)
            while not inflater.eof and inflater.unconsumed_tail:
                inflater.decompress(inflater.unconsumed_tail, 1 << 20)
        except zlib.error:
            break
        if not inflater.eof or not head.startswith(b"WARC/"):
            break
        position = len(data) - len(inflater.unused_data)
        good = position
    return good


def repair_open_files(directory: Path | str) -> list[Path]:
    """Finish the ``.open`` WARC files a killed writer left: keep their complete records, drop a
    partial last one, give them their final names. Returns the repaired files.
    """
    repaired = []
    for path in sorted(Path(directory).glob(f"*.warc.gz{OPEN_SUFFIX}")):
        data = path.read_bytes()
        keep = complete_length(data)
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        if keep == 0:
            path.unlink()
            continue
        if keep < len(data):
            with open(path, "r+b") as fh:
                fh.truncate(keep)
                os.fsync(fh.fileno())
        os.replace(path, final)
        repaired.append(final)
    return repaired


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
        self._size = 0
        self._builder = RecordBuilder(warc_version="1.1")
        if self.directory.is_dir():
            repair_open_files(self.directory)

    @property
    def current(self) -> Path | None:
        """The file being written, if any."""
        return self.files[-1] if self._fh else None

    def _final_name(self, path: Path) -> str:
        return path.name[: -len(OPEN_SUFFIX)] if path.name.endswith(OPEN_SUFFIX) else path.name

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        while True:
            self.serial += 1
            name = f"{self.prefix}-{stamp}-{self.serial:05d}.warc.gz"
            path = self.directory / f"{name}{OPEN_SUFFIX}"
            if not path.exists() and not (self.directory / name).exists():
                break
        self._fh = open(path, "xb")  # noqa: SIM115 -- held open across records
        self._size = 0
        self.files.append(path)
        record = self._builder.create_warcinfo_record(name, self.info)
        self._write(record)

    def _write(self, record: ArcWarcRecord | bytes) -> int:
        if isinstance(record, ArcWarcRecord):
            buf = io.BytesIO()
            WARCWriter(buf, gzip=True, warc_version="1.1").write_record(record)
            record = buf.getvalue()
        assert self._fh is not None
        offset = self._size
        try:
            self._fh.write(record)
            self._fh.flush()
        except OSError:
            # a full disk took part of the record: cut it off, so the file still ends on its
            # last complete record and the records written after this one stay readable
            self._cut(offset)
            raise
        # kept here rather than asked of the file: tell() is a system call
        self._size = offset + len(record)
        return offset

    def _cut(self, offset: int) -> None:
        assert self._fh is not None
        try:
            self._fh.close()  # flushing the rest fails again; the descriptor is closed anyway
        except OSError:
            pass
        path = self.files[-1]
        os.truncate(path, offset)
        self._fh = open(path, "ab")  # noqa: SIM115 -- held open across records
        self._size = offset

    def _ensure_open(self) -> None:
        if self._fh is None:
            self._open()
        elif self._size >= self.max_size:
            self._close_file()
            self._open()

    def _record(
        self,
        record_type: str,
        url: str,
        block: bytes,
        payload: bytes,
        fields: dict[str, str],
        payload_digest: str | None = None,
        level: int = GZIP_LEVEL,
    ) -> bytes:
        """One record as a gzip member, headers in warcio's order.

        Serialised here rather than by warcio's writer, whose per-record objects (header
        parsing, digest checks, a writer per record) were most of the cost of archiving.
        """
        msgtype = "request" if record_type == "request" else "response"
        headers = [
            ("WARC-Type", record_type),
            ("WARC-Target-URI", url),
            *fields.items(),
            ("WARC-Block-Digest", warc_digest(block)),
            ("WARC-Payload-Digest", payload_digest or warc_digest(payload)),
            ("Content-Type", f"application/http; msgtype={msgtype}"),
            ("Content-Length", str(len(block))),
        ]
        head = "WARC/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers)
        deflate = zlib_ng.compressobj(level, zlib_ng.DEFLATED, zlib_ng.MAX_WBITS | 16)
        parts = [deflate.compress(head.encode("utf-8") + b"\r\n")]
        parts.append(deflate.compress(block))
        parts.append(deflate.compress(b"\r\n\r\n"))
        parts.append(deflate.flush())
        return b"".join(parts)

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
        refers_to: dict[str, str] | None = None,
        payload_digest: str | None = None,
    ) -> tuple[str, int]:
        """Write one request and its response; return (file name, offset of the response record).

        With ``refers_to`` (``record_id``, ``date``, ``url``, ``digest`` of an earlier response
        record), the response is written as a ``revisit`` record without its payload: profile
        ``server-not-modified`` for a 304, ``identical-payload-digest`` otherwise. The caller
        decides; :meth:`payload_digest` gives the digest to compare.

        :param url: the requested URL, query string included.
        :param method: ``GET``, ``POST`` …
        :param request_headers: (name, value) pairs as sent.
        :param request_body: the request body (form fields of a POST), exactly.
        :param status: the HTTP status code.
        :param response_headers: (name, value) pairs as received, bytes kept as they are.
        :param response_body: the body as it came off the wire (still content-encoded).
        :param payload_digest: :meth:`payload_digest` of ``response_body``, if already known.
        """
        self._ensure_open()
        when = warc_date(date)
        request_id = record_id()
        response_id = record_id()
        common = {"WARC-Date": when}
        if ip_address:
            common["WARC-IP-Address"] = ip_address
        fields = {"WARC-Record-ID": response_id, **common, "WARC-Concurrent-To": request_id}
        if refers_to is not None:
            profile = PROFILES["not-modified" if status == 304 else "identical"]
            fields.update(
                {
                    "WARC-Profile": profile,
                    "WARC-Refers-To": refers_to["record_id"],
                    "WARC-Refers-To-Target-URI": refers_to.get("url") or url,
                    "WARC-Refers-To-Date": refers_to["date"],
                }
            )
            digest = refers_to.get("digest") if status != 304 else None
            response = self._record(
                "revisit",
                url,
                http_response_block(status, response_headers, b"", protocol),
                response_body if status == 304 else b"",
                fields,
                payload_digest=digest,
            )
        else:
            response_headers = list(response_headers)
            response = self._record(
                "response",
                url,
                http_response_block(status, response_headers, response_body, protocol),
                response_body,
                fields,
                payload_digest=payload_digest,
                level=gzip_level(response_headers),
            )
        self.last_response = {"record_id": response_id, "date": when, "url": url}
        request = self._record(
            "request",
            url,
            http_request_block(url, method, request_headers, request_body),
            request_body,
            {"WARC-Record-ID": request_id, **common, "WARC-Concurrent-To": response_id},
        )
        # one write for the pair: a full disk takes both records or neither
        offset = self._write(request + response) + len(request)
        assert self.current is not None
        return self._final_name(self.current), offset

    @staticmethod
    def payload_digest(body: bytes) -> str:
        """The ``WARC-Payload-Digest`` a response with this body gets."""
        return warc_digest(body)

    def _close_file(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
            path = self.files[-1]
            final = path.with_name(self._final_name(path))
            os.replace(path, final)
            self.files[-1] = final

    def close(self) -> None:
        """Flush, fsync and close the current file."""
        self._close_file()

    def __enter__(self) -> WarcWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

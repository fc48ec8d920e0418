"""The WARC writer: records read back with warcio, POST bodies and query strings intact."""

from __future__ import annotations

import gzip
import uuid
from datetime import UTC, datetime, timedelta, timezone

from warcio.archiveiterator import ArchiveIterator

from archive.warc import WarcWriter, record_id, repair_open_files, warc_date
from tests.helpers import archive_get

PROXY = (
    "http://127.0.0.11:8000/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=30&perpage=10"
)
FORM = b"col=1&appid=1&webid=1&path=%2F&columnid=1229000117&webname=%E9%9D%92"
DISPOSITION = 'attachment; filename="青岚县2023年年报.pdf"'.encode("gbk")


def read(path):
    with open(path, "rb") as fh:
        return [
            (
                record.rec_type,
                record.rec_headers,
                record.http_headers,
                record.content_stream().read(),
            )
            for record in ArchiveIterator(fh, check_digests="raise")
        ]


def exchange(writer: WarcWriter, url: str = PROXY, body: bytes = b"<datastore/>"):
    return writer.write_exchange(
        url=url,
        method="POST",
        request_headers=[(b"Content-Type", b"application/x-www-form-urlencoded")],
        request_body=FORM,
        status=200,
        response_headers=[(b"Content-Type", b"text/xml"), (b"Content-Disposition", DISPOSITION)],
        response_body=body,
        ip_address="127.0.0.11",
    )


def test_post_exchange_reads_back(tmp_path):
    with WarcWriter(tmp_path) as writer:
        name, offset = exchange(writer)
    records = read(tmp_path / name)
    assert [r[0] for r in records] == ["warcinfo", "request", "response"]
    _, info_headers, _, info = records[0]
    assert info_headers.protocol == "WARC/1.1"
    assert b"software: nianbao" in info
    _, req_headers, req_http, req_body = records[1]
    _, resp_headers, resp_http, resp_body = records[2]
    assert req_http.protocol == "POST"
    assert req_http.statusline == (
        "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=30&perpage=10 HTTP/1.1"
    )
    assert req_body == FORM
    assert req_headers.get_header("WARC-Target-URI") == PROXY
    assert resp_body == b"<datastore/>"
    assert resp_http.get_statuscode() == "200"
    assert req_headers.get_header("WARC-Concurrent-To") == resp_headers.get_header("WARC-Record-ID")
    assert resp_headers.get_header("WARC-Concurrent-To") == req_headers.get_header("WARC-Record-ID")
    assert resp_headers.get_header("WARC-Payload-Digest").startswith("sha1:")
    assert resp_headers.get_header("WARC-IP-Address") == "127.0.0.11"
    # The offset points at the response record's own gzip member.
    with open(tmp_path / name, "rb") as fh:
        fh.seek(offset)
        assert next(iter(ArchiveIterator(fh))).rec_type == "response"


def test_header_bytes_are_kept_exactly(tmp_path):
    with WarcWriter(tmp_path) as writer:
        name, _ = exchange(writer)
    raw = gzip.decompress((tmp_path / name).read_bytes())  # every gzip member, joined
    assert b"Content-Disposition: " + DISPOSITION + b"\r\n" in raw


def test_every_record_is_readable_before_close(tmp_path):
    writer = WarcWriter(tmp_path)
    name, _ = exchange(writer)
    exchange(writer, url="http://127.0.0.11:8000/a.pdf?x=1", body=b"%PDF-1.7\n")
    # A crash now would leave the file as it is on disk: complete records only.
    records = read(tmp_path / f"{name}.open")
    assert [r[0] for r in records] == ["warcinfo", *["request", "response"] * 2]
    assert records[-1][3] == b"%PDF-1.7\n"
    writer.close()
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_killed_writers_file_is_cut_after_its_last_record_and_renamed(tmp_path):
    writer = WarcWriter(tmp_path)
    name, _ = exchange(writer)
    open_file = tmp_path / f"{name}.open"
    whole = open_file.read_bytes()
    exchange(writer, url="http://127.0.0.11:8000/a.pdf", body=b"%PDF-1.7\n" * 500)
    # kill -9 in the middle of a write: half of the last record reached the disk.
    data = open_file.read_bytes()
    open_file.write_bytes(data[: len(whole) + (len(data) - len(whole)) // 2])
    assert repair_open_files(tmp_path) == [tmp_path / name]
    # The second request record is whole and stays; its cut response is gone.
    assert [r[0] for r in read(tmp_path / name)] == ["warcinfo", "request", "response", "request"]
    assert not open_file.exists()
    assert WarcWriter(tmp_path).files == []  # nothing left to repair, no file opened yet


def test_unchanged_responses_become_revisit_records(tmp_path):
    with WarcWriter(tmp_path) as writer:
        name, _ = exchange(writer, body=b"same bytes")
        first = dict(writer.last_response, digest=writer.payload_digest(b"same bytes"))
        exchange(writer, body=b"same bytes")  # a caller who did not compare: a full copy
        writer.write_exchange(
            url=PROXY,
            method="GET",
            request_headers=[],
            request_body=b"",
            status=200,
            response_headers=[(b"Content-Type", b"text/xml")],
            response_body=b"same bytes",
            refers_to=first,
        )
        writer.write_exchange(
            url=PROXY,
            method="GET",
            request_headers=[(b"If-None-Match", b'"x"')],
            request_body=b"",
            status=304,
            response_headers=[],
            response_body=b"",
            refers_to=first,
        )
    records = read(tmp_path / name)
    revisits = [r for r in records if r[0] == "revisit"]
    assert [r[1].get_header("WARC-Profile").rsplit("/", 1)[1] for r in revisits] == [
        "identical-payload-digest",
        "server-not-modified",
    ]
    assert revisits[0][1].get_header("WARC-Payload-Digest") == first["digest"]
    assert {r[1].get_header("WARC-Refers-To") for r in revisits} == {first["record_id"]}
    assert [r[3].strip() for r in revisits] == [b"", b""]  # headers only, no payload
    assert [r[2].get_statuscode() for r in revisits] == ["200", "304"]


def test_rotation_by_size(tmp_path):
    with WarcWriter(tmp_path, max_size=1) as writer:
        first, _ = exchange(writer)
        second, _ = exchange(writer)
    assert first != second
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first, second])
    for name in (first, second):
        assert [r[0] for r in read(tmp_path / name)] == ["warcinfo", "request", "response"]


def test_compressed_payloads_are_stored_and_text_is_deflated(tmp_path):
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 64  # stands for already-compressed streams
    html = "<p>政府信息公开工作年度报告</p>".encode() * 500
    with WarcWriter(tmp_path) as writer:
        sizes = {}
        for kind, body in (("application/pdf", pdf), ("text/html; charset=utf-8", html)):
            before = writer.current.stat().st_size if writer.current else None
            _, offset = archive_get(writer, f"http://127.0.0.11/{len(body)}", kind, body)
            writer._fh.flush()
            sizes[kind] = writer.current.stat().st_size - offset
            assert before is None or offset > before
    (path,) = tmp_path.glob("*.warc.gz")
    records = [r for r in read(path) if r[0] == "response"]
    assert [r[3] for r in records] == [pdf, html]  # digests checked by warcio as it reads
    assert sizes["application/pdf"] > len(pdf)  # a stored member: the bytes plus headers
    assert sizes["text/html; charset=utf-8"] < len(html) // 10


def test_warc_dates_are_utc_with_microseconds():
    beijing = timezone(timedelta(hours=8))
    for moment in (
        datetime(2026, 1, 30, 8, 0, 0, 0, tzinfo=UTC),
        datetime(2026, 1, 30, 16, 5, 9, 7, tzinfo=beijing),
        datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=UTC),
    ):
        assert warc_date(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert warc_date(datetime(2026, 1, 30, 16, tzinfo=beijing)) == "2026-01-30T08:00:00.000000Z"
    assert len(warc_date()) == len("2026-01-30T08:00:00.000000Z")


def test_record_ids_are_random_uuid_urns():
    ids = [record_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids[:200]:
        assert value.startswith("<urn:uuid:") and value.endswith(">")
        parsed = uuid.UUID(value[len("<urn:uuid:") : -1])
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == value[len("<urn:uuid:") : -1]

"""A published archive built from the sample web without crawling, and a real Datasette on it.

:func:`build_sample_data` stores every sample-web document, writes one WARC exchange per
document (as the crawler would), fills ``report_links`` and ``documents``, and runs the real
extraction batch; :func:`add_hostile_report` adds a report whose scraped title is HTML.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from archive import crawldb
from archive.db import open_archive, save_report
from archive.derived import rebuild
from archive.serve import launch
from archive.store import FileStore
from archive.warc import WarcWriter
from tests.archive.sample import parsed_report
from tests.helpers import PYTHON, free_port

ORIGIN = "http://127.0.0.11"
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
HOSTILE_TITLE = '<script>document.title="pwned"</script>甲县<b>报告</b>'
HOSTILE_ID = "hostile-1"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def build_sample_data(root: Path, data: Path) -> dict[str, dict]:
    """Fill ``data`` from the generated sample web at ``root``; returns truth by report id."""
    from extract import batch
    from sampleweb.generate import generate

    generate(root)
    store = FileStore(data / "files")
    db = crawldb.open_db(data / "archive.db")
    truths: dict[str, dict] = {}
    with WarcWriter(data / "warc") as writer:
        for i, sidecar in enumerate(sorted(root.rglob("*.truth.json"))):
            truth = json.loads(sidecar.read_text(encoding="utf-8"))
            body = sidecar.with_name(sidecar.name.removesuffix(".truth.json")).read_bytes()
            report_id = f"sample-{i:03d}"
            truths[report_id] = truth
            url = ORIGIN + truth["document"]
            content_type = CONTENT_TYPES.get(truth["format"], "application/octet-stream")
            warc_file, offset = writer.write_exchange(
                url=url,
                method="GET",
                request_headers=[("User-Agent", "nianbao-test")],
                request_body=b"",
                status=200,
                response_headers=[("Content-Type", content_type)],
                response_body=body,
            )
            sha = store.put(body)
            db["documents"].insert(
                {
                    "id": f"doc-{i:03d}",
                    "url": url,
                    "adcode": truth["adcode"],
                    "kind": "report",
                    "status": 200,
                    "fetched_at": "2024-02-01T00:00:00+00:00",
                    "content_type": content_type,
                    "size": len(body),
                    "sha256": sha,
                    "warc_file": warc_file,
                    "warc_offset": offset,
                }
            )
            db["report_links"].insert(
                {
                    "id": report_id,
                    "adcode": truth["adcode"],
                    "region": truth["region"],
                    "publisher": truth["publisher"],
                    "year": truth["year"],
                    "title": truth["title"],
                    "url": ORIGIN + truth["page"],
                    "published": truth["published"],
                    "document_url": url,
                    "document_sha256": sha,
                    "content_type": content_type,
                    "status": "online",
                }
            )
    db.close()
    summary = batch.run(data, workers=4)
    assert (summary.parsed, summary.failed) == (len(truths), 0), summary.lines()
    return truths


def add_hostile_report(data: Path) -> None:
    """A report whose scraped title and section text carry HTML and script."""
    db = open_archive(data / "archive.db")
    parsed = parsed_report(publisher="甲县教育局")
    parsed["title"] = HOSTILE_TITLE
    parsed["section_texts"]["other"] = '<img src=x onerror="alert(1)">其他事项'
    report = {
        "id": HOSTILE_ID,
        "adcode": "990101",
        "region": "甲县",
        "year": 2023,
        "url": f"{ORIGIN}/hostile.html",
        "document_url": f"{ORIGIN}/hostile.html",
        "published": "2024-01-02",
    }
    save_report(db, report, parsed)
    rebuild(db)
    db.close()


def get(url: str, timeout: float = 20) -> tuple[int, bytes, dict]:
    """Status, body and headers of a GET, without proxies; HTTP errors are returned too."""
    try:
        with OPENER.open(url, timeout=timeout) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def get_json(url: str):
    status, body, _ = get(url)
    assert status == 200, (url, status, body[:300])
    return json.loads(body)


class Server:
    """``python -m archive serve --public`` over ``data`` on a free loopback port."""

    def __init__(self, data: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        python = PYTHON if PYTHON.exists() else Path(sys.executable)
        self.process = launch(data, self.port, public=True, python=python)

    def url(self, path: str) -> str:
        return self.base + path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()

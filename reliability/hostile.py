"""Bad and hostile input, generated, each with the outcome it must have.

Three groups, each case a row of a table with its expected outcome:

- :data:`FILES`: documents given to ``python -m extract FILE`` (truncated, corrupt, encrypted, a
  PDF of thousands of pages, a zip-bomb DOCX, bytes neither UTF-8 nor GB18030, script in HTML).
  Each must end within its budget with exit 0, or exit 1 and one line on stderr; no traceback.
- :data:`SITE`: a hostile county site on ``127.0.0.21`` (endless redirect, responses above the
  size cap, wrong Content-Types, invalid bytes, script titles, ``Content-Disposition`` names
  with ``../`` or an absolute path, and the bad documents above as attachments). One crawl and
  one ``make extract`` over it; each case must leave the row its table says (a ``crawl_errors``
  row with its reason, a ``documents`` row, an ``extract_errors`` row or a parsed report), the
  crawl and the extraction must exit 0, and nothing may be written outside ``DATA``.
- :data:`SOURCES`: bad sources files (bad adcode, missing URL, duplicate rows, non-HTTP scheme):
  exit 2, one line naming ``file:line``, and an existing archive untouched.

The disk-full case (:func:`disk_full`) crawls into a small tmpfs (``mount -t tmpfs``), or, where
mounting is not permitted, under ``RLIMIT_FSIZE``, then extracts what it crawled the same way;
it says which it used.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from reliability.common import (
    REPO,
    Result,
    connect,
    env_with,
    partial_files,
    run_crawl,
    run_extract,
    store_files,
    warc_records,
)
from reliability.crashes import EXTRACT_STATE, differences, snapshot

HOST = "127.0.0.21"
ADCODE = "990121"
#: the size cap the hostile crawl runs with (``DOWNLOAD_MAXSIZE``)
CAP = 4_000_000
#: seconds ``python -m extract FILE`` may take on any one bad file
FILE_BUDGET = 90.0
#: seconds the whole hostile crawl may take
CRAWL_BUDGET = 120.0
#: MB of peak memory ``python -m extract FILE`` may use on any one bad file
MEMORY_BUDGET = 400
#: GNU time reports the peak memory of the extract process, where installed
TIME = ("/usr/bin/time", "-f", "maxrss=%M") if Path("/usr/bin/time").exists() else ()
#: log lines of an exception no component handled (download errors are logged by Scrapy with
#: their traceback and recorded in ``crawl_errors``; these are not)
UNHANDLED = (
    "Spider error processing",
    "Error processing {",
    "Unhandled error",
    "Traceback (most recent call last)\nTypeError",
)
ESCAPE_NAMES = ("/tmp/nianbao-evil.pdf", "/tmp/nianbao-evil2.pdf")


# ---- the bad documents ------------------------------------------------------------------------


def _pdf(pages: int, text: str = "page", encrypt: str | None = None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, encrypt=encrypt)
    for i in range(pages):
        pdf.drawString(72, 720, f"{text} {i + 1}")
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _zip_bomb(size: int = 400_000_000) -> bytes:
    """A DOCX whose ``word/document.xml`` inflates to ``size`` bytes (a few hundred kB zipped)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(
                b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            )
            chunk = b" " * 1_000_000
            for _ in range(size // len(chunk)):
                fh.write(chunk)
            fh.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return buf.getvalue()


def _invalid_bytes() -> bytes:
    # 0x80 and 0xFF are lead bytes of neither UTF-8 nor GB18030
    noise = bytes(random.Random(7).choice([0x80, 0xFF, 0xC0, 0xFE]) for _ in range(4000))
    return b"2023\xc4\xea\xb6\xc8\xb1\xa8\xb8\xe6 " + noise


SCRIPT_TITLE = "<script>alert(1)</script>甲县人民政府2023年政府信息公开工作年度报告"


def _script_html() -> bytes:
    return (
        "<html><head><meta charset='utf-8'><title>&lt;script&gt;alert(1)&lt;/script&gt;"
        "甲县人民政府2023年政府信息公开工作年度报告</title><script>alert(2)</script></head>"
        "<body onload='alert(3)'><div id='UCAP-CONTENT'>"
        f"<h1 onclick='alert(4)'>{SCRIPT_TITLE.replace('<', '&lt;').replace('>', '&gt;')}</h1>"
        "<p>一、总体情况</p><p>本年度<img src=x onerror=alert(5)>公开工作。</p>"
        "<table><tr><td onmouseover='alert(6)'>&lt;script&gt;alert(7)&lt;/script&gt;</td>"
        "<td><a href='javascript:alert(8)'>3</a></td></tr></table>"
        "</div></body></html>"
    ).encode()


@dataclass
class Documents:
    """The bad documents, built once and shared by the file cases and the hostile site."""

    sample_pdf: bytes

    def build(self) -> dict[str, bytes]:
        half = self.sample_pdf[: len(self.sample_pdf) * 2 // 5]
        return {
            "truncated.pdf": half,
            "corrupt.pdf": b"%PDF-1.7\n" + random.Random(3).randbytes(20_000) + b"\n%%EOF\n",
            "encrypted.pdf": _pdf(2, "2023", encrypt="secret"),
            "thousands.pdf": _pdf(2000),
            "zipbomb.docx": _zip_bomb(),
            "invalid-bytes.txt": _invalid_bytes(),
            "script.html": _script_html(),
            "empty.pdf": b"",
        }


#: file → what ``python -m extract FILE`` must do: "error" (exit 1, one line) or "any"
#: (exit 0, or exit 1 with one line)
FILES: dict[str, str] = {
    "truncated.pdf": "error",
    "corrupt.pdf": "error",
    "encrypted.pdf": "error",
    "thousands.pdf": "any",
    "zipbomb.docx": "error",
    "invalid-bytes.txt": "any",
    "script.html": "parsed",
    "empty.pdf": "error",
}


def check_file(path: Path, expected: str) -> Result:
    """Run ``python -m extract FILE`` on one bad file and judge it against ``expected``."""
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [*TIME, sys.executable, "-m", "extract", str(path)],
            cwd=REPO,
            env=env_with(),
            capture_output=True,
            text=True,
            timeout=FILE_BUDGET,
        )
    except subprocess.TimeoutExpired:
        return Result("input", f"file {path.name}", False, f"hung past {FILE_BUDGET:g} s")
    took = time.monotonic() - started
    lines = [
        ln for ln in proc.stderr.strip().splitlines() if not ln.startswith("Command exited with")
    ]
    rss = int(lines.pop()[len("maxrss=") :]) // 1024 if TIME and lines else 0
    if rss > MEMORY_BUDGET:
        return Result("input", f"file {path.name}", False, f"peak memory {rss} MB")
    one_line = len(lines) == 1 and "Traceback" not in proc.stderr
    if proc.returncode == 0:
        ok = expected in ("any", "parsed")
        detail = f"parsed in {took:.1f} s, {rss} MB"
    elif proc.returncode == 1 and one_line:
        ok = expected in ("any", "error")
        detail = f"refused in {took:.1f} s: {lines[0][len('extract: ') + len(str(path)) + 2 :]}"
    else:
        ok = False
        detail = f"exit {proc.returncode}, {len(lines)} stderr lines: {lines[-1:]}"
    return Result("input", f"file {path.name}", ok, detail[:110])


# ---- the hostile site -------------------------------------------------------------------------


@dataclass
class Case:
    """One report of the hostile site: its article, its attachment and the expected outcome.

    ``expect`` is one of ``crawl_error`` (a ``crawl_errors`` row whose reason holds ``reason``),
    ``stored`` (a ``documents`` row, bytes in the store), ``extract_error`` (stored, and an
    ``extract_errors`` row), ``extracted`` (stored and parsed into ``reports``), ``handled``
    (stored; parsed or an ``extract_errors`` row).
    """

    name: str
    attachment: str
    expect: str
    reason: str = ""


SITE: tuple[Case, ...] = (
    Case("endless redirect", "/redirect/0/report.pdf", "crawl_error", "redirect"),
    Case("declared size above cap", "/big.pdf", "crawl_error", "size"),
    Case("streamed size above cap", "/stream.pdf", "crawl_error", "size"),
    Case("PDF labelled text/html", "/wrongtype.pdf", "extracted"),
    Case("article labelled image/png", "", "handled"),
    Case("invalid bytes page", "", "handled"),
    Case("script in title and table", "", "extracted"),
    Case("disposition ../ name", "/module/download/downfile.jsp?filename=a1.pdf", "stored"),
    Case("disposition absolute name", "/module/download/downfile.jsp?filename=a2.pdf", "stored"),
    Case("truncated PDF", "/files/truncated.pdf", "extract_error"),
    Case("corrupt PDF", "/files/corrupt.pdf", "extract_error"),
    Case("encrypted PDF", "/files/encrypted.pdf", "extract_error"),
    Case("zip-bomb DOCX", "/files/zipbomb.docx", "extract_error"),
    Case("PDF of 2000 pages", "/files/thousands.pdf", "handled"),
)
ORGANS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"


def _organ(i: int) -> str:
    return f"甲县{ORGANS[i]}局"


class HostileSite:
    """The hostile county site on ``127.0.0.21:<port>`` for a ``with`` block."""

    def __init__(self, files: dict[str, bytes], sample_pdf: bytes) -> None:
        self.files, self.sample_pdf = files, sample_pdf
        self.routes = self._routes()

    def _article(self, i: int, case: Case) -> bytes:
        title = f"{_organ(i)}2023年政府信息公开工作年度报告"
        if case.name == "script in title and table":
            return _script_html()
        body = f"<h1>{title}</h1><p>发布日期：2024-01-{10 + i:02d}</p>"
        if case.attachment:
            body += f"<p>附件：<a href='{case.attachment}'>{title}.pdf</a></p>"
        else:
            body += "<p>一、总体情况</p><p>本年度公开工作。</p>"
        page = f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        page = page + f"<div id='UCAP-CONTENT'>{body}</div></body></html>"
        data = page.encode()
        if case.name == "invalid bytes page":
            data = data.replace(b"</h1>", b"</h1>" + _invalid_bytes())
        return data

    def _routes(self) -> dict[str, tuple[int, dict[str, str], bytes]]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        listing = "".join(
            f"<li><a href='content_{i}.html' title='{self._title(i, c)}'>"
            f"{self._title(i, c)}</a><span>2024-01-{10 + i:02d}</span></li>"
            for i, c in enumerate(SITE)
        )
        routes = {
            "/": (200, html, "<a href='/zfxxgk/index.html'>政府信息公开</a>".encode()),
            "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
            "/zfxxgk/index.html": (
                200,
                html,
                "<a href='/zfxxgk/zfxxgknb/index.html'>政府信息公开年报</a>".encode(),
            ),
            "/zfxxgk/zfxxgknb/index.html": (200, html, f"<ul>{listing}</ul>".encode()),
            "/wrongtype.pdf": (200, html, self.sample_pdf),
            "/module/download/downfile.jsp?filename=a1.pdf": (
                200,
                {
                    "Content-Type": "application/pdf",
                    "Content-Disposition": 'attachment; filename="../../../../tmp/nianbao-evil.pdf"',
                },
                self.sample_pdf + b"\n%1",
            ),
            "/module/download/downfile.jsp?filename=a2.pdf": (
                200,
                {
                    "Content-Type": "application/pdf",
                    "Content-Disposition": 'attachment; filename="/tmp/nianbao-evil2.pdf"; '
                    "filename*=UTF-8''..%2F..%2F..%2Ftmp%2Fnianbao-evil2.pdf",
                },
                self.sample_pdf + b"\n%2",
            ),
        }
        for name, data in self.files.items():
            kind = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
            routes[f"/files/{name}"] = (200, {"Content-Type": kind}, data)
        for i, case in enumerate(SITE):
            headers = dict(html)
            if case.name == "article labelled image/png":
                headers = {"Content-Type": "image/png"}
            routes[f"/zfxxgk/zfxxgknb/content_{i}.html"] = (200, headers, self._article(i, case))
        return routes

    @staticmethod
    def _title(i: int, case: Case) -> str:
        if case.name == "script in title and table":
            return SCRIPT_TITLE.replace("<", "&lt;").replace(">", "&gt;")
        return f"{_organ(i)}2023年政府信息公开工作年度报告"

    def __enter__(self) -> HostileSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 -- the http.server API
                path = self.path
                try:
                    if path.startswith("/redirect/"):
                        n = int(path.split("/")[2])
                        self.send_response(302)
                        self.send_header("Location", f"/redirect/{n + 1}/report.pdf")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                    elif path == "/big.pdf":
                        self.send_response(200)
                        self.send_header("Content-Type", "application/pdf")
                        self.send_header("Content-Length", str(CAP * 3))
                        self.end_headers()
                        self.wfile.write(b"%PDF-1.7\n" + b"0" * (CAP * 3 - 9))
                    elif path == "/stream.pdf":
                        self.send_response(200)
                        self.send_header("Content-Type", "application/pdf")
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        chunk = b"0" * 65536
                        for _ in range(CAP * 3 // len(chunk)):
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.write(b"0\r\n\r\n")
                    elif path in site.routes:
                        status, headers, body = site.routes[path]
                        self.send_response(status)
                        for name, value in headers.items():
                            self.send_header(name, value)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    else:
                        self.send_error(404)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler hung up on an oversize body, as it should

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def write_sources(self, path: Path) -> Path:
        path.write_text(f"adcode,name,url\n{ADCODE},甲县,{self.base}/\n", encoding="utf-8")
        return path


def _case_url(site: HostileSite, i: int, case: Case) -> str:
    return site.base + (case.attachment or f"/zfxxgk/zfxxgknb/content_{i}.html")


def judge_site(data: Path, site: HostileSite) -> list[Result]:
    """Compare the end state of the hostile crawl + extract with each case's expectation."""
    db = connect(data)
    errors = db.execute("select url, reason from crawl_errors").fetchall()
    docs = {u: s for u, s in db.execute("select url, sha256 from documents")}
    links = {u: s for u, s in db.execute("select document_url, document_sha256 from report_links")}
    parsed = {s for (s,) in db.execute("select sha256 from reports")}
    failed = {
        s: r for s, r in db.execute("select sha256, reason from extract_errors where sha256 != ''")
    }
    titles = [t for (t,) in db.execute("select title from report_links")]
    paths = [f for (f,) in db.execute("select filename from documents where filename like '%/%'")]
    db.close()
    stored = store_files(data)
    results = []
    for i, case in enumerate(SITE):
        url = _case_url(site, i, case)
        sha = docs.get(url) or links.get(url)
        reasons = [r for u, r in errors if u.startswith(url.split("?")[0].rsplit("/", 2)[0])]
        if case.expect == "crawl_error":
            hits = [r for u, r in errors if case.reason in r.lower() and _related(u, url)]
            ok, detail = bool(hits), (hits or reasons or ["no crawl_errors row"])[0]
        else:
            in_store = bool(sha) and sha in stored
            outcome = (
                "parsed"
                if sha in parsed
                else f"extract error: {failed[sha]}"
                if sha in failed
                else ""
            )
            ok = (
                in_store
                and {
                    "stored": True,
                    "extracted": sha in parsed,
                    "extract_error": sha in failed,
                    "handled": sha in parsed or sha in failed,
                }[case.expect]
            )
            detail = ("stored; " if in_store else "NOT stored; ") + (outcome or "not extracted")
        results.append(Result("input", f"site {case.name}", ok, detail[:110]))
    escaped = [p for p in ESCAPE_NAMES if Path(p).exists()]
    results.append(
        Result("input", "site no file outside DATA", not escaped, ", ".join(escaped) or "none")
    )
    results.append(
        Result("input", "site file names are not paths", not paths, ", ".join(paths) or "none")
    )
    kept = any("<script>" in (t or "") for t in titles)
    results.append(Result("input", "site script title kept as text", kept, "title stored verbatim"))
    return results


def _related(error_url: str, url: str) -> bool:
    """An error row belongs to a case when its URL is the case's or one of its redirect hops."""
    if error_url == url:
        return True
    return "/redirect/" in url and "/redirect/" in error_url


def run_site(work: Path, sample_pdf: bytes, files: dict[str, bytes]) -> list[Result]:
    """Crawl and extract the hostile site; judge every case, the exit codes and the logs."""
    data = work / "hostile-data"
    for leftover in ESCAPE_NAMES:
        Path(leftover).unlink(missing_ok=True)
    with HostileSite(files, sample_pdf) as site:
        sources = site.write_sources(work / "hostile-sources.csv")
        started = time.monotonic()
        try:
            crawl = run_crawl(
                sources,
                data,
                "-s",
                f"DOWNLOAD_MAXSIZE={CAP}",
                "-s",
                "RETRY_TIMES=0",
                timeout=CRAWL_BUDGET,
            )
        except subprocess.TimeoutExpired:
            return [Result("input", "site crawl", False, f"hung past {CRAWL_BUDGET:g} s")]
        took = time.monotonic() - started
        results = [
            Result(
                "input",
                "site crawl exits 0",
                crawl.returncode == 0,
                f"exit {crawl.returncode} in {took:.0f} s",
            )
        ]
        extract = run_extract(data, workers=2, timeout=FILE_BUDGET * 3)
        results.append(
            Result(
                "input",
                "site extract exits 0",
                extract.returncode == 0,
                f"exit {extract.returncode}: {(extract.stderr.strip().splitlines() or [''])[-1]}",
            )
        )
        results += judge_site(data, site)
    unhandled = [
        line[:90]
        for path in (data / "logs").glob("*.log")
        for line in path.read_text("utf-8", "replace").splitlines()
        if any(mark in line for mark in UNHANDLED)
    ]
    results.append(
        Result("input", "site no unhandled error", not unhandled, (unhandled or ["none"])[0])
    )
    return results


# ---- bad sources files ------------------------------------------------------------------------

SOURCES: dict[str, str] = {
    "bad adcode": "adcode,name,url\n33010X,甲县,http://127.0.0.21/\n",
    "missing URL": "adcode,name,url\n990121,甲县,\n",
    "duplicate rows": "adcode,name,url\n990121,甲县,http://127.0.0.21/\n"
    "990121,甲县,http://127.0.0.21/\n",
    "non-HTTP scheme": "adcode,name,url\n990121,甲县,file:///etc/passwd\n",
    "javascript scheme": "adcode,name,url\n990121,甲县,javascript:alert(1)\n",
    "not UTF-8": "adcode,name,url\n990121,".encode("gbk").decode("latin-1")
    + "\xd7\xd3,http://127.0.0.21/\n",
}


def run_sources(work: Path, archive: Path) -> list[Result]:
    """Each bad sources file: exit 2, one line ``file:line: reason``, ``archive`` untouched."""
    before = hashlib.sha256((archive / "archive.db").read_bytes()).hexdigest()
    results = []
    for name, text in SOURCES.items():
        path = work / f"sources-{name.replace(' ', '-')}.csv"
        path.write_bytes(text.encode("latin-1") if name == "not UTF-8" else text.encode())
        proc = run_crawl(path, archive, timeout=60)
        lines = proc.stderr.strip().splitlines()
        ok = proc.returncode == 2 and len(lines) == 1 and path.name in lines[0]
        results.append(Result("input", f"sources {name}", ok, (lines or ["no message"])[0][-90:]))
    after = hashlib.sha256((archive / "archive.db").read_bytes()).hexdigest()
    results.append(Result("input", "sources archive untouched", before == after, "sha256 equal"))
    return results


# ---- disk full --------------------------------------------------------------------------------


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _fill(path: Path, leave: int) -> None:
    """Write a filler file until only ``leave`` bytes are free on ``path``'s filesystem."""
    stat = os.statvfs(path)
    free = stat.f_bavail * stat.f_frsize
    if free > leave:
        with open(path / "filler", "wb") as fh:
            fh.truncate(0)
            fh.write(b"\0" * (free - leave))


def disk_full(work: Path, sources: Path, reference: Path) -> list[Result]:
    """Crawl the sample web into a nearly full DATA; then free space and crawl again.

    The first crawl must stop cleanly (no traceback on stderr, a one-line error or a
    ``crawl_errors`` row), leave every WARC readable and no partial file; after space is freed
    the rerun must end with the reference's stored files.
    """
    mount = work / "tmpfs"
    mounted = _mount_tmpfs(mount, "24m")
    how = "tmpfs 24 MB" if mounted else "RLIMIT_FSIZE"
    data = mount / "data" if mounted else work / "fsize-data"
    results = []
    try:
        if mounted:
            data.mkdir(parents=True)
            _fill(mount, 2_500_000)
            proc = run_crawl(sources, data, timeout=120)
        else:
            proc = _crawl_fsize(sources, data, 400_000)
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        clean = "Traceback" not in proc.stderr and proc.returncode in (0, 1) and len(lines) <= 1
        results.append(
            Result(
                "input",
                f"disk full ({how}) crawl stops",
                clean,
                f"exit {proc.returncode}: {(lines or ['(no message)'])[-1][:80]}",
            )
        )
        partial = [p for p in partial_files(data) if not p.endswith(".open")]
        _, warc_errors = warc_records(data)
        db = connect(data)
        (integrity,) = db.execute("pragma integrity_check").fetchone()
        db.close()
        if integrity != "ok":
            warc_errors.append(f"archive.db: {integrity}")
        results.append(
            Result(
                "input",
                "disk full archive undamaged",
                not warc_errors and not partial,
                "; ".join(warc_errors + partial)[:110] or "WARC readable, no partial file",
            )
        )
        if mounted:
            (mount / "filler").unlink()
            rerun = run_crawl(sources, data, timeout=120)
        else:
            rerun = run_crawl(sources, data, timeout=120)
        want = set(store_files(reference))
        got = set(store_files(data))
        ok = rerun.returncode == 0 and want <= got
        results.append(
            Result(
                "input",
                "disk full rerun completes",
                ok,
                f"exit {rerun.returncode}, {len(want - got)} reference files missing",
            )
        )
        if ok:
            results += _extract_on_full_disk(data, mount if mounted else None, reference)
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)
    return results


#: ``make extract``'s progress lines (extract.batch.Progress)
PROGRESS_LINE = re.compile(r"extract: \d+/\d+ documents ")


def _extract_on_full_disk(data: Path, mount: Path | None, reference: Path) -> list[Result]:
    """``make extract`` over the crawled ``data`` with ~1.5 MB left: it must stop with one line,
    no traceback and no document recorded as failed (a full disk says nothing about a document);
    with space again, the rerun must end where the uninterrupted reference extraction did."""
    how = "tmpfs" if mount is not None else "RLIMIT_FSIZE"
    limit = None if mount is not None else (data / "archive.db").stat().st_size + 1_500_000
    if mount is not None:
        _fill(mount, 1_500_000)
    proc = _run_module(["extract.batch", "--data", str(data)], timeout=300, fsize=limit)
    # with the disk still full, rebuilding the derived tables must stop the same way
    rebuilt = _run_module(["archive", "rebuild", "--data", str(data)], timeout=300, fsize=limit)
    if mount is not None:
        (mount / "filler").unlink()
    # progress lines aside, stderr must be the one line that says why it stopped
    lines = [ln for ln in proc.stderr.strip().splitlines() if not PROGRESS_LINE.match(ln)]
    clean = proc.returncode == 1 and len(lines) == 1 and "cannot write" in lines[0]
    rebuild_lines = rebuilt.stderr.strip().splitlines()
    rebuild_clean = rebuilt.returncode == 1 and len(rebuild_lines) == 1
    rebuild_clean = rebuild_clean and "cannot write" in rebuild_lines[0]
    db = connect(data)
    try:
        (integrity,) = db.execute("pragma integrity_check").fetchone()
        (failed,) = db.execute(
            "select count(*) from extractions where status = 'failed'"
        ).fetchone()
        (saved,) = db.execute("select count(*) from reports").fetchone()
    finally:
        db.close()
    rerun = run_extract(data)
    diff = differences(snapshot(data, EXTRACT_STATE), snapshot(reference, EXTRACT_STATE))
    return [
        Result(
            "input",
            f"disk full ({how}) extract stops",
            clean,
            f"exit {proc.returncode}: {(lines or ['(no message)'])[-1][:80]}",
        ),
        Result(
            "input",
            "disk full rebuild stops",
            rebuild_clean,
            f"exit {rebuilt.returncode}: {(rebuild_lines or ['(no message)'])[-1][:80]}",
        ),
        Result(
            "input",
            "disk full extract fails no document",
            integrity == "ok" and failed == 0,
            f"{saved} reports saved before it stopped, {failed} documents failed, {integrity}",
        ),
        Result(
            "input",
            "disk full extract rerun completes",
            rerun.returncode == 0 and not diff,
            f"exit {rerun.returncode}; " + ("; ".join(diff)[:90] or "equals the reference"),
        ),
    ]


def _run_module(
    argv: list[str], timeout: float, fsize: int | None = None
) -> subprocess.CompletedProcess:
    """``python -m <argv>``; with ``fsize``, every file it writes is capped at that many bytes."""
    import resource

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", *argv],
        cwd=REPO,
        env=env_with(),
        capture_output=True,
        text=True,
        timeout=timeout,
        # a plain rlimit, no threads in the child yet
        preexec_fn=limit_files if fsize is not None else None,  # noqa: PLW1509
    )


def _crawl_fsize(sources: Path, data: Path, limit: int) -> subprocess.CompletedProcess:
    from reliability.common import FAST

    argv = ["crawler", "--sources", str(sources), "--data", str(data), *FAST]
    return _run_module(argv, timeout=120, fsize=limit)


def run_files(work: Path, files: dict[str, bytes]) -> list[Result]:
    """``python -m extract FILE`` on every bad file, side by side."""
    folder = work / "bad-files"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda n: check_file(folder / n, FILES[n]), FILES))


def loopback_ok() -> bool:
    """True when ``127.0.0.21`` can be bound (Linux routes all of 127/8 to loopback)."""
    with socket.socket() as s:
        try:
            s.bind((HOST, 0))
        except OSError:
            return False
    return True


def run_hostile(
    work: Path, sources: Path, reference: Path, sample_pdf: bytes, archive: Path
) -> list[Result]:
    """Every bad-input case: files, the hostile site, bad sources files, a full disk.

    :param work: scratch directory
    :param sources: sources CSV of the running basic sample web
    :param reference: a finished crawl of it (for the disk-full rerun)
    :param sample_pdf: the bytes of one real report PDF (for the wrong-type and name cases)
    :param archive: a DATA directory the bad sources files must leave untouched
    """
    files = Documents(sample_pdf).build()
    jobs: list[Callable[[], list[Result]]] = [
        lambda: run_files(work, files),
        lambda: run_sources(work, archive),
        lambda: disk_full(work, sources, reference),
    ]
    if loopback_ok():
        jobs.append(lambda: run_site(work, sample_pdf, files))
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return [r for rs in pool.map(lambda job: job(), jobs) for r in rs]

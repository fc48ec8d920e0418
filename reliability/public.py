"""Hostile queries against the public instance (``python -m archive serve --public``).

The instance must not write, ``ATTACH``, load extensions or read files; runaway and huge
queries must stop within the time limit; scraped content is escaped (in the HTML, and in
Chromium when it is installed: no script of a report title ever runs); ``/-/files/`` and
``/-/warc/`` serve only what is in the archive. Each hostile request is one row of
:data:`QUERIES` or :data:`PATHS` with what counts as refused.

Example::

    results = run_public(data_dir)  # a crawled and extracted DATA; it gets a hostile report
"""

from __future__ import annotations

import hashlib
import http.client
import json
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

from archive.db import open_archive, save_report
from archive.derived import rebuild
from archive.serve import launch
from reliability.common import Result, env_with

HOSTILE_ID = "hostile-title"
HOSTILE_TITLE = '<script>window.__pwned=1;document.title="pwned"</script>甲县<b>报告</b>'
HOSTILE_TEXT = '<img src=x onerror="window.__pwned=2">其他事项'
#: the slowest a refused query may take (Datasette's sql_time_limit_ms is 5 s)
BUDGET = 12.0

#: (name, SQL): every one must be refused or stopped, and leave the database as it was
QUERIES: tuple[tuple[str, str], ...] = (
    ("insert", "insert into reports (id) values ('x')"),
    ("update", "update reports set title = 'x'"),
    ("delete", "delete from reports"),
    ("drop", "drop table reports"),
    ("create", "create table pwned (x)"),
    ("attach", "attach database '/etc/passwd' as pwned"),
    ("attach via cte", "with x as (select 1) attach database ':memory:' as y"),
    ("vacuum into", "vacuum into '/tmp/nianbao-pwned.db'"),
    ("pragma write", "pragma journal_mode = delete"),
    ("load_extension", "select load_extension('/usr/lib/x86_64-linux-gnu/libsqlite3.so.0')"),
    ("readfile", "select readfile('/etc/passwd')"),
    ("writefile", "select writefile('/tmp/nianbao-pwned', 'x')"),
    ("fts3_tokenizer", "select fts3_tokenizer('simple', x'4141414141414141')"),
    ("edit() shell function", "select edit('x', 'vi')"),
    ("randomblob 200 MB", "select randomblob(200000000)"),
    ("zeroblob 2 GB", "select zeroblob(2000000000)"),
    ("printf huge", "select printf('%.*c', 2000000000, 'x')"),
    ("replace blow-up", "select replace(hex(zeroblob(4000000)), '0', 'xxxxxxxx')"),
    (
        "recursive CTE runaway",
        "with recursive r(i) as (select 1 union all select i + 1 from r) select count(*) from r",
    ),
    (
        "cartesian runaway",
        "select count(*) from sections a, sections b, sections c, sections d",
    ),
    ("group_concat huge", "select length(group_concat(randomblob(1000000))) from sections"),
)

#: (name, raw request path, status that counts as refused)
PATHS: tuple[tuple[str, str], ...] = (
    ("files ../ traversal", "/-/files/../../../../etc/passwd"),
    ("files %2e%2e traversal", "/-/files/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
    ("files absolute path", "/-/files//etc/passwd"),
    ("files hash not in store", "/-/files/" + "0" * 64),
    ("files uppercase hash", "/-/files/" + "A" * 64),
    ("warc ../ traversal", "/-/warc/..%2f..%2farchive.db/0"),
    ("warc not a warc", "/-/warc/archive.db/0"),
    ("warc bad offset", "/-/warc/nianbao.warc.gz/99999999"),
    ("static traversal", "/-/static/../../../../etc/passwd"),
    ("unknown /-/ page", "/-/nope"),
    ("double slash", "/a//b"),
)


def _request(port: int, path: str, timeout: float = 30) -> tuple[int, bytes, dict, float]:
    """GET ``path`` exactly as given (no client-side ``..`` folding); status, body, time."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, body, headers, time.monotonic() - started
    finally:
        conn.close()


def add_hostile_report(data: Path) -> None:
    """A report whose scraped title and section text carry script (as a hostile site would)."""
    db = open_archive(data / "archive.db")
    try:
        parsed = {
            "title": HOSTILE_TITLE,
            "publisher": "甲县<b>人民政府</b>",
            "year": 2023,
            "format": "html",
            "form_version": "2021",
            "sections": {"other": "六、其他需要报告的事项"},
            "section_texts": {"other": HOSTILE_TEXT},
            "request_stats": [["new_requests", "total", 1]],
        }
        link = {
            "id": HOSTILE_ID,
            "adcode": "990101",
            "region": "甲县",
            "year": 2023,
            "url": "http://127.0.0.21/hostile.html",
            "document_url": "http://127.0.0.21/hostile.html",
        }
        save_report(db, link, parsed, extractor_version="hostile")
        rebuild(db)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


class PublicServer:
    """``python -m archive serve --data D --port P --public`` for a ``with`` block."""

    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port = data, port

    def __enter__(self) -> PublicServer:
        self.process = launch(self.data, self.port, public=True, env=env_with())
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _query_refused(port: int, sql: str) -> tuple[bool, str]:
    try:
        status, body, _, took = _request(
            port, "/archive.json?_shape=objects&sql=" + quote(sql), timeout=BUDGET * 2
        )
    except TimeoutError:
        return False, f"no answer within {BUDGET * 2:g} s"
    if took > BUDGET:
        return False, f"took {took:.1f} s"
    try:
        answer = json.loads(body)
    except ValueError:
        answer = {}
    values = [v for row in answer.get("rows") or () for v in row.values()]
    if status == 200 and values and all(v is None for v in values):
        return True, f"HTTP 200 in {took:.1f} s: NULL, nothing allocated"
    if status == 200 and answer.get("ok", True) is not False:
        return False, f"answered 200: {body[:120]!r}"
    error = str(answer.get("error") or body[:80].decode("utf-8", "replace")).splitlines()[0]
    return True, f"HTTP {status} in {took:.1f} s: {error[:70]}"


def _path_refused(port: int, path: str) -> tuple[bool, str]:
    try:
        status, body, headers, took = _request(port, path, timeout=BUDGET)
        if status in (301, 302) and headers.get("location", "").startswith("/"):
            # Datasette re-encodes %2e/%2f as ~2e/~2f and redirects: judge where it leads
            status, body, _, took = _request(port, headers["location"], timeout=BUDGET)
    except TimeoutError:
        return False, f"no answer within {BUDGET:g} s"
    leaked = b"root:x:0:0" in body or body.startswith(b"SQLite format 3")
    return status in (400, 403, 404, 405) and not leaked, f"HTTP {status} in {took:.1f} s"


def _escaping(port: int) -> list[Result]:
    results = []
    for name, path in (
        ("report page", f"/archive/reports/{HOSTILE_ID}"),
        ("reports table", "/archive/reports?id=" + HOSTILE_ID),
        ("sections table", "/archive/sections?report_id=" + HOSTILE_ID),
        ("sql result page", "/archive?sql=" + quote("select title from reports")),
    ):
        status, body, headers, _ = _request(port, path)
        page = body.decode("utf-8", "replace")
        raw = "<script>window.__pwned" in page or '<img src=x onerror="window.__pwned' in page
        escaped = "&lt;script&gt;" in page or "&lt;img" in page
        ok = status == 200 and not raw and escaped
        results.append(
            Result("query", f"escaped in {name}", ok, f"HTTP {status}, escaped={escaped}")
        )
    return results


def browser_check(port: int) -> Result | None:
    """Open the hostile report in Chromium; no script of it may run. None without Chromium."""
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium.exists():
        return None
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=args, headless=True)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            pwned = []
            for path in (f"/archive/reports/{HOSTILE_ID}", "/archive/sections?report_id=x"):
                page.goto(f"http://127.0.0.1:{port}{path}")
                page.wait_for_load_state("load")
                pwned.append(page.evaluate("window.__pwned || 0"))
                pwned.append(page.title() == "pwned")
            page.goto(f"http://127.0.0.1:{port}/archive/reports/{HOSTILE_ID}")
            shown = "<script>" in page.inner_text("body")
        finally:
            browser.close()
    ok = not any(pwned) and not dialogs and shown
    return Result("query", "script title in Chromium", ok, f"ran={any(pwned)}, shown as text")


def run_public(data: Path, port: int) -> list[Result]:
    """Every hostile query, path and escaping check against a public instance of ``data``."""
    add_hostile_report(data)
    db_file = data / "archive.db"
    results: list[Result] = []
    with PublicServer(data, port):
        before = hashlib.sha256(db_file.read_bytes()).hexdigest()
        for name, sql in QUERIES:
            ok, detail = _query_refused(port, sql)
            results.append(Result("query", name, ok, detail))
        for name, path in PATHS:
            ok, detail = _path_refused(port, path)
            results.append(Result("query", name, ok, detail))
        status, body, headers, _ = _request(port, "/archive.json?sql=select+count(*)+from+reports")
        alive = status == 200
        results.append(Result("query", "still answering", alive, f"HTTP {status}"))
        stored = next((data / "files").glob("*/*/*"), None)
        if stored is not None:
            status, body, headers, _ = _request(port, f"/-/files/{stored.name}")
            ok = (
                status == 200
                and body == stored.read_bytes()
                and headers.get("content-security-policy") == "sandbox"
                and headers.get("content-disposition", "").startswith("attachment")
            )
            results.append(Result("query", "stored file served sandboxed", ok, f"HTTP {status}"))
        results += _escaping(port)
        browser = browser_check(port)
        if browser is not None:
            results.append(browser)
        after = hashlib.sha256(db_file.read_bytes()).hexdigest()
        results.append(
            Result("query", "database unchanged", before == after, "sha256 before == after")
        )
    leftovers = [p for p in ("/tmp/nianbao-pwned.db", "/tmp/nianbao-pwned") if Path(p).exists()]
    results.append(Result("query", "no file written", not leftovers, ", ".join(leftovers)))
    return results

"""Serves the generated sample web: one threaded ``http.server`` per county, same port.

Each county listens on its own loopback address (``127.0.0.11`` …) so that crawlers see separate
origins. Static files come from ``DIR/sites/<adcode>``; the Hanweb county also answers
``/module/web/jpage/dataproxy.jsp`` (POST) and ``/module/download/downfile.jsp``. Every request
is logged as a dict (host, method, path, query, status, start, end), in memory and optionally as
JSON lines to a file.

Example::

    >>> from sampleweb import serve_sample_web
    >>> with serve_sample_web(root) as web:            # doctest: +SKIP
    ...     web.sites[0]["base_url"]
    'http://127.0.0.11:41234/'
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from . import full_routes
from .generate import generate

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
DOWNFILE = "/module/download/downfile.jsp"
_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".xml": "text/xml",
    ".js": "application/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class RequestLog:
    """Thread-safe request log, mirrored to a JSON-lines file when ``path`` is given."""

    def __init__(self, path: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict] = []
        self._file = open(path, "a", encoding="utf-8") if path else None  # noqa: SIM115

    def add(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)
            if self._file:
                self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self._file.flush()

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._entries)

    def close(self) -> None:
        if self._file:
            self._file.close()


class SiteHandler(BaseHTTPRequestHandler):
    """Answers one county; ``server.site`` holds its root folder and server.json entry."""

    protocol_version = "HTTP/1.1"
    server_version = "sampleweb/1.0"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # the request log replaces stderr chatter

    def do_GET(self) -> None:  # noqa: N802
        self._handle("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _handle(self, method: str) -> None:
        start = time.time()
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        route = {DATAPROXY: self._dataproxy, DOWNFILE: self._downfile}.get(url.path)
        hazard = self._hazard(url.path)
        if hazard is not None:
            status, headers, data = hazard(method, url.query, body)
        elif route is not None and url.path in self._routes():
            status, headers, data = route(method, url.query, body)
        elif method == "POST":
            status, headers, data = self._error(HTTPStatus.METHOD_NOT_ALLOWED)
        else:
            status, headers, data = self._static(url.path)
        etag = headers.get("ETag")
        if status == 200 and etag and self.headers.get("If-None-Match") == etag:
            status, data = 304, b""
        # logged before the answer goes out, so a client that has read it finds it in the log
        self.server.log.add(
            {
                "host": self.server.site["host"],
                "method": method,
                "path": url.path,
                "query": url.query,
                "status": status,
                "start": start,
                "end": time.time(),
            }
        )
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)

    def _hazard(self, path: str):
        """The full profile's dynamic answers (latency, 412, redirects, 503s, gkmlpt, trap)."""
        site = self.server.site
        if "latency" in site:
            lo, hi = site["latency"]
            digest = hashlib.sha256(path.encode()).digest()
            time.sleep(lo + (hi - lo) * digest[0] / 255)
        if site.get("blocked"):
            return full_routes.antibot
        if path in site.get("gone", ()):
            return lambda *_: self._error(HTTPStatus.GONE)
        if path in site.get("redirects", {}):
            status, location = site["redirects"][path]
            return lambda *_: (status, {"Location": location, "Content-Type": "text/html"}, b"")
        if path in site.get("fail_first", {}) and self.server.hit(path) <= site["fail_first"][path]:
            return lambda *_: (
                503,
                {"Retry-After": "1", "Content-Type": self._html_type()},
                b"<html><body><h1>503 Service Unavailable</h1></body></html>",
            )
        if "gkmlpt" in site and path.startswith(full_routes.GKMLPT_API):
            return lambda m, q, b: full_routes.gkmlpt_api(self._origin(), site["gkmlpt"], path, q)
        if "calendar" in site and path == site["calendar"]["path"]:
            return lambda m, q, b: full_routes.calendar(site["calendar"], q)
        return None

    def _origin(self) -> str:
        return f"http://{self.server.site['host']}:{self.server.server_address[1]}"

    def _routes(self) -> set[str]:
        site = self.server.site
        return {p for p, key in ((DATAPROXY, "dataproxy"), (DOWNFILE, "downloads")) if key in site}

    def _html_type(self) -> str:
        return f"text/html; charset={self.server.site.get('charset', 'utf-8')}"

    def _error(self, status: HTTPStatus) -> tuple[int, dict, bytes]:
        text = f"<html><body><h1>{status.value} {status.phrase}</h1></body></html>"
        return status.value, {"Content-Type": self._html_type()}, text.encode()

    def _static(self, path: str) -> tuple[int, dict, bytes]:
        rel = unquote(path).lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        root: Path = self.server.root
        target = (root / rel).resolve()
        if root in target.parents and (target / "index.html").is_file():
            # a directory asked for without its slash: redirect, as Apache and nginx do
            return 301, {"Location": f"{path}/", "Content-Type": self._html_type()}, b""
        if root not in target.parents or rel.endswith(".truth.json") or not target.is_file():
            return self._error(HTTPStatus.NOT_FOUND)
        data = target.read_bytes()
        ctype = _TYPES.get(target.suffix, "application/octet-stream")
        if target.suffix == "":
            ctype = "text/html"  # extensionless pages such as gkmlpt's /gkmlpt/index
        placeholder = self.server.site.get("port_placeholder")
        if placeholder and ctype == "text/html":
            data = data.replace(placeholder.encode(), str(self.server.server_address[1]).encode())
        if ctype == "text/html":
            ctype = self._html_type()
        elif ctype.startswith("text/"):
            ctype += "; charset=utf-8"
        headers = {"Content-Type": ctype, "ETag": f'"{hashlib.sha256(data).hexdigest()[:16]}"'}
        return 200, headers, data

    def _dataproxy(self, method: str, query: str, body: bytes) -> tuple[int, dict, bytes]:
        """The jpage list endpoint: POST only, records ``startrecord..endrecord`` of a column.

        At most ``perpage * group`` records are returned per call, as jpage asks for them.
        """
        if method != "POST":
            return self._error(HTTPStatus.METHOD_NOT_ALLOWED)
        q = {k: v[-1] for k, v in parse_qs(query).items()}
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        col = self.server.site["dataproxy"].get(form.get("columnid", ""))
        records: list[str] = []
        if col and form.get("unitid") == col["unitid"] and form.get("webid") == col["webid"]:
            records = col["records"]
        perpage = _int(q.get("perpage"), col["perpage"] if col else 15)
        start = max(1, _int(q.get("startrecord"), 1))
        end = _int(q.get("endrecord"), start + perpage - 1)
        cap = perpage * (col["group"] if col else 3)
        end = min(end, start + cap - 1)
        chosen = records[start - 1 : end]
        total = len(records)
        pages = (total + perpage - 1) // perpage if perpage else 0
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n'
            f'<nextgroup><![CDATA[<a href="{DATAPROXY}?startrecord={end + 1}&endrecord='
            f'{end + cap}&perpage={perpage}"></a>]]></nextgroup>\n<recordset>\n'
            + "".join(f"<record><![CDATA[{r}]]></record>\n" for r in chosen)
            + f"</recordset>\n<totalrecord>{total}</totalrecord>\n"
            f"<totalpage>{pages}</totalpage>\n</datastore>\n"
        )
        return 200, {"Content-Type": "text/xml; charset=UTF-8"}, xml.encode()

    def _downfile(self, method: str, query: str, body: bytes) -> tuple[int, dict, bytes]:
        q = {k: v[-1] for k, v in parse_qs(query).items()}
        downloads = self.server.site["downloads"]
        name = q.get("filename", "")
        if name not in downloads["names"]:
            return self._error(HTTPStatus.NOT_FOUND)
        status, headers, data = self._static(f"{downloads['dir']}/{name}")
        label = downloads["names"][name]
        headers["Content-Disposition"] = (
            f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(label)}"
        )
        return status, headers, data


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int, root: Path, site: dict, log: RequestLog) -> None:
        self.root = root.resolve()
        self.site = site
        self.log = log
        self._hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()
        super().__init__((host, port), SiteHandler)

    def hit(self, path: str) -> int:
        """Count a request for ``path``; returns how many there have been, this one included."""
        with self._hits_lock:
            self._hits[path] += 1
            return self._hits[path]


class SampleWeb:
    """The running sample web: ``port``, ``sites``, ``truth``, ``requests()``, ``write_sources()``.

    ``profile`` picks the tree served (``"basic"`` or ``"full"``); a tree of another profile under
    ``root`` is regenerated, and ``None`` serves whatever is there (basic if ``root`` is empty).
    """

    def __init__(
        self,
        root: Path,
        port: int = 0,
        log_path: Path | None = None,
        profile: str | None = "basic",
    ) -> None:
        self.root = Path(root)
        truth_path = self.root / "truth.json"
        if not truth_path.exists():
            generate(self.root, profile or "basic")
        elif profile and _profile_of(truth_path) != profile:
            generate(self.root, profile)
        self._load()
        self.log = RequestLog(log_path)
        self.servers = self._bind(port)
        self.port = self.servers[0].server_address[1]
        self.sites = [
            {
                "adcode": s["adcode"],
                "name": s["name"],
                "family": s["family"],
                "base_url": f"http://{s['host']}:{self.port}/",
            }
            for s in self.truth["sites"]
        ]
        self._threads: list[threading.Thread] = []

    def _load(self) -> None:
        self.truth = json.loads((self.root / "truth.json").read_text(encoding="utf-8"))
        self._server_conf = json.loads((self.root / "server.json").read_text(encoding="utf-8"))
        self.profile = self.truth.get("profile", "basic")
        self.epoch = self.truth.get("epoch", 0)

    def advance(self) -> dict:
        """Regenerate the full profile at the next epoch while serving; returns the new truth.

        Epoch 1 adds 2025 reports (``truth["added"]``) and removes two (``truth["removed"]``):
        one drops off its list and its page answers 404, one stays listed and its page answers
        410 (``reason: gone_410``).
        """
        if self.profile != "full":
            raise RuntimeError("advance() needs the full profile")
        generate(self.root, "full", epoch=self.epoch + 1)
        self._load()
        for srv in self.servers:
            srv.site = self._server_conf[srv.root.name]
        return self.truth

    def _bind(self, port: int, attempts: int = 20) -> list[SiteServer]:
        """Bind every county to the same port; with ``port=0`` retry until one is free on all."""
        for _ in range(attempts):
            servers: list[SiteServer] = []
            try:
                p = port
                for s in self.truth["sites"]:
                    srv = SiteServer(
                        s["host"],
                        p,
                        self.root / "sites" / s["adcode"],
                        self._server_conf[s["adcode"]],
                        self.log,
                    )
                    servers.append(srv)
                    p = srv.server_address[1]
                return servers
            except OSError as exc:
                for srv in servers:
                    srv.server_close()
                if port or exc.errno != errno.EADDRINUSE:
                    raise
        raise OSError(errno.EADDRINUSE, "no port free on every sample web address")

    def start(self) -> SampleWeb:
        for srv in self.servers:
            t = threading.Thread(
                target=srv.serve_forever, daemon=True, name=f"sampleweb-{srv.site['host']}"
            )
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self.log.close()

    def requests(self) -> list[dict]:
        """Every request answered so far: host, method, path, query, status, start, end."""
        return self.log.entries()

    def write_sources(self, path: Path) -> Path:
        """Write the sources CSV (adcode, name, url, province, prefecture) for the running sites."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        by_code = {s["adcode"]: s for s in self.truth["sites"]}
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["adcode", "name", "url", "province", "prefecture"])
            for s in self.sites:
                t = by_code[s["adcode"]]
                w.writerow([s["adcode"], s["name"], s["base_url"], t["province"], t["prefecture"]])
        return path


def _profile_of(truth_path: Path) -> str:
    return json.loads(truth_path.read_text(encoding="utf-8")).get("profile", "basic")


@contextlib.contextmanager
def serve_sample_web(
    root: Path, port: int = 0, log: Path | None = None, profile: str | None = "basic"
) -> Iterator[SampleWeb]:
    """Serve the sample web under ``root`` (generated first if empty) for a ``with`` block.

    :param root: the generated tree (``python -m sampleweb generate --out root``)
    :param port: shared port of every county; 0 picks a free one
    :param log: optional JSON-lines request log file
    :param profile: ``"basic"`` or ``"full"``; a tree of the other profile is regenerated
    """
    web = SampleWeb(root, port, log, profile).start()
    try:
        yield web
    finally:
        web.stop()

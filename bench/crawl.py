"""Crawl benchmark: our crawler against a bare Scrapy spider, and against the politeness bound.

The sample web has three counties; for a fleet of 200+ this module serves copies of the
generated ``basic`` tree, each county copy on its own loopback address (``127.0.1.1``,
``127.0.1.2`` …, one port for all) with its own adcode, by reusing
:class:`sampleweb.server.SiteServer` in this process. Every request lands in one request log.

(a) **Throughput** (politeness off): ``python -m crawler`` with ``DOWNLOAD_DELAY=0``, no
AutoThrottle, ``CONCURRENT_REQUESTS=32`` and one request at a time per site, then a bare Scrapy
spider that fetches exactly the requests our crawl made (from the request log: same methods,
same Hanweb POST forms, redirects not followed, robots.txt fetched as a page) with the same
concurrency, discarding the bodies. The ratio ``ours / bare`` in pages per second is the cost
of archiving (WARC records, sha256 file store, rows in SQLite, discovery); the target is ≥ 0.7.

(b) **Politeness**: ``python -m crawler`` with its default politeness (``DOWNLOAD_DELAY`` and
AutoThrottle as in crawler/settings.py; the delay can be scaled down with ``--delay``) over a
smaller fleet; its wall time against the bound ``busiest site's requests × delay``, the least
time a crawl honouring the delay can take; the target is ≤ 1.2.

Each crawl runs in its own process; its wall time includes interpreter start-up and the
end-of-run summary, and its peak memory is the child's ``ru_maxrss`` from ``wait4``.

Example::

    $ python -m bench.crawl --sites 201 --polite-sites 20 --delay 1.0
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sampleweb.generate import generate
from sampleweb.server import DATAPROXY, RequestLog, SiteServer

REPO = Path(__file__).resolve().parents[1]

#: politeness off, as the issue asks for (a)
FAST_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "32",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
}


#: the archiving components (WARC, file store and rows, incremental lookups, the saved queue)
#: switched off: what is left is discovery (parsing, link finding) and Scrapy itself
NO_ARCHIVING = {
    "NIANBAO_WARC_ENABLED": "False",
    "NIANBAO_ARCHIVE_ENABLED": "False",
    "NIANBAO_INCREMENTAL_ENABLED": "False",
    "NIANBAO_RESUME_ENABLED": "False",
}


def host_of(n: int) -> str:
    """The loopback address of the ``n``-th county of the fleet (0-based), from 127.0.1.1.

    >>> host_of(0), host_of(249), host_of(250)
    ('127.0.1.1', '127.0.1.250', '127.0.2.1')
    """
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


def adcode_of(original: str, copy: int) -> str:
    """A distinct 6-digit code for copy ``copy`` of a sample county (same province prefix).

    >>> adcode_of("330991", 7)
    '330007'
    """
    return f"{original[:2]}{copy:04d}"


class Fleet:
    """``sites`` county sites served from copies of the basic sample web under ``root``.

    ``sources``: the rows of a sources CSV; ``requests()``: every request answered so far.
    """

    def __init__(self, root: Path, sites: int, port: int = 0) -> None:
        root = Path(root)
        if not (root / "truth.json").exists():
            generate(root, "basic")
        truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
        conf = json.loads((root / "server.json").read_text(encoding="utf-8"))
        originals = truth["sites"]
        self.log = RequestLog()
        self._threads: list[threading.Thread] = []
        self.servers: list[SiteServer] = []
        self.sources: list[dict[str, str]] = []
        self.adcode_by_host: dict[str, str] = {}
        self.conf_by_host: dict[str, dict] = {}
        try:
            for n in range(sites):
                original = originals[n % len(originals)]
                host = host_of(n)
                site = {**conf[original["adcode"]], "host": host}
                server = SiteServer(host, port, root / "sites" / original["adcode"], site, self.log)
                port = server.server_address[1]
                self.servers.append(server)
                adcode = adcode_of(original["adcode"], n // len(originals))
                self.adcode_by_host[host] = adcode
                self.conf_by_host[host] = site
                self.sources.append(
                    {
                        "adcode": adcode,
                        "name": original["name"],
                        "url": f"http://{host}:{port}/",
                        "province": original["province"],
                        "prefecture": original["prefecture"],
                    }
                )
        except OSError:
            self.stop()
            raise
        self.port = port

    def start(self) -> Fleet:
        for server in self.servers:
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self.servers:
            if self._threads:  # shutdown() waits for serve_forever, which must be running
                server.shutdown()
            server.server_close()

    def requests(self) -> list[dict]:
        return self.log.entries()

    def write_sources(self, path: Path) -> Path:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, ["adcode", "name", "url", "province", "prefecture"])
            writer.writeheader()
            writer.writerows(self.sources)
        return path

    def replay_list(self, entries: list[dict]) -> list[dict[str, str]]:
        """The requests of ``entries`` as ``{method, url, body}`` for the bare spider.

        The log holds no request bodies; the only POSTs are Hanweb list calls, whose form is the
        column's ``columnid``/``unitid``/``webid`` from the site's server.json entry.
        """
        out = []
        for e in entries:
            url = f"http://{e['host']}:{self.port}{e['path']}" + (
                f"?{e['query']}" if e["query"] else ""
            )
            body = ""
            if e["method"] == "POST" and e["path"] == DATAPROXY:
                columnid, column = next(iter(self.conf_by_host[e["host"]]["dataproxy"].items()))
                body = urlencode(
                    {"columnid": columnid, "unitid": column["unitid"], "webid": column["webid"]}
                )
            out.append({"method": e["method"], "url": url, "body": body})
        return out


@contextlib.contextmanager
def serve_fleet(root: Path, sites: int) -> Iterator[Fleet]:
    """Serve a fleet of ``sites`` counties for a ``with`` block (see :class:`Fleet`)."""
    fleet = Fleet(root, sites).start()
    try:
        yield fleet
    finally:
        fleet.stop()


def run_measured(cmd: list[str], log: Path | None = None) -> dict[str, Any]:
    """Run ``cmd`` from the repository root; its wall seconds, peak RSS (MiB) and exit code.

    ``wait4`` gives the child's own resource usage, so two children are measured separately.
    """
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    return {
        "seconds": round(seconds, 2),
        "peak_mib": round(usage.ru_maxrss / 1024, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "returncode": proc.returncode,
    }


def crawl_cmd(sources: Path, data: Path, settings: dict[str, str]) -> list[str]:
    cmd = [sys.executable, "-m", "crawler", "--sources", str(sources), "--data", str(data)]
    for name, value in settings.items():
        cmd += ["-s", f"{name}={value}"]
    return cmd


def _span(entries: list[dict]) -> float:
    return max(e["end"] for e in entries) - min(e["start"] for e in entries) if entries else 0.0


def _crawl(cmd: list[str], log: Path, fleet: Fleet, what: str) -> tuple[dict, list[dict]]:
    """Run one crawl of the fleet; its measures and the requests the fleet saw from it."""
    before = len(fleet.requests())
    run = run_measured(cmd, log)
    if run["returncode"] != 0:
        raise RuntimeError(f"{what} failed; see {log}")
    return run, fleet.requests()[before:]


def _median(runs: list[tuple[dict, list[dict]]]) -> int:
    """The index of the run of median wall time (the middle one of an odd number)."""
    return sorted(range(len(runs)), key=lambda n: runs[n][0]["seconds"])[(len(runs) - 1) // 2]


def html_parse_seconds(warc_dir: Path) -> dict[str, Any]:
    """How long parsing the HTML answers archived in ``warc_dir`` takes, once each, the way the
    spider does (``HtmlResponse.selector``): a floor of discovery that the bare spider, which
    parses nothing, never pays. Only the parse is timed, not reading the WARC files."""
    from scrapy.http import HtmlResponse
    from warcio.archiveiterator import ArchiveIterator

    pages, seconds = 0, 0.0
    for path in sorted(warc_dir.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or not record.http_headers:
                    continue
                kind = record.http_headers.get_header("Content-Type") or ""
                if not kind.startswith("text/html"):
                    continue
                body = record.content_stream().read()
                url = record.rec_headers.get_header("WARC-Target-URI")
                response = HtmlResponse(url, body=body, headers={"Content-Type": kind})
                start = time.perf_counter()
                response.selector  # noqa: B018 -- the parse is what is timed
                seconds += time.perf_counter() - start
                pages += 1
    return {"pages": pages, "seconds": round(seconds, 2)}


def throughput(work: Path, web: Path, sites: int, rounds: int = 3) -> dict[str, Any]:
    """(a): our crawler, the bare spider and our crawler without archiving over the same
    fleet, politeness off, in ``rounds`` interleaved rounds; each is reported by its median
    run, so that a burst of load from elsewhere on the machine does not decide a ratio."""
    ours_runs, bare_runs, plain_runs = [], [], []
    with serve_fleet(web, sites) as fleet:
        sources = fleet.write_sources(work / "sources-a.csv")
        for n in range(rounds):
            ours_runs.append(
                _crawl(
                    crawl_cmd(sources, work / f"data-a{n}", FAST_SETTINGS),
                    work / f"crawl-a{n}.log",
                    fleet,
                    "crawl",
                )
            )
            if n == 0:
                replay = fleet.replay_list(ours_runs[0][1])
                (work / "replay.json").write_text(json.dumps(replay), encoding="utf-8")
            bare_runs.append(
                _crawl(
                    [sys.executable, "-m", "bench.crawl", "--bare", str(work / "replay.json")],
                    work / f"bare{n}.log",
                    fleet,
                    "bare spider",
                )
            )
            plain_runs.append(
                _crawl(
                    crawl_cmd(sources, work / f"data-p{n}", {**FAST_SETTINGS, **NO_ARCHIVING}),
                    work / f"crawl-p{n}.log",
                    fleet,
                    "crawl without archiving",
                )
            )
    median = _median(ours_runs)
    (ours, ours_entries), (bare, bare_entries) = ours_runs[median], bare_runs[_median(bare_runs)]
    plain, plain_entries = plain_runs[_median(plain_runs)]
    statuses = Counter(e["status"] for e in ours_entries)
    pages, bare_pages = len(ours_entries), len(bare_entries)
    result = {
        "sites": sites,
        "rounds": rounds,
        "settings": FAST_SETTINGS,
        "requests": pages,
        "bare_requests": bare_pages,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "ours_seconds": ours["seconds"],
        "bare_seconds": bare["seconds"],
        "ours_pages_per_s": round(pages / ours["seconds"], 1),
        "bare_pages_per_s": round(bare_pages / bare["seconds"], 1),
        # every round's wall time, to show the spread
        "ours_seconds_all": [r[0]["seconds"] for r in ours_runs],
        "bare_seconds_all": [r[0]["seconds"] for r in bare_runs],
        # first request to last answer, without interpreter start-up and end-of-run summary
        "ours_fetch_seconds": round(_span(ours_entries), 2),
        "bare_fetch_seconds": round(_span(bare_entries), 2),
        # CPU time of each crawl process (a crawl near its wall time is CPU-bound)
        "ours_cpu_seconds": ours["cpu_seconds"],
        "bare_cpu_seconds": bare["cpu_seconds"],
        "ours_peak_mib": ours["peak_mib"],
        "bare_peak_mib": bare["peak_mib"],
    }
    result["no_archiving"] = {
        "settings": NO_ARCHIVING,
        "requests": len(plain_entries),
        "seconds": plain["seconds"],
        "seconds_all": [r[0]["seconds"] for r in plain_runs],
        "pages_per_s": round(len(plain_entries) / plain["seconds"], 1),
        "cpu_seconds": plain["cpu_seconds"],
        "peak_mib": plain["peak_mib"],
    }
    result["html_parse"] = html_parse_seconds(work / f"data-a{median}" / "warc")
    result["ratio"] = round(result["ours_pages_per_s"] / result["bare_pages_per_s"], 2)
    # the same crawler with and without archiving: the cost of archiving alone
    result["archiving_ratio"] = round(
        result["ours_pages_per_s"] / result["no_archiving"]["pages_per_s"], 2
    )
    result["no_archiving_ratio"] = round(
        result["no_archiving"]["pages_per_s"] / result["bare_pages_per_s"], 2
    )
    result["fetch_ratio"] = round(
        (pages / max(result["ours_fetch_seconds"], 1e-9))
        / (bare_pages / max(result["bare_fetch_seconds"], 1e-9)),
        2,
    )
    return result


def politeness(work: Path, web: Path, sites: int, delay: float) -> dict[str, Any]:
    """(b): our crawler with its default politeness against ``busiest site × delay``."""
    settings = {} if delay == 1.0 else {"DOWNLOAD_DELAY": str(delay)}
    with serve_fleet(web, sites) as fleet:
        sources = fleet.write_sources(work / "sources-b.csv")
        run = run_measured(crawl_cmd(sources, work / "data-b", settings), work / "crawl-b.log")
        if run["returncode"] != 0:
            raise RuntimeError(f"polite crawl failed; see {work / 'crawl-b.log'}")
        entries = fleet.requests()
    per_site = Counter(e["host"] for e in entries)
    busiest = max(per_site.values())
    bound = busiest * delay
    return {
        "sites": sites,
        "delay": delay,
        "settings": settings or "defaults (crawler/settings.py)",
        "requests": len(entries),
        "busiest_site_requests": busiest,
        "bound_seconds": round(bound, 2),
        "seconds": run["seconds"],
        "fetch_seconds": round(_span(entries), 2),
        "ratio": round(run["seconds"] / bound, 2),
        "fetch_ratio": round(_span(entries) / bound, 2),
        "peak_mib": run["peak_mib"],
        "cpu_seconds": run["cpu_seconds"],
    }


def bench(
    sites: int = 201, polite_sites: int = 20, delay: float = 1.0, rounds: int = 3
) -> dict[str, Any]:
    """Both crawl measures in one run; returns the result document (without the machine)."""
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-crawl-") as tmp:
        work = Path(tmp)
        generate(work / "web", "basic")
        return {
            "throughput": throughput(work, work / "web", sites, rounds),
            "politeness": politeness(work, work / "web", polite_sites, delay),
        }


def print_table(result: dict[str, Any], out=sys.stdout) -> None:
    a, b = result["throughput"], result["politeness"]
    print(
        f"(a) {a['sites']} sites, {a['requests']} requests, politeness off, median of "
        f"{a['rounds']} rounds\n"
        f"    ours {a['ours_pages_per_s']:.1f} pages/s ({a['ours_seconds']:.1f} s, peak "
        f"{a['ours_peak_mib']:.0f} MiB)   bare {a['bare_pages_per_s']:.1f} pages/s "
        f"({a['bare_seconds']:.1f} s, peak {a['bare_peak_mib']:.0f} MiB)\n"
        f"    ratio ours/bare {a['ratio']:.2f}x (target >= 0.7; fetch span only "
        f"{a['fetch_ratio']:.2f}x)\n"
        f"    ours without archiving {a['no_archiving']['pages_per_s']:.1f} pages/s "
        f"({a['no_archiving']['seconds']:.1f} s): discovery and Scrapy "
        f"{a['no_archiving_ratio']:.2f}x bare; archiving alone {a['archiving_ratio']:.2f}x\n"
        f"    parsing the {a['html_parse']['pages']} HTML answers once each (lxml, as the spider "
        f"does) takes {a['html_parse']['seconds']:.1f} s; the bare spider parses none\n"
        f"(b) {b['sites']} sites, delay {b['delay']} s, {b['requests']} requests, busiest site "
        f"{b['busiest_site_requests']}\n"
        f"    {b['seconds']:.1f} s against the bound {b['bound_seconds']:.1f} s: "
        f"{b['ratio']:.2f}x (target <= 1.2; fetch span only {b['fetch_ratio']:.2f}x), peak "
        f"{b['peak_mib']:.0f} MiB",
        file=out,
    )


# --- the bare spider (child process) ---------------------------------------------------------


def run_bare(replay_file: Path, concurrency: int = 32) -> None:
    """Fetch every request of ``replay_file`` with plain Scrapy, bodies discarded."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    requests = json.loads(Path(replay_file).read_text(encoding="utf-8"))

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self):
            for r in requests:
                yield scrapy.Request(
                    r["url"],
                    method=r["method"],
                    body=r["body"] or None,
                    headers={"Content-Type": "application/x-www-form-urlencoded"}
                    if r["body"]
                    else None,
                    dont_filter=True,
                    callback=self.discard,
                    meta={"dont_redirect": True, "handle_httpstatus_all": True},
                )

        def discard(self, response):
            return None

    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "COOKIES_ENABLED": False,
            "RETRY_ENABLED": False,
            "REDIRECT_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,  # no job file per run in the user's home
            "LOG_LEVEL": "WARNING",
        }
    )
    process.crawl(BareSpider)
    process.start()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--bare"]:
        run_bare(Path(argv[1]))
        return 0
    from bench.machine import write_result

    parser = argparse.ArgumentParser(prog="python -m bench.crawl")
    parser.add_argument("--sites", type=int, default=201, help="counties for (a)")
    parser.add_argument("--polite-sites", type=int, default=20, help="counties for (b)")
    parser.add_argument("--delay", type=float, default=1.0, help="DOWNLOAD_DELAY for (b)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of (a)")
    parser.add_argument("--out", type=Path, default=None, help="JSON file to write")
    args = parser.parse_args(argv)
    result = bench(args.sites, args.polite_sites, args.delay, args.rounds)
    print_table(result)
    print(f"written to {write_result('crawl', result, args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

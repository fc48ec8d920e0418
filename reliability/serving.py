"""``make extract`` while ``make serve`` runs: Datasette must keep answering, consistently.

``make serve`` (WAL, read-only) sees each document appear whole; ``make serve PUBLIC=1`` serves
an immutable snapshot (``DATA/public/archive.db``) and must keep answering from it, unchanged.

The served archive is polled while a batch writes into it. Every answer must be a 200, the
number of reports must never go down, and every poll must see whole documents only: each
document's reports and its ``extractions`` row commit in one transaction, so the count of
documents recorded ``ok`` always equals the count of distinct documents among the reports.

Example::

    results = run_serving(crawled_copy, port)
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from archive.serve import launch
from reliability.common import REPO, Result, env_with
from reliability.public import _request

#: one snapshot: reports saved, documents recorded, stats rows of unknown reports
POLL_SQL = (
    "select (select count(*) from reports) as reports,"
    " (select count(distinct sha256) from reports) as documents,"
    " (select count(*) from extractions where status = 'ok') as recorded,"
    " (select count(*) from request_stats where report_id not in (select id from reports))"
    " as orphans"
)


def _serve(data: Path, port: int, public: bool) -> subprocess.Popen:
    return launch(data, port, public=public, env=env_with(), stderr=subprocess.DEVNULL)


def run_serving(data: Path, port: int, expected_reports: int, public: bool = False) -> list[Result]:
    """Extract ``data`` (crawled, not extracted) while it is served; judge every poll."""
    process = _serve(data, port, public)
    polls: list[dict] = []
    failures: list[str] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            try:
                status, body, _, _ = _request(
                    port, "/archive.json?_shape=objects&sql=" + quote(POLL_SQL), timeout=10
                )
            except OSError as exc:
                failures.append(f"no answer: {exc}")
                continue
            if status != 200:
                failures.append(f"HTTP {status}: {body[:80]!r}")
            else:
                polls.append(json.loads(body)["rows"][0])
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        extract = subprocess.run(
            [sys.executable, "-m", "extract.batch", "--data", str(data), "--workers", "2"],
            cwd=REPO,
            env=env_with(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        time.sleep(0.5)
    finally:
        done.set()
        poller.join()
        process.terminate()
        process.wait(timeout=15)
    counts = [p["reports"] for p in polls]
    torn = [p for p in polls if p["documents"] != p["recorded"] or p["orphans"]]
    final = counts[-1] if counts else 0
    detail = (
        f"{len(polls)} polls, {len(failures)} failed, {len(torn)} torn, "
        f"reports {counts[0] if counts else '?'} -> {final}"
    )
    if extract.returncode != 0:
        detail += f"; extract exit {extract.returncode}: {extract.stderr.strip()[-80:]}"
    if counts != sorted(counts):
        detail += f"; counts went down: {counts}"[:200]
    # the public instance serves the file immutable: it keeps its snapshot until restarted
    wanted = {counts[0]} if public and counts else {expected_reports}
    if public and len(set(counts)) > 1:
        detail += f"; the snapshot changed: {sorted(set(counts))}"
    ok = (
        extract.returncode == 0
        and not failures
        and not torn
        and counts == sorted(counts)
        and not (public and len(set(counts)) > 1)
        and final in wanted
        and len(polls) > 5
    )
    mode = "public" if public else "local"
    return [Result("crash", f"extract while serving ({mode})", ok, detail)]

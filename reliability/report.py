"""Run every reliability check against the bundled sample web and print the table.

Example::

    results = run_all(Path("/tmp/reliability"))
    print("\\n".join(table(results)))
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reliability.common import Result, connect
from reliability.crashes import run_crashes
from reliability.hostile import run_hostile
from reliability.public import run_public
from reliability.serving import run_serving
from sampleweb import serve_sample_web

#: the rows of the table: result kind → (label, what a pass is called)
KINDS: dict[str, tuple[str, str]] = {
    "crash": ("crash points", "passed"),
    "input": ("bad inputs", "handled"),
    "query": ("hostile queries", "refused"),
}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_all(work: Path) -> list[Result]:
    """Crash cases first (they build the reference runs), then the rest side by side.

    :param work: an empty scratch directory (several hundred MB at most)
    """
    work.mkdir(parents=True, exist_ok=True)
    with serve_sample_web(work / "web") as web:
        for server in getattr(web, "servers", ()):
            _quiet_resets(server)
        sources = web.write_sources(work / "sources.csv")
        sample_pdf = sorted((work / "web").rglob("*.pdf"))[0].read_bytes()
        results = run_crashes(work / "crashes", sources, pdf=sample_pdf)
        reference = work / "crashes" / "reference"
        crawled = work / "crashes" / "crawled"
        if not crawled.is_dir():
            return results
        expected = _reports(reference)
        copies = {"serving": crawled, "serving-public": crawled, "public": reference}
        for name, source in {**copies, "bystander": reference}.items():
            shutil.copytree(source, work / name)
        jobs = {
            "extract while serving": lambda: run_serving(work / "serving", _free_port(), expected),
            "extract while serving public": lambda: run_serving(
                work / "serving-public", _free_port(), expected, public=True
            ),
            "hostile input": lambda: run_hostile(
                work / "hostile", sources, reference, sample_pdf, work / "bystander"
            ),
        }
        (work / "hostile").mkdir(exist_ok=True)
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            for found in pool.map(_guarded, jobs.items()):
                results += found
    # alone, so that its time limits are judged on an idle machine
    results += _guarded(("public instance", lambda: run_public(work / "public", _free_port())))
    return results


def _quiet_resets(server) -> None:
    """A crawler killed mid-request resets its connections: expected here, so not printed."""
    original = server.handle_error

    def handle_error(request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            original(request, client_address)

    server.handle_error = handle_error


def _guarded(job: tuple[str, Callable[[], list[Result]]]) -> list[Result]:
    """Run one group of checks; a harness error is a failed check, never a crash."""
    name, run = job
    try:
        return run()
    except Exception as exc:  # the table must still print
        kind = "query" if name == "public instance" else "input"
        return [Result(kind, name, False, f"harness error {type(exc).__name__}: {exc}"[:110])]


def _reports(data: Path) -> int:
    db = connect(data)
    try:
        return db.execute("select count(*) from reports").fetchone()[0]
    finally:
        db.close()


def table(results: list[Result]) -> list[str]:
    """The summary table (tried / passed per kind, bytes lost, duplicates).

    >>> table([Result("crash", "x", True)])[1]
    'crash points      1      1 passed'
    """
    lines = ["check             tried  result"]
    for kind, (label, verb) in KINDS.items():
        mine = [r for r in results if r.kind == kind]
        passed = sum(r.passed for r in mine)
        lines.append(f"{label:17} {len(mine):<6} {passed} {verb}")
    lost = sum(r.bytes_lost for r in results)
    dups = sum(r.duplicates for r in results)
    lines.append(f"{'bytes lost':17} {lost:<6} (must be 0)")
    lines.append(f"{'duplicates':17} {dups:<6} (must be 0)")
    return lines


def ok(results: list[Result]) -> bool:
    """True when every check passed and nothing was lost or duplicated."""
    return bool(results) and all(
        r.passed and not r.bytes_lost and not r.duplicates for r in results
    )

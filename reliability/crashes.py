"""Kill ``make crawl`` and ``make extract`` at named points, rerun, compare with a clean run.

Each case arms one crash point of :mod:`archive.faults` (``NIANBAO_CRASH_AT=<point>:<n>``),
checks the process died by SIGKILL, reruns the verb without the crash and compares the end state
with one uninterrupted reference run: the same reports, the same numbers, the same stored files
(by sha256), no duplicate rows, every WARC record readable (digests checked), every
``documents`` row pointing at a real WARC record, and no partial file anywhere.

Example::

    results = run_crashes(Path("/tmp/work"))
    assert all(r.passed for r in results)
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reliability.common import (
    Result,
    connect,
    duplicates,
    env_with,
    partial_files,
    rows,
    run_crawl,
    run_extract,
    store_files,
    warc_records,
)

#: crawl crash points and the occurrence to die at (the basic sample web: ~130 responses,
#: 104 stored documents, 78 reports, so each lands mid-run)
CRAWL_POINTS: tuple[tuple[str, int], ...] = (
    ("crawl.downloaded", 40),
    ("crawl.warc_written", 70),
    ("crawl.store_temp", 12),
    ("crawl.document_row", 30),
    ("crawl.report_txn", 25),
    ("crawl.finishing", 1),
)
#: extract crash points (78 documents, parsed one by one so the kill takes the batch down)
EXTRACT_POINTS: tuple[tuple[str, int], ...] = (
    ("extract.worker", 5),
    ("extract.parsed", 10),
    ("extract.save_txn", 20),
    ("extract.recorded", 30),
    ("extract.derived", 1),
)

#: what must be equal after crash + rerun and after one clean run
CRAWL_STATE: dict[str, str] = {
    "report_links": "select id, adcode, publisher, year, title, url, document_url,"
    " document_sha256, content_type, status from report_links",
    "documents": "select url, final_url, sha256, status, kind, size, content_type from documents",
    "new events": "select report_id from events where kind = 'new'",
    "changed/removed events": "select kind, report_id from events where kind != 'new'",
    "crawl_errors": "select distinct adcode, url, status, reason from crawl_errors",
    "sites": "select adcode, status, family, reports_by_year, missing_years from sites",
    "last run": "select status, reports, errors, removed from crawl_runs order by id desc limit 1",
}
EXTRACT_STATE: dict[str, str] = {
    "reports": "select id, adcode, region, publisher, year, title, url, document_url, published,"
    " format, form_version, sha256, extractor_version from reports",
    **{
        t: f"select * from {t}"
        for t in (
            "sections",
            "proactive_stats",
            "request_stats",
            "appeal_stats",
            "checks",
            "report_figures",
            "county_years",
            "counties",
        )
    },
    "extractions": "select sha256, extractor_version, status, error from extractions",
    "extract_errors": "select sha256, url, reason from extract_errors",
    "search index": "select count(*) from sections_fts",
}


def snapshot(data: Path, queries: dict[str, str]) -> dict[str, list[tuple]]:
    """The rows of each state query, sorted, for comparing two end states."""
    db = connect(data)
    try:
        return {name: rows(db, sql) for name, sql in queries.items()}
    finally:
        db.close()


def differences(got: dict, want: dict) -> list[str]:
    """One line per state query whose rows differ (with a count of rows each side)."""
    out = []
    for name, expected in want.items():
        actual = got.get(name, [])
        if actual != expected:
            missing = len(set(expected) - set(actual))
            extra = len(set(actual) - set(expected))
            out.append(f"{name}: {missing} rows missing, {extra} extra")
    return out


def archive_checks(data: Path, reference_files: dict[str, int]) -> tuple[list[str], int, int]:
    """Problems of a data directory on its own: (problems, bytes lost, duplicate rows).

    Bytes lost: stored bytes of the reference missing here, plus the size of every document
    whose row points at no WARC record.
    """
    problems = []
    files = store_files(data)
    lost = sum(size for sha, size in reference_files.items() if sha not in files)
    if lost:
        problems.append(f"{lost} bytes of the reference store missing")
    problems += [f"partial file {p}" for p in partial_files(data)]
    records, errors = warc_records(data)
    problems += [f"unreadable WARC {e}" for e in errors]
    db = connect(data)
    unlinked = [
        (url, size)
        for url, name, offset, size in db.execute(
            "select url, warc_file, warc_offset, size from documents where warc_file is not null"
        )
        if (name, offset) not in records
    ]
    db.close()
    if unlinked:
        problems.append(f"{len(unlinked)} documents point at no WARC record ({unlinked[0][0]})")
        lost += sum(size or 0 for _, size in unlinked)
    dups = duplicates(data)
    if dups:
        problems.append(f"duplicate rows {dups}")
    return problems, lost, sum(dups.values())


def _crash_case(
    name: str, run: Callable[[dict], object], rerun: Callable[[], object], check, killed=True
) -> Result:
    proc = run(env_with(NIANBAO_CRASH_AT=name))
    if killed and proc.returncode != -signal.SIGKILL:
        return Result(
            "crash", name, False, f"not killed (exit {proc.returncode}): point not reached?"
        )
    if not killed and proc.returncode != 0:
        return Result("crash", name, False, f"the batch died with its worker: {proc.returncode}")
    again = rerun()
    if again.returncode != 0:
        tail = (again.stderr or "").strip().splitlines()[-1:] or [""]
        return Result("crash", name, False, f"rerun exit {again.returncode}: {tail[0]}")
    problems, lost, dups = check()
    return Result(
        "crash",
        name,
        not problems,
        "; ".join(problems) or "killed, rerun matches the reference",
        lost,
        dups,
    )


def scanned_data(data: Path, pdf: bytes) -> Path:
    """A DATA holding one report whose document is a scan of ``pdf`` (no text layer: OCR)."""
    from archive import crawldb
    from archive.store import FileStore
    from sampleweb.render_scan import scanned_pdf

    scan = scanned_pdf(pdf, "reliability")
    sha256 = FileStore(data / "files").put(scan)
    db = crawldb.open_db(data / "archive.db")
    url = "http://127.0.0.11/scan/report.pdf"
    crawldb.upsert_report_link(
        db,
        {
            "adcode": "330991",
            "url": url,
            "document_url": url,
            "document_sha256": sha256,
            "content_type": "application/pdf",
            "status": "online",
        },
    )
    db.close()
    return data


def ocr_case(work: Path, pdf: bytes) -> Result:
    """Kill the batch inside the OCR page loop of a scanned report; rerun; compare."""
    base = scanned_data(work / "ocr-base", pdf)
    reference, data = work / "ocr-reference", work / "ocr-crash"
    shutil.copytree(base, reference)
    shutil.copytree(base, data)
    done = run_extract(reference)
    if done.returncode != 0:
        return Result("crash", "extract.ocr_page:2", False, f"reference: {done.stderr[-100:]}")
    want = snapshot(reference, EXTRACT_STATE)
    files = store_files(reference)

    def check():
        problems, lost, dups = archive_checks(data, files)
        return problems + differences(snapshot(data, EXTRACT_STATE), want), lost, dups

    return _crash_case(
        "extract.ocr_page:2",
        lambda env: run_extract(data, env=env),
        lambda: run_extract(data),
        check,
    )


def run_crashes(
    work: Path, sources: Path, workers: int = 4, pdf: bytes | None = None
) -> list[Result]:
    """Every crash case; ``sources`` is the sources CSV of a running basic sample web.

    :param work: an empty scratch directory
    :param sources: sources CSV of the sample web (served for the whole call)
    :param workers: cases run side by side
    :param pdf: a text report PDF; given, its scan is OCRed and killed mid-OCR too
    """
    reference = work / "reference"
    first = run_crawl(sources, reference)
    if first.returncode != 0:
        return [Result("crash", "reference crawl", False, first.stderr.strip()[-200:])]
    crawled = work / "crawled"  # the reference before extraction, base of every extract case
    shutil.copytree(reference, crawled)
    crawl_state = snapshot(reference, CRAWL_STATE)
    done = run_extract(reference)
    if done.returncode != 0:
        return [Result("crash", "reference extract", False, done.stderr.strip()[-200:])]
    extract_state = snapshot(reference, EXTRACT_STATE)
    reference_files = store_files(reference)

    def crawl_case(point: str, n: int) -> Result:
        data = work / f"crawl-{point}"
        name = f"{point}:{n}"

        def check():
            problems, lost, dups = archive_checks(data, reference_files)
            problems += differences(snapshot(data, CRAWL_STATE), crawl_state)
            return problems, lost, dups

        return _crash_case(
            name,
            lambda env: run_crawl(sources, data, env=env),
            lambda: run_crawl(sources, data),
            check,
        )

    def extract_case(point: str, n: int) -> Result:
        data = work / f"extract-{point}"
        shutil.copytree(crawled, data)
        name = f"{point}:{n}"
        # a dead parser worker must not take the batch down, nor fail documents for good
        workers = 2 if point == "extract.worker" else 1

        def check():
            problems, lost, dups = archive_checks(data, reference_files)
            problems += differences(snapshot(data, EXTRACT_STATE), extract_state)
            return problems, lost, dups

        return _crash_case(
            name,
            lambda env: run_extract(data, workers=workers, env=env),
            lambda: run_extract(data),
            check,
            killed=workers == 1,
        )

    cases = [(crawl_case, p, n) for p, n in CRAWL_POINTS]
    cases += [(extract_case, p, n) for p, n in EXTRACT_POINTS]
    if pdf is not None:
        cases.append((lambda p, n: ocr_case(work, pdf), "extract.ocr_page", 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda case: case[0](case[1], case[2]), cases))

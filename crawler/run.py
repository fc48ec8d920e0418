"""Running a crawl: validate the sources, hold the lock, crawl, summarise.

:func:`crawl` is what ``python -m crawler`` and ``make crawl`` call.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import sys
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive import crawldb, store
from archive.faults import maybe_crash
from archive.lock import LockHeld, data_lock
from crawler.context import now_iso, site_stat
from crawler.sources import SourcesError, read_sources

SUMMARY_COLUMNS = (
    "adcode",
    "name",
    "family",
    "pages",
    "reports",
    "new",
    "changed",
    "removed",
    "errors",
    "status",
)


SUMMARY_KEYS = ("pages", "reports", "new", "changed", "removed", "errors")


# the data directory's lock, under the name the crawl has always used
crawl_lock = data_lock


def _queue_left(jobdir: Path) -> bool:
    """True when a saved Scrapy job still holds queued requests (its ``active.json`` is not
    empty); a job saved by a spider that finished has nothing to resume."""
    try:
        active = json.loads((jobdir / "requests.queue" / "active.json").read_text())
    except (OSError, ValueError):
        return False
    return bool(active)


def build_settings(
    sites: list[dict[str, str]], data: Path, run_id: str, overrides: Mapping[str, Any] | None
) -> Settings:
    """The project settings with the run's wiring and the caller's overrides on top."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(
        {
            "NIANBAO_DATA": str(data),
            "NIANBAO_SITES": sites,
            "NIANBAO_RUN_ID": run_id,
            "LOG_FILE": str(data / "logs" / f"crawl-{run_id}.log"),
            "LOG_FILE_APPEND": False,
        },
        priority="cmdline",
    )
    settings.update(dict(overrides or {}), priority="cmdline")
    if settings.getbool("NIANBAO_RESUME_ENABLED") and not settings.get("JOBDIR"):
        jobdir = data / "state" / "job"
        if jobdir.is_dir() and (not (jobdir / "spider.state").exists() or not _queue_left(jobdir)):
            # Killed without a chance to save its queue (SIGKILL, power loss), or killed after
            # the spider finished but before the job was cleared: the seen-requests file alone
            # would hide every page of the next run, so start afresh.
            shutil.rmtree(jobdir, ignore_errors=True)
        settings.set("JOBDIR", str(jobdir), priority="cmdline")
        settings.set("NIANBAO_RESUMED", (jobdir / "spider.state").exists(), priority="cmdline")
    return settings


def site_summary(db, site: dict[str, str], stats: Mapping[str, Any], run_id: str) -> dict[str, Any]:
    """One site's line of the run summary, from the run's stats and the database.

    ``status`` is ``blocked`` (an anti-bot wall or 403s), ``broken`` (nothing could be fetched,
    or the time budget ran out), ``empty`` (pages fetched, no report recognised) or ``ok``.
    """
    adcode = site["adcode"]
    errors = db.execute(
        "select count(*) from crawl_errors where run_id = ? and adcode = ?", [run_id, adcode]
    ).fetchone()[0]
    pages = stats.get(site_stat(adcode, "pages"), 0)
    found = stats.get(site_stat(adcode, "reports"), 0)
    if stats.get(site_stat(adcode, "blocked")):
        status = "blocked"
    elif pages == 0 or stats.get(site_stat(adcode, "out_of_time")):
        status = "broken"
    elif found == 0:
        status = "empty"
    else:
        status = "ok"
    changed = db.execute(
        "select count(*) from events where run_id = ? and adcode = ? and kind = 'changed'",
        [run_id, adcode],
    ).fetchone()[0]
    return {
        "adcode": adcode,
        "name": site["name"],
        "family": stats.get(site_stat(adcode, "family"), ""),
        "pages": pages,
        "reports": found,
        "new": stats.get(site_stat(adcode, "new_reports"), 0),
        "changed": changed,
        "removed": 0,
        "errors": errors,
        "status": status,
    }


def site_health(db, adcode: str) -> dict[str, Any]:
    """Reports online per year and the years missing between the first and the last.

    >>> site_health(db, "330991")  # doctest: +SKIP
    {'reports_by_year': '{"2019": 5, "2021": 5}', 'missing_years': '[2020]'}
    """
    years = dict(
        db.execute(
            "select year, count(*) from report_links where adcode = ? and status = 'online'"
            " and year is not null group by year order by year",
            [adcode],
        ).fetchall()
    )
    missing = [y for y in range(min(years), max(years) + 1) if y not in years] if years else []
    return {
        "reports_by_year": json.dumps({str(y): n for y, n in years.items()}),
        "missing_years": json.dumps(missing),
    }


def record_sites(
    db, sites: list[dict[str, str]], rows: list[dict[str, Any]], run_id: str, finished: str
) -> None:
    """Upsert each site's ``sites`` row with this run's health (and fill a missing family).

    ``alert`` flags a site that had reports and now yields none (or got blocked or broke).
    """
    for site, row in zip(sites, rows, strict=True):
        known = next(db["sites"].rows_where("adcode = ?", [site["adcode"]]), None) or {}
        # A resumed run may not revisit the column pages that told the family.
        row["family"] = row["family"] or known.get("family") or ""
        alert = None
        if row["status"] != "ok" and (known.get("reports") or 0) > 0:
            alert = f"had {known['reports']} reports, now {row['status']}"
        crawldb.upsert_site(
            db,
            {
                **site,
                "family": row["family"],
                "last_run_id": run_id,
                "last_crawled": finished,
                "last_status": row["status"],
                "status": row["status"],
                "last_success": finished if row["status"] == "ok" else known.get("last_success"),
                "pages": row["pages"],
                "reports": row["reports"],
                "errors": row["errors"],
                "alert": alert,
                **site_health(db, site["adcode"]),
            },
        )


def record_removals(db, rows: list[dict[str, Any]], run_id: str, complete: bool) -> None:
    """Mark reports removed: those whose page or file answered 404/410 this run and, after a
    complete run, those an ``ok`` site no longer lists."""
    at = now_iso()
    for row in rows:
        gone = [
            url
            for (url,) in db.execute(
                "select url from crawl_errors where run_id = ? and adcode = ? and status in"
                " (404, 410)",
                [run_id, row["adcode"]],
            )
        ]
        row["removed"] = crawldb.mark_removed(db, row["adcode"], run_id, at, urls=gone)
        if complete and row["status"] == "ok":
            row["removed"] += crawldb.mark_removed(db, row["adcode"], run_id, at)


def close_stale_runs(db) -> None:
    """Runs left ``running`` by a crawl killed without warning (the lock is ours now)."""
    with db.conn:
        db.execute(
            "update crawl_runs set status = 'killed', finish_reason = 'killed'"
            " where status = 'running'"
        )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def print_summary(rows: list[dict[str, Any]], out: TextIO) -> None:
    """The per-site table printed at the end of a run (CJK characters count double)."""
    table = [list(SUMMARY_COLUMNS), *([str(r[c]) for c in SUMMARY_COLUMNS] for r in rows)]
    widths = [max(_width(row[i]) for row in table) for i in range(len(SUMMARY_COLUMNS))]
    for row in table:
        cells = (v + " " * (w - _width(v)) for v, w in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip(), file=out)


def _run_scrapy(settings: Settings) -> tuple[dict[str, Any], str]:
    from crawler.spiders.county import CountySpider

    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    # a log line that cannot be written (disk full) is dropped, not dumped on stderr
    logging.raiseExceptions = False
    process = CrawlerProcess(settings)
    # Scrapy leaves its loggers at NOTSET and filters in the handler, so each response and item
    # built a DEBUG record only to drop it
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    crawler = process.create_crawler(CountySpider)
    process.crawl(crawler)
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    return stats, str(stats.get("finish_reason", "unknown"))


def crawl(
    sources: Path | str,
    data: Path | str,
    settings: Mapping[str, Any] | None = None,
    *,
    out: TextIO | None = None,
) -> int:
    """Crawl every site of ``sources`` into ``data``; return the process exit code.

    >>> crawl("sources.csv", "data", {"DOWNLOAD_DELAY": 0.2})  # doctest: +SKIP
    0

    :param sources: the sources CSV (see the archive contract).
    :param data: the data directory (``archive.db``, ``files/``, ``warc/``, ``logs/``, ``state/``).
    :param settings: Scrapy/``NIANBAO_*`` setting overrides (``-s NAME=VALUE``).
    :param out: where the summary goes (stdout); reasons for failure go to stderr.
    :returns: 0 on success (also when another crawl holds the lock), 2 on a bad sources file,
        1 when the crawl could not run or fetched nothing at all.
    """
    out = out or sys.stdout
    data = Path(data)
    try:
        sites = read_sources(sources)
    except SourcesError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        with crawl_lock(data):
            return _crawl_locked(Path(sources), sites, data, settings, out)
    except LockHeld as exc:
        print(f"crawl: another crawl is running ({exc}); exiting", file=out)
        return 0
    except (OSError, sqlite3.Error) as exc:
        # a full disk or an unwritable database: what a person must fix, in one line
        print(f"crawl: cannot write to data directory {data}: {exc}", file=sys.stderr)
        return 1


def new_run_id(db, label: str = "") -> str:
    """A run id not yet in ``crawl_runs``: UTC timestamp, shard label, ``-2``… on a clash.

    >>> new_run_id(crawldb.open_db(":memory:"), "shard1")[-7:]
    '-shard1'
    """
    base = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + (f"-{label}" if label else "")
    run_id, n = base, 1
    while db["crawl_runs"].count_where("id = ?", [run_id]):  # two runs within one second
        n += 1
        run_id = f"{base}-{n}"
    return run_id


def begin_run(
    db,
    sources: Path,
    sites: list[dict[str, str]],
    data: Path,
    overrides: Mapping[str, Any] | None,
    label: str = "",
) -> tuple[str, Settings]:
    """Open a run (under the lock): close runs a kill left open, drop partial files, write the
    ``running`` row; return the run id and the run's Scrapy settings."""
    close_stale_runs(db)
    store.remove_partial(data / "files")
    run_id = new_run_id(db, label)
    (data / "logs").mkdir(parents=True, exist_ok=True)
    settings = build_settings(sites, data, run_id, overrides)
    crawldb.upsert_run(
        db,
        {
            "id": run_id,
            "started_at": now_iso(),
            "sources": str(sources),
            "status": "running",
            "sites": len(sites),
        },
    )
    return run_id, settings


def finish_run(
    db,
    sites: list[dict[str, str]],
    run_id: str,
    settings: Settings,
    stats: Mapping[str, Any],
    reason: str,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Record a finished run: per-site summaries, removals, site health and the run row; return
    the ``crawl_runs`` row and the per-site summary rows."""
    resumed = settings.getbool("NIANBAO_RESUMED")
    if reason == "finished" and settings.get("JOBDIR"):
        # A finished run leaves nothing to resume; its seen-requests would hide the next run.
        shutil.rmtree(settings.get("JOBDIR"), ignore_errors=True)
    rows = [site_summary(db, site, stats, run_id) for site in sites]
    finished = now_iso()
    record_removals(db, rows, run_id, complete=reason == "finished" and not resumed)
    record_sites(db, sites, rows, run_id, finished)
    totals = {k: sum(r[k] for r in rows) for k in SUMMARY_KEYS}
    fetched_nothing = totals["pages"] == 0 and bool(sites)
    run = {
        "id": run_id,
        "finished_at": finished,
        "finish_reason": reason,
        "status": "failed" if fetched_nothing else ("ok" if reason == "finished" else reason),
        "pages": totals["pages"],
        "reports": totals["reports"],
        "new_reports": totals["new"],
        "errors": totals["errors"],
        "changed": totals["changed"],
        "removed": totals["removed"],
        "summary": json.dumps(rows, ensure_ascii=False),
    }
    crawldb.upsert_run(db, run)
    return run, rows


def summary_line(run: Mapping[str, Any], sites: int) -> str:
    """The first line of a run's summary.

    >>> summary_line({"id": "r", "finish_reason": "finished", "pages": 3, "reports": 2,
    ...               "new_reports": 2, "changed": 0, "removed": 0, "errors": 1}, 1)
    'crawl: run r finished: 1 sites, 3 pages, 2 reports (2 new, 0 changed, 0 removed), 1 errors'
    """
    return (
        f"crawl: run {run['id']} {run['finish_reason']}: {sites} sites, {run['pages']} pages, "
        f"{run['reports']} reports ({run['new_reports']} new, {run['changed']} changed, "
        f"{run['removed']} removed), {run['errors']} errors"
    )


def _crawl_locked(
    sources: Path,
    sites: list[dict[str, str]],
    data: Path,
    overrides: Mapping[str, Any] | None,
    out: TextIO,
) -> int:
    db = crawldb.open_db(data / "archive.db")
    run_id, settings = begin_run(db, sources, sites, data, overrides)
    try:
        stats, reason = _run_scrapy(settings)
    except Exception as exc:  # the crawl itself could not run: one line, details in the log
        crawldb.upsert_run(
            db,
            {
                "id": run_id,
                "finished_at": now_iso(),
                "status": "failed",
                "finish_reason": repr(exc),
            },
        )
        print(f"crawl: the crawl could not run: {exc}", file=sys.stderr)
        return 1
    maybe_crash("crawl.finishing")
    run, rows = finish_run(db, sites, run_id, settings, stats, reason)
    print(summary_line(run, len(sites)), file=out)
    print_summary(rows, out)
    if run["status"] == "failed":
        print(f"crawl: no site could be fetched; see {settings.get('LOG_FILE')}", file=sys.stderr)
        return 1
    return 0

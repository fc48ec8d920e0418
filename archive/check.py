"""``make check``: ask the published archive for its pages, as Datasette will serve them.

Each page is fetched with ``datasette … --get PATH`` using the very flags of
:func:`archive.serve.datasette_args`, so the check exercises the metadata, plugins and templates
that ``make serve`` uses: the index, the reports table, a report page, its original under
``/-/files/``, and every canned query with parameters taken from the archive itself.

Example::

    failures = [r for r in check("data") if not r.ok]
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from datasette.utils import tilde_encode
from sqlite_utils import Database

from archive.metadata import DATABASE, canned_queries
from archive.plugins import files
from archive.serve import DB_FILE, ServeError, datasette_args, prepare

PARAM = re.compile(r"(?<!:):(\w+)")


@dataclass(frozen=True)
class PageResult:
    """One page asked for: its path, whether it answered 200, and the first line of any error."""

    path: str
    ok: bool
    detail: str = ""


def sample_parameters(db: Database) -> dict[str, str]:
    """Parameter values for the canned queries, taken from the latest report in the archive."""
    latest = next(
        db.query("select year, publisher from reports order by year desc, id limit 1"),
        {"year": "", "publisher": ""},
    )
    return {"year": str(latest["year"] or ""), "publisher": latest["publisher"] or "", "check": ""}


def check_paths(data: str | Path) -> list[str]:
    """The pages to ask for, given what the archive holds.

    :raises ServeError: when the archive holds no report yet
    """
    db = Database(Path(data) / DB_FILE)
    try:
        if not db["reports"].exists() or not db["reports"].count:
            raise ServeError(f"check: {Path(data) / DB_FILE} holds no reports; run make extract")
        params = sample_parameters(db)
        report = next(db.query("select id, sha256 from reports order by year desc, id limit 1"))
    finally:
        db.close()
    paths = ["/", f"/{DATABASE}", f"/{DATABASE}/reports.json?_size=1"]
    paths.append(f"/{DATABASE}/reports/{tilde_encode(str(report['id']))}")
    if report["sha256"] and files.store_path(Path(data) / "files", report["sha256"]):
        paths.append(f"/-/files/{report['sha256']}")
    for name, query in canned_queries().items():
        wanted = dict.fromkeys(PARAM.findall(query["sql"]))
        paths.append(f"/{DATABASE}/{name}.json?" + urlencode({k: params[k] for k in wanted}))
    return paths


def get(data: str | Path, path: str) -> PageResult:
    """Fetch one page through ``datasette --get`` with the serve flags."""
    argv = [sys.executable, "-m", "datasette", *datasette_args(data, 8001), "--get", path]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if result.returncode == 0:
        return PageResult(path, True)
    lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
    return PageResult(path, False, lines[-1][:200])


def check(data: str | Path) -> list[PageResult]:
    """Ask for every page of :func:`check_paths`; returns one result per page.

    :param data: the data directory
    :raises ServeError: when there is no archive, or no report in it
    """
    prepare(data)
    return [get(data, path) for path in check_paths(data)]

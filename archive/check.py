"""``make check``: ask the published archive for its pages, as Datasette will serve them.

Each page is fetched from one in-process Datasette built with the very metadata, plugins,
templates and settings of :func:`archive.serve.datasette_args` (:func:`get` asks a single page
through ``datasette … --get PATH``), so the check exercises what ``make serve`` uses: the index, the reports table, a report page, its original under
``/-/files/``, and every canned query with parameters taken from the archive itself.

Example::

    failures = [r for r in check("data") if not r.ok]
"""

from __future__ import annotations

import json
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
from archive.serve import (
    DB_FILE,
    PLUGINS_DIR,
    SETTINGS,
    TEMPLATES_DIR,
    ServeError,
    datasette_args,
    prepare,
)

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
        db.query("select year, publisher, adcode from reports order by year desc, id limit 1"),
        {"year": "", "publisher": "", "adcode": ""},
    )
    return {
        "year": str(latest["year"] or ""),
        "publisher": latest["publisher"] or "",
        "adcode": latest["adcode"] or "",
        "check": "",
        # 公开 is in the heading of every template section, so the search finds something
        "q": "公开",
        # search_sections: its first page
        "before": "",
    }


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
    paths = ["/", f"/{DATABASE}", f"/{DATABASE}/reports.json?_size=1", "/-/charts"]
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


def _setting(value: str) -> bool | int | str:
    """A ``--setting`` value as Datasette's command line would convert it."""
    if value in ("on", "off"):
        return value == "on"
    return int(value) if value.isdigit() else value


def _fetch_all(data: Path, paths: list[str]) -> list[PageResult]:
    import asyncio

    from datasette.app import Datasette

    metadata = json.loads((data / "metadata.json").read_text(encoding="utf-8"))
    ds = Datasette(
        [str(data / DB_FILE)],
        metadata=metadata,
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        settings={name: _setting(value) for name, value in SETTINGS.items()},
    )

    async def fetch() -> list[PageResult]:
        await ds.invoke_startup()
        results = []
        for path in paths:
            response = await ds.client.get(path)
            ok = response.status_code == 200
            detail = "" if ok else f"HTTP {response.status_code}: {response.text[:150]}"
            results.append(PageResult(path, ok, detail))
        return results

    return asyncio.run(fetch())


def check(data: str | Path) -> list[PageResult]:
    """Ask for every page of :func:`check_paths`; returns one result per page.

    :param data: the data directory
    :raises ServeError: when there is no archive, or no report in it
    """
    prepare(data)
    return _fetch_all(Path(data), check_paths(data))

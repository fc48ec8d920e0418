"""The serve benchmark's archive is current when built (no rebuild at serve start) and can be
timed again with ``--reuse`` without being rebuilt."""

from __future__ import annotations

import json
import subprocess
import sys

from sqlite_utils import Database

from archive.derived import STAMP_TABLE, is_current
from bench import serve
from tests.helpers import REPO


def test_built_archive_carries_the_derived_stamp(tmp_path):
    result = serve.build_archive(tmp_path / "data", 200)
    db = Database(tmp_path / "data" / "archive.db")
    assert is_current(db)
    assert {"stamp", "facet_counts", "search_index"} <= set(result["build_seconds"])
    years = dict(
        db.execute(
            """select value, count from facet_counts where "table" = 'reports' and "column" = 'year'"""
        ).fetchall()
    )
    assert years == dict(db.execute("select year, count(*) from reports group by year").fetchall())


def test_reuse_times_a_kept_archive_without_rebuilding(tmp_path):
    data = tmp_path / "data"
    base = [sys.executable, "-m", "bench.serve", "--requests", "1"]
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    subprocess.run(
        [*base, "--reports", "300", "--data", str(data), "--out", str(first)],
        cwd=REPO,
        check=True,
        timeout=120,
    )
    built_at = Database(data / "archive.db").execute(f"select built_at from [{STAMP_TABLE}]")
    stamp = built_at.fetchone()[0]
    subprocess.run(
        [*base, "--reuse", str(data), "--out", str(second)], cwd=REPO, check=True, timeout=120
    )
    one, two = (json.loads(p.read_text(encoding="utf-8")) for p in (first, second))
    assert two["reused"] is True and "reused" not in one
    assert two["build_seconds"] == one["build_seconds"] and two["rows"] == one["rows"]
    assert {p["page"] for p in two["pages"]} == {p["page"] for p in one["pages"]}
    assert all(p["statuses"] == [200] for p in two["pages"])
    # archive serve found the derived tables current: no rebuild at either start
    after = Database(data / "archive.db").execute(f"select built_at from [{STAMP_TABLE}]")
    assert after.fetchone()[0] == stamp
    # and refuses a directory without a kept build
    refused = subprocess.run(
        [*base, "--reuse", str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0 and "build.json" in refused.stderr

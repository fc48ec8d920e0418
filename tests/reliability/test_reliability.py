"""The reliability harness (``python -m reliability``) as part of ``make test``.

One module fixture runs every check once against the sample web (about three minutes: crash
and rerun of ``make crawl``/``make extract`` at every crash point, the hostile corpus, the
public instance); each test asserts one row of the table. The crash-point mechanism itself is
unit-tested first.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from archive import faults
from archive.plugins.limits import authorizer
from reliability.report import KINDS, ok, run_all, table
from tests.helpers import REPO


def test_crash_spec_parsing():
    assert faults._target("crawl.store_temp:3") == ("crawl.store_temp", 3)
    assert faults._target("extract.parsed") == ("extract.parsed", 1)
    assert faults._target(None) is None


def test_crash_point_kills_on_the_nth_time_only():
    code = (
        "from archive.faults import maybe_crash\n"
        "for i in range(5):\n"
        "    maybe_crash('other.point')\n"
        "    maybe_crash('extract.parsed')\n"
        "    print(i, flush=True)\n"
    )
    env = {"NIANBAO_CRASH_AT": "extract.parsed:3", "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == -signal.SIGKILL
    assert proc.stdout.split() == ["0", "1"]
    unarmed = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert unarmed.returncode == 0 and unarmed.stdout.split() == ["0", "1", "2", "3", "4"]


def test_every_documented_point_is_called_somewhere():
    sources = "".join(
        p.read_text(encoding="utf-8")
        for folder in ("crawler", "archive", "extract")
        for p in (REPO / folder).rglob("*.py")
        if p.name != "faults.py"
    )
    assert [p for p in faults.POINTS if f'maybe_crash("{p}")' not in sources] == []


def test_authorizer_denies_dangerous_functions_and_attach():
    import sqlite3

    conn = sqlite3.connect(":memory:")
    conn.set_authorizer(authorizer)
    for sql in ("select fts3_tokenizer('simple')", "attach ':memory:' as x"):
        with pytest.raises(sqlite3.DatabaseError, match="not authorized"):
            conn.execute(sql)
    assert conn.execute("select count(*), upper('a')").fetchone() == (1, "A")


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return run_all(tmp_path_factory.mktemp("reliability"))


def _failures(results, kind: str) -> list[str]:
    return [r.line() for r in results if r.kind == kind and not r.passed]


@pytest.mark.timeout(900)
def test_every_crash_point_reruns_to_the_reference(results):
    crashes = [r for r in results if r.kind == "crash"]
    assert len(crashes) >= 14  # 6 crawl points, 6 extract points, 2 serving runs
    assert _failures(results, "crash") == []


def test_every_hostile_query_is_refused(results):
    assert len([r for r in results if r.kind == "query"]) >= 35
    assert _failures(results, "query") == []


def test_every_bad_input_is_handled(results):
    assert len([r for r in results if r.kind == "input"]) >= 35
    assert _failures(results, "input") == []


def test_nothing_lost_nothing_duplicated(results):
    assert sum(r.bytes_lost for r in results) == 0
    assert sum(r.duplicates for r in results) == 0
    lines = table(results)
    assert [line.split()[0] for line in lines[1:4]] == [v[0].split()[0] for v in KINDS.values()]
    assert lines[-2].split()[:3] == ["bytes", "lost", "0"]
    assert ok(results) == (not any(not r.passed for r in results))

"""Every real report of the shared corpus, parsed through the CLI, against its hand-made truth.

Truth conventions (../shared/corpus/README.md): ``null`` = printed blank, extracted as 0; a triple
absent from the truth is unknown and not compared. Where the truth holds a value the document
itself cannot give, it is listed in KNOWN_UNREADABLE with the reason.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / ".." / "shared" / "corpus" / "real"
TABLES = ("proactive_stats", "request_stats", "appeal_stats")

#: truth cells the document cannot give: pingtan-2021's flattened text prints '693665' for three
#: cells; the curator confirmed 69/3/665 from the original HTML page, which is not in the corpus.
KNOWN_UNREADABLE = {
    ("pingtan-2021.txt", "proactive_stats", "normative_docs", m)
    for m in ("issued", "repealed", "in_force")
}


def truth_files():
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("*.truth.json"))


def run_cli(path: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "extract", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def parsed():
    return {}


@pytest.mark.parametrize("truth_path", truth_files(), ids=lambda p: p.name[:-11])
def test_real_report(truth_path, parsed):
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    got = run_cli(truth_path.with_name(truth["file"]))
    assert got["form_version"] == truth["form_version"]
    assert got["year"] == truth["year"]
    assert got["format"] == truth["format"]
    assert got["sections"] == truth["sections"]
    misses = []
    for table in TABLES:
        have = {(a, b): v for a, b, v in got[table]}
        for a, b, v in truth[table]:
            if (truth["file"], table, a, b) in KNOWN_UNREADABLE:
                assert (a, b) not in have  # never guessed
                continue
            expected = 0 if v is None else v
            if have.get((a, b)) != expected:
                misses.append((table, a, b, expected, have.get((a, b))))
    assert misses == []
    failing = {(c[0], c[1]) for c in got["checks"] if not c[2]}
    assert failing == {(c[0], c[1]) for c in truth["failing_checks"]}


def test_corpus_present_or_skipped():
    if not truth_files():
        pytest.skip("shared corpus not present")
    assert len(truth_files()) >= 7


def test_cli_failure_is_one_line(tmp_path):
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4\n%broken\n")
    proc = subprocess.run(
        [sys.executable, "-m", "extract", str(bad), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"extract: {bad}: ")

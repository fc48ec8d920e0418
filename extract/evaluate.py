"""Compare extraction with truth files: cell accuracy over a folder of documents.

``python -m extract.evaluate DIR`` parses every document that has a ``<document>.truth.json``
beside it under DIR (the sample web's tree, or the real corpus) and prints per-document misses and
the overall cell accuracy. A truth value ``null`` means a blank printed cell, which extraction
reports as 0.

Example::

    >>> compare({"request_stats": [["a", "b", None]]}, {"request_stats": [["a", "b", 0]]})
    (1, 1, [])
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from extract import ExtractError, parse_document

TABLES = ("proactive_stats", "request_stats", "appeal_stats")


def compare(truth: dict, got: dict) -> tuple[int, int, list[str]]:
    """``(cells right, cells in truth, misses)`` for one document."""
    right = total = 0
    misses = []
    for table in TABLES:
        have = {(a, b): v for a, b, v in got.get(table) or []}
        for a, b, v in truth.get(table) or []:
            total += 1
            expected = 0 if v is None else v
            value = have.get((a, b), "absent")
            if value != "absent" and abs(value - expected) < 1e-6:
                right += 1
            else:
                misses.append(f"{table} {a}/{b}: expected {expected}, got {value}")
    return right, total, misses


def check_misses(truth: dict, got: dict) -> list[str]:
    """Checks that fail in truth but pass in the result, or fail in the result only."""
    want = {(c[0], c[1]) for c in truth.get("failing_checks") or []}
    have = {(c[0], c[1]) for c in got.get("checks") or [] if not c[2]}
    return [f"check {c} {s} should fail" for c, s in sorted(want - have)] + [
        f"check {c} {s} fails but should not" for c, s in sorted(have - want)
    ]


def truth_files(root: Path) -> list[tuple[Path, Path]]:
    """``(truth file, document)`` for every ``*.truth.json`` under ``root`` whose document exists.

    The document is the truth file's name without ``.truth.json`` (the sample web's sidecars) or
    the truth's ``file`` field beside it (the real corpus).
    """
    out = []
    for path in sorted(root.rglob("*.truth.json")):
        doc = path.with_name(path.name[: -len(".truth.json")])
        if not doc.is_file():
            name = json.loads(path.read_text(encoding="utf-8")).get("file") or ""
            doc = path.with_name(name)
        if name_ok(doc):
            out.append((path, doc))
    return out


def name_ok(doc: Path) -> bool:
    return doc.is_file() and not doc.name.endswith(".truth.json")


def evaluate(root: Path, out=sys.stdout) -> dict:
    """Parse every document with a truth file under ``root``; print misses; return the totals."""
    right = total = docs = failed = 0
    problems: list[str] = []
    for tpath, doc_path in truth_files(root):
        truth = json.loads(tpath.read_text(encoding="utf-8"))
        docs += 1
        try:
            got = parse_document(doc_path)
        except ExtractError as err:
            failed += 1
            problems.append(f"{doc_path}: {err}")
            total += sum(len(truth.get(t) or []) for t in TABLES)
            continue
        r, t, misses = compare(truth, got)
        misses += check_misses(truth, got)
        if truth.get("form_version") and truth["form_version"] != got["form_version"]:
            misses.append(f"form_version {got['form_version']} != {truth['form_version']}")
        for key in ("publisher", "year", "title"):
            if key in truth and truth[key] != got[key]:
                misses.append(f"{key} {got[key]!r} != {truth[key]!r}")
        for code, heading in (truth.get("sections") or {}).items():
            if got["sections"].get(code) != heading:
                misses.append(f"section {code}: {got['sections'].get(code)!r} != {heading!r}")
        if "prose_figures" in truth and truth["prose_figures"] != got.get("prose_figures"):
            misses.append(
                f"prose_figures {got.get('prose_figures')!r} != {truth['prose_figures']!r}"
            )
        right, total = right + r, total + t
        problems.extend(f"{doc_path.relative_to(root)}: {m}" for m in misses)
    for line in problems:
        print(line, file=out)
    accuracy = right / total if total else 1.0
    print(
        f"{docs} documents, {failed} failed; cells {right}/{total} = {accuracy:.4%}; "
        f"{len(problems)} problems",
        file=out,
    )
    return {
        "documents": docs,
        "failed": failed,
        "right": right,
        "total": total,
        "accuracy": accuracy,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m extract.evaluate")
    parser.add_argument("root", type=Path, help="folder with documents and *.truth.json")
    args = parser.parse_args(argv)
    evaluate(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())

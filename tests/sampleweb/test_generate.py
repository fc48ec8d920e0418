"""The generated tree: deterministic, complete, and true to what the pages print."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

from lxml import html as lxml_html

from extract.template import APPEAL_PROCEEDINGS, APPEAL_RESULTS, APPLICANTS, CHECKS, request_rows
from sampleweb import generate

TABLE_DIMS = {"request_stats": ("row", "applicant"), "appeal_stats": ("proceeding", "result")}


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_generation_is_byte_identical(tmp_path, tree):
    generate(tmp_path / "again")
    assert tree_digest(tmp_path / "again") == tree_digest(tree)


def test_truth_covers_three_families_four_organs_six_years(truth):
    assert [s["family"] for s in truth["sites"]] == ["hanweb", "trs", "standard"]
    for site in truth["sites"]:
        reports = [r for r in truth["reports"] if r["adcode"] == site["adcode"]]
        organs = Counter(r["publisher"] for r in reports)
        assert len(organs) >= 4
        assert set(organs.values()) == {6}
        assert {r["year"] for r in reports} == set(range(2019, 2025))
    formats = Counter(r["format"] for r in truth["reports"])
    assert formats["pdf"] * 3 == len(truth["reports"])
    assert len(truth["distractors"]) >= 15
    pages = [a["page"] for a in truth["reports"] + truth["distractors"]]
    assert len(set(pages)) == len(pages)


def test_dates_titles_and_form_versions(truth):
    for r in truth["reports"]:
        year, month, _ = map(int, r["published"].split("-"))
        assert year == r["year"] + 1 and 1 <= month <= 3
        assert r["form_version"] == ("2019" if r["year"] < 2021 else "2021")
        assert str(r["year"]) in r["title"] and r["publisher"] in r["title"]
        assert r["title"].endswith("政府信息公开工作年度报告")


def independent_failures(report: dict) -> list[list[str]]:
    """The checks recomputed from the truth values alone, blanks as zero."""
    tables = {
        t: {(a, b): v or 0 for a, b, v in report[t]} for t in ("request_stats", "appeal_stats")
    }
    scopes = {
        "applicant": [a.code for a in APPLICANTS],
        "row": [r.code for r in request_rows(report["form_version"])],
        "proceeding": [p.code for p in APPEAL_PROCEEDINGS],
    }
    failing = []
    for check in CHECKS:
        values = tables[check.table]
        first = TABLE_DIMS[check.table][0]
        for scope in scopes[check.over]:

            def cell(code, scope=scope, check=check, first=first, values=values):
                return values.get((scope, code) if check.over == first else (code, scope), 0)

            if sum(map(cell, check.lhs)) != sum(map(cell, check.rhs)):
                failing.append([check.code, scope])
    return failing


def test_failing_checks_are_recorded_exactly(truth):
    failing = 0
    for r in truth["reports"]:
        assert r["failing_checks"] == independent_failures(r), r["title"]
        failing += bool(r["failing_checks"])
    assert 3 <= failing <= 10


def test_blank_cells_and_label_variants_occur(truth, tree):
    blanks = sum(v is None for r in truth["reports"] for _, _, v in r["request_stats"])
    assert blanks > 50
    text = "".join(
        (tree / r["file"]).read_bytes().decode("gb18030" if r["adcode"] == "430991" else "utf-8")
        for r in truth["reports"]
        if r["format"] == "html"
    )
    assert "(二)部分公开" in text and "（二）部分公开（区分处理的" in text
    assert "2.其他法律行政止公开" in text and "2.其他法律行政法规禁止公开" in text
    assert "一、 本年新收" in text and "五、存在问题及改进情况" in text
    assert ">行政规范性文件<" in text and ">规范性文件<" in text
    assert "MsoNormal" in text and "&nbsp;" in text


def test_sidecars_match_truth(tree, truth):
    for r in truth["reports"]:
        assert json.loads((tree / f"{r['file']}.truth.json").read_text("utf-8")) == r


def spans_to_grid(table) -> list[list[str]]:
    """Expand rowspan/colspan into a rectangular grid of cell texts."""
    grid: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(table.xpath(".//tr")):
        c = 0
        for td in tr.xpath("./td|./th"):
            while (r, c) in grid:
                c += 1
            text = re.sub(r"\s+", "", td.text_content().replace("\xa0", ""))
            for dr in range(int(td.get("rowspan", 1))):
                for dc in range(int(td.get("colspan", 1))):
                    grid[r + dr, c + dc] = text
            c += int(td.get("colspan", 1))
    rows = max(r for r, _ in grid) + 1
    cols = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(cols)] for r in range(rows)]


def printed(value) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def test_html_tables_print_the_truth(tree, truth):
    checked = 0
    for r in truth["reports"]:
        if r["format"] != "html":
            continue
        doc = lxml_html.fromstring((tree / r["file"]).read_bytes())
        tables = doc.xpath("//table[not(contains(@class, 'xxgk-meta'))]")
        assert len(tables) == 3
        requests = spans_to_grid(tables[1])[3:]
        values = {(a, b): v for a, b, v in r["request_stats"]}
        rows = request_rows(r["form_version"])
        assert len(requests) == len(rows)
        for row, cells in zip(rows, requests, strict=True):
            assert cells[-7:] == [printed(values[row.code, a.code]) for a in APPLICANTS]
        appeals = spans_to_grid(tables[2])[-1]
        expected = {(a, b): v for a, b, v in r["appeal_stats"]}
        assert appeals == [
            printed(expected[p.code, x.code]) for p in APPEAL_PROCEEDINGS for x in APPEAL_RESULTS
        ]
        checked += 1
    assert checked == 52

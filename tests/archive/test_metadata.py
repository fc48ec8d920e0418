"""The generated Datasette metadata: labels for every template code, and canned queries that run."""

from __future__ import annotations

import html
import json

import pytest
from sqlite_utils import Database

from archive.db import codes_table
from archive.figures import build_figures
from archive.metadata import (
    DATABASE,
    FAILING_CHECKS_LIMIT,
    canned_queries,
    metadata,
    refusal_rows,
    write_metadata,
)
from extract.template import DIMENSIONS, REQUEST_ROWS

ALL_CODES = [(dim, code) for dim, codes in DIMENSIONS.items() for code in codes]


@pytest.mark.parametrize("dimension,code", ALL_CODES, ids=[f"{d}:{c.code}" for d, c in ALL_CODES])
def test_every_template_code_has_a_label(dimension, code):
    """Docs coverage: a code added to the template must appear, with both labels, in the metadata."""
    table = metadata()["databases"][DATABASE]["tables"][codes_table(dimension)]
    glossary = table["description_html"]
    assert f"<code>{code.code}</code></td><td>{html.escape(code.zh)}</td>" in glossary
    assert html.escape(code.en) in glossary
    assert table["label_column"] == "zh"


def test_titles_licence_source():
    meta = metadata()
    assert "政府信息公开工作年度报告" in meta["title"] and "annual reports" in meta["title"]
    assert meta["license"] and meta["license_url"].startswith("https://")
    assert "/-/files/" in meta["source"]


def test_columns_documented_with_units():
    tables = metadata()["databases"][DATABASE]["tables"]
    for name in (
        "reports",
        "sections",
        "proactive_stats",
        "request_stats",
        "appeal_stats",
        "checks",
    ):
        assert tables[name]["columns"], name
    assert "万元" in tables["proactive_stats"]["columns"]["value"]
    assert tables["request_stats"]["facets"] == ["row", "applicant"]
    assert tables["reports"]["label_column"] == "title"


def test_refusal_rows_are_the_denied_rows():
    assert refusal_rows() == tuple(r.code for r in REQUEST_ROWS if r.code.startswith("denied_"))
    assert len(refusal_rows()) == 8


def test_write_metadata_into_data_dir(tmp_path):
    path = write_metadata(tmp_path)
    assert path == tmp_path / "metadata.json"
    assert json.loads(path.read_text(encoding="utf-8")) == metadata()


def _run(db_path, name, **params):
    sql = canned_queries()[name]["sql"]
    return [dict(r) for r in Database(db_path).query(sql, params)]


def test_every_canned_query_declares_parameters():
    for name, query in canned_queries().items():
        assert query["title"] and query["description"], name
        assert ":" in query["sql"], name


def test_top_publishers_new_requests(filled_archive):
    rows = _run(filled_archive, "top_publishers_new_requests", year="2023")
    assert [(r["publisher"], r["new_requests"]) for r in rows] == [
        ("甲县人民政府", 30),
        ("甲县教育局", 7),
        ("乙县财政局", 2),
    ]


def test_refusal_rate_by_county(filled_archive):
    db = Database(filled_archive)
    # two refusals out of 30 handled in 甲县人民政府's report
    db.execute(
        "update request_stats set value = 2 where report_id = 'r-gov-2023' "
        "and row = 'denied_state_secret' and applicant = 'total'"
    )
    db.conn.commit()
    # the query reads report_figures, which follows the long tables at the next rebuild
    build_figures(db)
    rows = {r["adcode"]: r for r in _run(filled_archive, "refusal_rate_by_county", year="2023")}
    assert rows["990101"]["reports"] == 2
    assert rows["990101"]["handled_total"] == 37
    assert rows["990101"]["refused"] == 2
    assert rows["990101"]["refusal_rate_percent"] == round(100 * 2 / 37, 1)
    assert rows["990102"]["refusal_rate_percent"] == 0


def test_failing_checks(filled_archive):
    every = _run(filled_archive, "failing_checks", check="")
    assert [(r["report_id"], r["check"], r["scope"]) for r in every] == [
        ("r-edu-2023", "requests_balance", "total")
    ]
    assert _run(filled_archive, "failing_checks", check="appeals_totals") == []


def test_publisher_years(filled_archive):
    rows = _run(filled_archive, "publisher_years", publisher="甲县教育局")
    assert [(r["year"], r["new_requests"], r["handled_total"]) for r in rows] == [
        (2022, 4, 4),
        (2023, 7, 7),
    ]
    assert [r["failed_checks"] for r in rows] == [0, 1]
    assert rows[0]["review_total"] == 1 and rows[0]["suit_direct_total"] == 0


def _fail(db_path, rows):
    db = Database(db_path)
    db["checks"].insert_all(
        [{"report_id": r, "check": c, "scope": s, "passed": 0, "detail": "x"} for r, c, s in rows],
        replace=True,
    )
    db.conn.commit()


def test_failing_checks_in_index_order_and_limited(filled_archive):
    _fail(
        filled_archive,
        [
            ("r-gov-2023", "requests_outcomes", "total"),
            ("r-fin-2023", "requests_outcomes", "legal_person"),
            ("r-edu-2022", "appeals_totals", "review"),
        ],
    )
    every = [
        (r["check"], r["report_id"], r["scope"])
        for r in _run(filled_archive, "failing_checks", check="")
    ]
    assert every == [
        ("appeals_totals", "r-edu-2022", "review"),
        ("requests_balance", "r-edu-2023", "total"),
        ("requests_outcomes", "r-fin-2023", "legal_person"),
        ("requests_outcomes", "r-gov-2023", "total"),
    ]
    one = _run(filled_archive, "failing_checks", check="requests_outcomes")
    assert [r["report_id"] for r in one] == ["r-fin-2023", "r-gov-2023"]
    # read along the partial index in the page's order: no sort of every failed check
    sql = canned_queries()["failing_checks"]["sql"]
    plan = " / ".join(
        r[3] for r in Database(filled_archive).execute("explain query plan " + sql, {"check": ""})
    )
    assert "idx_checks_failed_check" in plan and "TEMP B-TREE" not in plan
    assert sql.rstrip().endswith(f"limit {FAILING_CHECKS_LIMIT}")

"""The archive schema and save_report, on a real SQLite file, through sqlite-utils introspection."""

from __future__ import annotations

import pytest
from sqlite_utils import Database

from archive.db import (
    REPORT_TABLES,
    STATS_TABLES,
    codes_table,
    open_archive,
    record_error,
    record_extraction,
    save_report,
    stat_value,
)
from extract.template import DIMENSIONS
from tests.archive.conftest import link
from tests.archive.sample import parsed_report

#: the extractor's provenance of each number, after the contract columns
PROVENANCE = ["label", "score", "bbox"]

CONTRACT_COLUMNS = {
    "reports": [
        "id",
        "adcode",
        "region",
        "publisher",
        "year",
        "title",
        "url",
        "document_url",
        "published",
        "format",
        "form_version",
        "sha256",
        "extractor_version",
        "extracted_at",
    ],
    "sections": ["report_id", "section", "heading", "text"],
    "proactive_stats": [
        "report_id",
        "item",
        "measure",
        "value",
        "blank",
        "printed",
        "page",
        *PROVENANCE,
    ],
    "request_stats": [
        "report_id",
        "row",
        "applicant",
        "value",
        "blank",
        "printed",
        "page",
        *PROVENANCE,
    ],
    "appeal_stats": [
        "report_id",
        "proceeding",
        "result",
        "value",
        "blank",
        "printed",
        "page",
        *PROVENANCE,
    ],
    "checks": ["report_id", "check", "scope", "passed", "detail"],
    "extractions": ["sha256", "extractor_version", "status", "error", "at"],
    "extract_errors": ["sha256", "url", "extractor_version", "reason", "at"],
    "codes": ["dimension", "code", "position", "zh", "en", "unit"],
}


@pytest.mark.parametrize("table,columns", CONTRACT_COLUMNS.items())
def test_contract_columns(db_path, table, columns):
    open_archive(db_path).close()
    db = Database(db_path)
    assert [c.name for c in db[table].columns] == columns


def test_wal_mode_and_reopen(db_path):
    open_archive(db_path).close()
    db = open_archive(db_path)  # a second open must not fail or duplicate codes
    assert db.journal_mode == "wal"
    assert db["codes"].count == sum(len(v) for v in DIMENSIONS.values())


@pytest.mark.parametrize("table", REPORT_TABLES)
def test_report_tables_link_to_reports(db_path, table):
    db = open_archive(db_path)
    fks = {(fk.column, fk.other_table, fk.other_column) for fk in db[table].foreign_keys}
    assert ("report_id", "reports", "id") in fks
    assert db[table].pks[0] == "report_id"


@pytest.mark.parametrize("table,dims", STATS_TABLES.items())
def test_coded_columns_have_label_tables(db_path, table, dims):
    db = open_archive(db_path)
    fks = {fk.column: fk.other_table for fk in db[table].foreign_keys}
    for dim in dims:
        assert fks[dim] == codes_table(dim)
        assert db[codes_table(dim)].count == len(DIMENSIONS[dim])


def test_facet_indexes(db_path):
    db = open_archive(db_path)
    assert ["adcode", "year"] in [i.columns for i in db["reports"].indexes]
    assert ["row", "applicant"] in [i.columns for i in db["request_stats"].indexes]


def _counts(db) -> dict[str, int]:
    return {t: db[t].count for t in ("reports", *REPORT_TABLES)}


def test_save_report_is_idempotent(db_path):
    db = open_archive(db_path)
    report = link("r1", "990101", "甲县", "甲县教育局", 2023)
    parsed = parsed_report(new=7)
    save_report(db, report, parsed, extractor_version="t1")
    first = _counts(db)
    save_report(db, report, parsed, extractor_version="t1")
    assert _counts(db) == first
    assert first["reports"] == 1
    assert first["request_stats"] == len(parsed["request_stats"])
    assert first["checks"] == len(parsed["checks"])
    assert first["sections"] == 6


def test_save_report_replaces_old_rows(db_path):
    db = open_archive(db_path)
    report = link("r1", "990101", "甲县", "甲县教育局", 2023)
    save_report(db, report, parsed_report(new=7))
    smaller = parsed_report(new=9)
    smaller["request_stats"] = [t for t in smaller["request_stats"] if t[0] == "new_requests"]
    save_report(db, report, smaller)
    assert db["request_stats"].count == 7
    assert db.execute(
        "select value from request_stats where row='new_requests' and applicant='total'"
    ).fetchone() == (9,)


def test_values_integer_amounts_real_and_blanks(db_path):
    db = open_archive(db_path)
    save_report(db, link("r1", "990101", "甲县", "甲县教育局", 2023), parsed_report(fees=12.5))
    rows = {
        (r["item"], r["measure"]): r
        for r in db.query("select *, typeof(value) as t from proactive_stats")
    }
    assert rows[("fees", "amount_10k_yuan")]["value"] == 12.5
    assert rows[("fees", "amount_10k_yuan")]["t"] == "real"
    assert rows[("licensing", "decisions")]["value"] == 3
    assert rows[("licensing", "decisions")]["t"] == "integer"
    # rules were printed blank: stored 0 and flagged
    assert (rows[("rules", "issued")]["value"], rows[("rules", "issued")]["blank"]) == (0, 1)
    assert rows[("rules", "issued")]["printed"] == ""
    # provenance: the page the cell was printed on, where the extractor recorded it
    assert (rows[("rules", "issued")]["page"], rows[("licensing", "decisions")]["page"]) == (
        2,
        None,
    )
    types = {r[0] for r in db.execute("select distinct typeof(value) from request_stats")}
    assert types == {"integer"}


def test_report_row_fields(db_path):
    db = open_archive(db_path)
    save_report(
        db,
        link("r1", "990101", "甲县", "甲县教育局", 2023, sha="cd" * 32),
        parsed_report(),
        extractor_version="7",
    )
    row = db["reports"].get("r1")
    assert row["sha256"] == "cd" * 32
    assert row["form_version"] == "2021"
    assert row["year"] == 2023
    assert row["extractor_version"] == "7"
    assert row["published"] == "2024-01-20"
    assert row["extracted_at"].endswith("+00:00")


def test_failed_check_stored(db_path):
    db = open_archive(db_path)
    save_report(
        db, link("r1", "990101", "甲县", "甲县教育局", 2023), parsed_report(fail_balance=True)
    )
    failed = list(db.query('select "check", scope, passed, detail from checks where passed = 0'))
    assert failed == [
        {"check": "requests_balance", "scope": "total", "passed": 0, "detail": "7 + 0 != 6 + 0"}
    ]


def test_record_error_and_extraction(db_path):
    db = open_archive(db_path)
    record_error(
        db, "ef" * 32, "http://x/a.pdf", "PDFSyntaxError: no /Root\nmore", extractor_version="1"
    )
    record_error(db, "ef" * 32, "http://x/a.pdf", "again", extractor_version="1")
    assert [r["reason"] for r in db["extract_errors"].rows] == ["again"]
    record_extraction(db, "ef" * 32, "1", "ok")
    assert db["extract_errors"].count == 0
    assert db["extractions"].get(("ef" * 32, "1"))["status"] == "ok"


@pytest.mark.parametrize(
    "value,measure,printed,expected",
    [
        (3, "", None, (3, 0)),
        (3.0, "", None, (3, 0)),
        ("1,024", "", None, (1024, 0)),
        (12, "amount_10k_yuan", None, (12.0, 0)),
        (None, "", None, (0, 1)),
        (None, "", "—", (0, 1)),
        (None, "amount_10k_yuan", "", (0.0, 1)),
        (None, "", "见附件", (None, 0)),
        (0, "", "", (0, 1)),
        (0, "", "\xa0", (0, 1)),
        (0, "", "0", (0, 0)),
    ],
)
def test_stat_value(value, measure, printed, expected):
    got = stat_value(value, measure, printed)
    assert got == expected
    assert type(got[0]) is type(expected[0])

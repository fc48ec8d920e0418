"""The cross-year check: carried_out of year N against carried_in of year N+1, per applicant."""

import pytest

from archive.db import open_archive, save_report
from archive.derived import build_cross_year_checks, rebuild


def _report(rid: str, year: int, rows: dict[str, dict[str, int | None]], publisher="青山县民政局"):
    link = {"id": rid, "adcode": "330000", "publisher": publisher, "year": year, "title": rid}
    stats = [[row, a, v] for row, cols in rows.items() for a, v in cols.items()]
    return link, {"form_version": "2021", "request_stats": stats}


def _cross(db) -> list[tuple]:
    return [
        (r["report_id"], r["scope"], r["passed"], r["detail"])
        for r in db.query(
            "select * from checks where [check] = 'cross_year_carry' order by report_id, scope"
        )
    ]


@pytest.fixture
def db():
    db = open_archive(":memory:")
    for link, parsed in (
        _report("a2021", 2021, {"carried_out": {"natural_person": 3, "business": 1, "total": 4}}),
        _report(
            "b2022",
            2022,
            {
                "carried_in": {"natural_person": 3, "business": 2, "total": 5},
                "carried_out": {"natural_person": 0, "total": 0},
            },
        ),
        # another publisher, and a gap year: nothing to compare
        _report("c2022", 2022, {"carried_in": {"total": 9}}, publisher="青山县教育局"),
        _report("d2024", 2024, {"carried_in": {"total": 0}}),
    ):
        save_report(db, link, parsed)
    return db


def test_each_applicant_column_is_compared_on_the_later_report(db):
    assert build_cross_year_checks(db) == 3
    assert _cross(db) == [
        (
            "b2022",
            "business",
            0,
            "2021 carried_out 1 != 2022 carried_in 2 (year 2021 report a2021)",
        ),
        (
            "b2022",
            "natural_person",
            1,
            "2021 carried_out 3 == 2022 carried_in 3 (year 2021 report a2021)",
        ),
        ("b2022", "total", 0, "2021 carried_out 4 != 2022 carried_in 5 (year 2021 report a2021)"),
    ]


def test_rebuild_is_idempotent_and_follows_a_re_extraction(db):
    rebuild(db)
    first = _cross(db)
    rebuild(db)
    assert _cross(db) == first and len(first) == 3
    # re-extracting the earlier report with corrected values changes the later report's rows
    link, parsed = _report(
        "a2021", 2021, {"carried_out": {"natural_person": 3, "business": 2, "total": 5}}
    )
    save_report(db, link, parsed)
    rebuild(db)
    assert [passed for _, _, passed, _ in _cross(db)] == [1, 1, 1]
    # the within-report checks of b2022 are untouched by the cross-year rebuild
    assert (
        db.execute("select count(*) from checks where [check] != 'cross_year_carry'").fetchone()[0]
        == 0
    )


def test_the_sample_webs_truth_agrees_with_the_archive(tmp_path):
    sampleweb = pytest.importorskip("sampleweb")
    truth = sampleweb.generate(tmp_path, profile="full")
    db = open_archive(":memory:")
    for i, r in enumerate(truth["reports"]):
        save_report(db, {**r, "id": f"r{i}"}, r)
    build_cross_year_checks(db)
    got = sorted(
        (r["adcode"], r["publisher"], r["year"], r["scope"], bool(r["passed"]))
        for r in db.query(
            "select r.adcode, r.publisher, r.year, c.scope, c.passed from checks c "
            "join reports r on r.id = c.report_id where c.[check] = 'cross_year_carry'"
        )
    )
    want = sorted(
        (e["adcode"], e["publisher"], e["year"], e["scope"], e["passed"])
        for e in truth["cross_year"]
    )
    assert got == want
    assert len(want) == 609 and sum(not p for *_, p in want) == 172

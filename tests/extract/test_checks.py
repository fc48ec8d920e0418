"""Consistency checks computed from template.CHECKS."""

from extract.checks import run_checks
from extract.template import APPLICANTS, request_rows


def request_table(form, value=lambda row, applicant: 0):
    return [[r.code, a.code, value(r.code, a.code)] for r in request_rows(form) for a in APPLICANTS]


def test_all_zero_tables_pass_every_check():
    stats = {
        "request_stats": request_table("2021"),
        "appeal_stats": [
            [p, r, 0]
            for p in ("review", "suit_direct", "suit_after_review")
            for r in ("upheld", "corrected", "other", "pending", "total")
        ],
    }
    checks = run_checks(stats, "2021")
    assert all(c[2] for c in checks)
    assert len(checks) == 7 + 7 + 25 + 3


def test_balance_failure_is_reported_with_its_scope():
    def value(row, applicant):
        if row == "new_requests":
            return 5 if applicant != "total" else 5
        return 0

    checks = run_checks({"request_stats": request_table("2019", value)}, "2019")
    failing = {(c[0], c[1]) for c in checks if not c[2]}
    assert ("requests_balance", "natural_person") in failing
    assert ("requests_row_totals", "new_requests") in failing  # 5*6 != 5


def test_blank_counts_as_zero_and_absent_skips():
    stats = [
        ["review", r, v]
        for r, v in [
            ("upheld", 2),
            ("corrected", None),
            ("other", None),
            ("pending", None),
            ("total", 2),
        ]
    ]
    stats += [["suit_direct", r, 1] for r in ("upheld", "corrected", "other", "pending")]
    checks = run_checks({"appeal_stats": stats}, "2021")
    assert checks == [["appeals_totals", "review", True, "2+0+0+0=2 == total 2"]]


def test_2021_report_printing_the_2019_other_handling_row():
    table = [r for r in request_table("2021") if not r[0].startswith("other_")]
    table += [
        ["other_handling", a.code, 1 if a.code in ("natural_person", "total") else 0]
        for a in APPLICANTS
    ]
    for row in table:
        if row[0] in ("handled_total", "new_requests") and row[1] in ("natural_person", "total"):
            row[2] = 1
    checks = run_checks({"request_stats": table}, "2021")
    assert [c for c in checks if not c[2]] == []
    assert any(c[:2] == ["requests_outcomes", "total"] for c in checks)

"""The sample web's full profile: the DOC report, the free-form reports and the 图片版 title."""

import json

import pytest

sampleweb = pytest.importorskip("sampleweb")

from extract import parse_document  # noqa: E402
from extract.evaluate import check_misses, compare  # noqa: E402

RECEIVED = "全年共受理政府信息公开申请29件，其中同意公开9件，其余均依法作出答复。"


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    out = tmp_path_factory.mktemp("sampleweb-full")
    return out, sampleweb.generate(out, profile="full")


def test_the_doc_report_parses_like_its_truth(full):
    root, truth = full
    (report,) = [r for r in truth["reports"] if r["title"].startswith("东澜县教育局2021")]
    if report["format"] != "doc":
        pytest.skip("LibreOffice (soffice) is not installed: the sample web printed a DOCX")
    assert report["file"].endswith(".doc")
    got = parse_document(root / report["file"])
    right, total, misses = compare(report, got)
    assert got["format"] == "doc" and got["form_version"] == "2021"
    cells = sum(len(report[t]) for t in ("proactive_stats", "request_stats", "appeal_stats"))
    assert (right, total, misses) == (cells, cells, []) and cells == 200
    assert check_misses(report, got) == []
    assert got["title"] == report["title"] and got["sections"] == report["sections"]


def test_free_form_reports_keep_their_headings_and_prose_figures(full):
    root, truth = full
    free = [r for r in truth["reports"] if r["form_version"] == "free"]
    assert [(r["publisher"], r["year"]) for r in free] == [
        ("东澜县人民政府", 2015),
        ("东澜县人民政府", 2016),
        ("东澜县人民政府", 2017),
        ("东澜县人民政府", 2018),
        ("鹤山镇人民政府", 2016),
        ("鹤山镇人民政府", 2018),
    ]
    for r in free:
        got = parse_document(root / r["file"])
        assert (got["form_version"], got["year"], got["title"]) == ("free", r["year"], r["title"])
        assert got["sections"] == r["sections"]
        assert got["prose_figures"] == r["prose_figures"]
        assert got["request_stats"] == [] and got["checks"] == []
    first = json.loads((root / f"{free[0]['file']}.truth.json").read_text("utf-8"))
    assert first["sections"]["fees"] == "四、政府信息公开的收费及减免情况"
    assert first["prose_figures"] == [
        ["proactive_items", 918, "全年共主动公开政府信息918条。"],
        ["requests_received", 29, RECEIVED],
        ["requests_granted", 9, RECEIVED],
        ["fees_yuan", 0, "本年度收取检索、复制、邮寄等费用共计0元。"],
    ]


@pytest.mark.slow
def test_the_image_version_prints_the_title_its_truth_expects(full):
    pytest.importorskip("rapidocr")
    root, truth = full
    (image,) = [d for d in truth["distractors"] if d.get("kind") == "image_version"]
    sidecar = json.loads((root / f"{image['file']}.truth.json").read_text("utf-8"))
    assert sidecar["title"].endswith("（图片版）")
    assert parse_document(root / image["file"])["title"] == sidecar["title"]

"""The sources CSV: valid files load, bad lines are named in one line."""

from __future__ import annotations

import pytest

from crawler.sources import SourcesError, read_sources

HEADER = "adcode,name,url,province,prefecture,notes,contact\n"
GOOD = "330991,青岚县,http://127.0.0.11:8000/,浙江省,云川市,,someone\n"


def write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "sources.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_valid_file_keeps_unknown_columns(tmp_path):
    rows = read_sources(write(tmp_path, HEADER + GOOD))
    assert rows == [
        {
            "adcode": "330991",
            "name": "青岚县",
            "url": "http://127.0.0.11:8000/",
            "province": "浙江省",
            "prefecture": "云川市",
            "notes": "",
            "contact": "someone",
        }
    ]


def test_bom_and_blank_lines_are_tolerated(tmp_path):
    rows = read_sources(write(tmp_path, "\ufeff" + HEADER + GOOD + ",,,,,,\n"))
    assert [r["adcode"] for r in rows] == ["330991"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEADER + GOOD + GOOD.replace("330991", "430991") + GOOD.replace("330991", "33010"),
            "sources.csv:4: adcode '33010' is not a 6-digit GB/T 2260 code",
        ),
        (HEADER + GOOD.replace("http://", "ftp://"), "sources.csv:2: url 'ftp://127.0.0.11:8000/'"),
        (HEADER + GOOD.replace("青岚县", ""), "sources.csv:2: name is empty"),
        ("adcode,url\n330991,http://a/\n", "sources.csv:1: header lacks required column(s) name"),
        (HEADER + GOOD + GOOD, "sources.csv:3: adcode 330991 already listed on line 2"),
        (HEADER, "sources.csv: no sites listed"),
        (HEADER + GOOD.replace("someone", "a,b"), "sources.csv:2: more fields than the header"),
    ],
)
def test_bad_lines_are_named(tmp_path, text, message):
    with pytest.raises(SourcesError) as exc:
        read_sources(write(tmp_path, text))
    assert str(exc.value).startswith(message)
    assert "\n" not in str(exc.value)


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "sources.csv"
    path.write_bytes((HEADER + GOOD).encode() + GOOD.replace("330991", "430991").encode("gbk"))
    with pytest.raises(SourcesError, match=r"^sources.csv:3: not UTF-8$"):
        read_sources(path)

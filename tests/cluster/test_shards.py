"""Shard assignment and splitting of the sources CSV."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from crawler.shards import main, registrable_host, shard_of, split_sources
from crawler.sources import SourcesError, read_sources

HEADER = "adcode,name,url,province,notes\n"


def test_registrable_host_folds_subdomains_ports_and_case():
    assert registrable_host("http://WWW.Qinglan.gov.cn:8080/a") == "qinglan.gov.cn"
    assert registrable_host("xxgk.qinglan.gov.cn") == "qinglan.gov.cn"
    assert registrable_host("https://www.hangzhou.gov.cn/") == "hangzhou.gov.cn"
    assert registrable_host("http://127.0.0.12:8180/") == "127.0.0.12"


def test_shard_is_sha1_of_the_registrable_host_and_pinned():
    # Pinned values: a change here moves sites between shards on every deployment.
    assert [shard_of(f"http://127.0.0.{h}:8180/", 2) for h in (11, 12, 13)] == [1, 0, 0]
    assert shard_of("http://www.qinglan.gov.cn/", 7) == shard_of("http://xxgk.qinglan.gov.cn/", 7)
    assert shard_of("qinglan.gov.cn", 1) == 0
    with pytest.raises(ValueError):
        shard_of("qinglan.gov.cn", 0)


def test_shards_are_balanced_over_many_sites():
    counts = Counter(shard_of(f"http://www.county{i}.gov.cn/", 4) for i in range(2000))
    assert set(counts) == {0, 1, 2, 3}
    assert min(counts.values()) > 400


def test_split_keeps_every_row_once_with_its_columns(tmp_path):
    quoted = '"x,y"'  # a field with a comma survives the split
    rows = [
        f"{330100 + i},县{i},http://www.c{i}.gov.cn/,浙江省,{quoted if i == 3 else ''}\n"
        for i in range(1, 40)
    ]
    sources = tmp_path / "sources.csv"
    sources.write_text(HEADER + "".join(rows), encoding="utf-8")
    paths = split_sources(sources, 3, tmp_path / "out")
    assert [p.name for p in paths] == ["shard-0.csv", "shard-1.csv", "shard-2.csv"]
    split = [read_sources(p) for p in paths]
    assert sorted(r["adcode"] for rows in split for r in rows) == [
        str(330100 + i) for i in range(1, 40)
    ]
    for k, shard_rows in enumerate(split):
        assert shard_rows and all(shard_of(r["url"], 3) == k for r in shard_rows)
    notes = {r["adcode"]: r["notes"] for rows in split for r in rows}
    assert notes["330103"] == "x,y"
    assert all(p.read_text(encoding="utf-8").startswith(HEADER) for p in paths)


def test_split_refuses_a_bad_sources_file_before_writing(tmp_path):
    sources = tmp_path / "sources.csv"
    sources.write_text(HEADER + "33010,县,http://a.gov.cn/,,\n", encoding="utf-8")
    with pytest.raises(SourcesError):
        split_sources(sources, 2, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_split(tmp_path, capsys):
    sources = tmp_path / "sources.csv"
    sources.write_text(
        HEADER
        + "330991,青岚县,http://127.0.0.11:8180/,,\n430991,梧溪县,http://127.0.0.12:8180/,,\n",
        encoding="utf-8",
    )
    code = main(["split", "--sources", str(sources), "--shards", "2", "--out", str(tmp_path)])
    assert code == 0
    shard1 = list(csv.DictReader((tmp_path / "shard-1.csv").open(encoding="utf-8")))
    assert [r["adcode"] for r in shard1] == ["330991"]
    assert "shard-0.csv\t1 sites" in capsys.readouterr().out

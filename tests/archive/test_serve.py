"""Publishing: the report page, /-/files downloads, and a real `python -m archive serve` process."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from datasette.app import Datasette
from sqlite_utils import Database

from archive.check import check_paths
from archive.db import open_archive
from archive.metadata import metadata
from archive.serve import (
    PLUGINS_DIR,
    TEMPLATES_DIR,
    ServeError,
    datasette_args,
    launch,
    prepare,
)
from archive.store import FileStore
from tests.helpers import PYTHON, REPO, free_port

ORIGINAL = "<html><body>原文 甲县教育局2023年政府信息公开工作年度报告</body></html>".encode()


@pytest.fixture
def data_dir(filled_archive: Path) -> Path:
    """The filled archive as DATA, with r-edu-2023's original in the store."""
    data = filled_archive.parent
    sha = FileStore(data / "files").put(ORIGINAL)
    db = Database(filled_archive)
    db["reports"].update("r-edu-2023", {"sha256": sha})
    db.close()
    return data


def _get(ds: Datasette, *paths: str):
    async def fetch():
        await ds.invoke_startup()
        return [await ds.client.get(p) for p in paths]

    return asyncio.run(fetch())


def _datasette(data: Path) -> Datasette:
    return Datasette(
        [str(data / "archive.db")],
        metadata=metadata(),
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
    )


def stored_sha(data: Path) -> str:
    return Database(data / "archive.db")["reports"].get("r-edu-2023")["sha256"]


def test_report_page_links_to_original(data_dir):
    (page,) = _get(_datasette(data_dir), "/archive/reports/r-edu-2023")
    assert page.status_code == 200
    digest = stored_sha(data_dir)
    assert f'href="/-/files/{digest}"' in page.text
    assert FileStore(data_dir / "files").has(digest)
    # r-edu-2023 fails requests_balance for the total column; its 7 cross-year checks against
    # r-edu-2022 (carried_out 0 → carried_in 0 per applicant) pass
    assert "48 of 49 checks passed; failed:" in page.text
    assert "第一项加第二项之和，等于第三项加第四项之和</strong>" in page.text
    assert (
        "<td><code>new_requests</code></td><td>一、本年新收政府信息公开申请数量</td><td>7</td>"
        in page.text
    )


def test_files_route_serves_only_stored_sha256(data_dir):
    digest = stored_sha(data_dir)
    ok, absent, bad, traversal = _get(
        _datasette(data_dir),
        f"/-/files/{digest}",
        "/-/files/" + "0" * 64,
        "/-/files/" + digest.upper(),
        "/-/files/..%2Farchive.db",
    )
    assert ok.status_code == 200
    assert ok.content == ORIGINAL
    assert ok.headers["content-disposition"] == f'attachment; filename="{digest}"'
    assert ok.headers["content-security-policy"] == "sandbox"
    assert absent.status_code == 404
    assert bad.status_code == 404
    # Datasette may redirect the odd path, but never serves a file for it
    assert traversal.status_code in (302, 404)
    assert b"SQLite format" not in traversal.content


def test_labels_shown_through_foreign_keys(data_dir):
    (page,) = _get(
        _datasette(data_dir),
        "/archive/request_stats.json?report_id=r-edu-2023&row=new_requests&applicant=total"
        "&_labels=on&_shape=array",
    )
    (row,) = page.json()
    assert row["row"] == {"value": "new_requests", "label": "一、本年新收政府信息公开申请数量"}
    assert row["report_id"]["label"] == "甲县教育局2023年政府信息公开工作年度报告"
    assert row["value"] == 7


def test_datasette_args_share_one_flag_list():
    args = datasette_args("data", 8123, "127.0.0.1")
    assert args[:2] == ["serve", str(Path("data") / "archive.db")]
    assert args[args.index("--metadata") + 1] == str(Path("data") / "metadata.json")
    assert ["--setting", "suggest_facets", "off"] == args[4:7]
    assert "sql_time_limit_ms" in args and "max_returned_rows" in args
    assert args[args.index("--plugins-dir") + 1] == str(PLUGINS_DIR)
    assert args[args.index("--template-dir") + 1] == str(TEMPLATES_DIR)
    assert args[-4:] == ["--host", "127.0.0.1", "--port", "8123"]


def test_prepare_without_archive(tmp_path):
    with pytest.raises(ServeError, match="archive.db not found"):
        prepare(tmp_path)


def test_serve_cli_without_archive_exits_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "archive", "serve", "--data", str(tmp_path), "--port", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "archive.db not found" in result.stderr


# a proxy configured in the environment must not see loopback requests
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _json(url: str):
    with OPENER.open(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def test_real_datasette_process(data_dir):
    port = free_port()
    python = PYTHON if PYTHON.exists() else Path(sys.executable)
    process = launch(data_dir, port, python=python, timeout=30)
    base = f"http://127.0.0.1:{port}"
    try:
        rows = _json(
            f"{base}/archive/request_stats.json?report_id=r-edu-2023&_shape=array&_size=max"
        )
        values = {(r["row"], r["applicant"]): r["value"] for r in rows}
        assert values[("new_requests", "total")] == 7
        assert values[("granted", "natural_person")] == 6
        top = _json(f"{base}/archive/top_publishers_new_requests.json?year=2023&_shape=array")
        assert [r["publisher"] for r in top] == ["甲县人民政府", "甲县教育局", "乙县财政局"]
        settings = _json(f"{base}/-/settings.json")
        assert settings["suggest_facets"] is False
        # read-only: no write API
        request = urllib.request.Request(
            f"{base}/archive/reports/-/insert",
            data=b"{}",
            method="POST",
            headers={"content-type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError):
            OPENER.open(request, timeout=10)
        assert (data_dir / "metadata.json").is_file()
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_every_page_renders(data_dir):
    """Table pages with their facets, and each canned query with its parameters, answer 200."""
    meta = metadata()["databases"]["archive"]
    params = {
        "year": "2023",
        "check": "",
        "publisher": "甲县教育局",
        "adcode": "990101",
        "q": "公开",
    }
    paths = ["/", "/archive"]
    paths += [f"/archive/{t}" for t in meta["tables"] if t not in ("report_links", "documents")]
    paths += [
        f"/archive/{name}?" + "&".join(f"{k}={v}" for k, v in params.items() if f":{k}" in q["sql"])
        for name, q in meta["queries"].items()
    ]
    pages = _get(_datasette(data_dir), *paths)
    assert {p: r.status_code for p, r in zip(paths, pages, strict=True)} == {p: 200 for p in paths}
    assert (
        "甲县人民政府" in pages[paths.index(next(p for p in paths if "top_publishers" in p))].text
    )


def test_check_paths_cover_pages_files_and_queries(data_dir):
    paths = check_paths(data_dir)
    assert "/archive/reports/r-edu-2023" in paths
    assert f"/-/files/{stored_sha(data_dir)}" in paths
    queries = [
        p
        for p in paths
        if p.split("?")[0].removesuffix(".json").split("/")[-1]
        in metadata()["databases"]["archive"]["queries"]
    ]
    assert len(queries) == len(metadata()["databases"]["archive"]["queries"]) == 6
    assert "/archive/top_publishers_new_requests.json?year=2023" in paths


def test_check_refuses_an_empty_archive(db_path):
    open_archive(db_path).close()
    with pytest.raises(ServeError, match="holds no reports"):
        check_paths(db_path.parent)


def test_check_cli(data_dir):
    result = subprocess.run(
        [sys.executable, "-m", "archive", "check", "--data", str(data_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == f"check: all {len(lines) - 1} pages answered"
    assert all(line.startswith("ok ") for line in lines[:-1])

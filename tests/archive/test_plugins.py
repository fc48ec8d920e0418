"""The helpers behind archive/plugins/ hooks, and the doctests of the archive modules."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
from pathlib import Path

import pytest

from archive.serve import PLUGINS_DIR
from archive.store import FileStore


def load_plugin(name: str):
    spec = importlib.util.spec_from_file_location(
        f"nianbao_plugin_{name}", PLUGINS_DIR / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


files = load_plugin("files")
report_page = load_plugin("report_page")


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "files"
    return root, FileStore(root).put(b"%PDF-1.7 original")


def test_store_path_finds_stored_file(store):
    root, digest = store
    assert files.store_path(root, digest).read_bytes() == b"%PDF-1.7 original"


@pytest.mark.parametrize(
    "candidate",
    [
        "0" * 64,  # well formed, not stored
        "../" * 10 + "etc/passwd",
        "A" * 64,
        "ab" * 31,
        "",
    ],
)
def test_store_path_refuses(store, candidate):
    root, _ = store
    assert files.store_path(root, candidate) is None


def test_store_path_refuses_uppercase_of_stored(store):
    root, digest = store
    assert files.store_path(root, digest.upper()) is None


@pytest.mark.parametrize(
    "content_type,suffix",
    [("application/pdf", ".pdf"), ("text/html; charset=gb2312", ".html"), (None, "")],
)
def test_download_headers(content_type, suffix):
    headers = files.download_headers("ab" * 32, content_type)
    assert headers["content-disposition"] == f'attachment; filename="{"ab" * 32}{suffix}"'
    assert headers["content-security-policy"] == "sandbox"
    assert headers["x-content-type-options"] == "nosniff"


def test_summarise_checks():
    rows = [{"passed": 1, "check": "a"}, {"passed": 0, "check": "b"}, {"passed": 0, "check": "c"}]
    summary = report_page.summarise_checks(rows)
    assert (summary["total"], summary["failed"]) == (3, 2)
    assert [r["check"] for r in summary["failures"]] == ["b", "c"]


@pytest.mark.parametrize(
    "module",
    [
        "archive.db",
        "archive.metadata",
        "archive.serve",
        "archive.search",
        "archive.figures",
        "archive.counties",
        "archive.layout",
        "archive.charts",
        "archive.disk",
    ],
)
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize("plugin", [files, report_page])
def test_plugin_doctests(plugin):
    result = doctest.testmod(plugin)
    assert result.attempted > 0 and result.failed == 0

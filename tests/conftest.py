"""Shared fixtures: the repository root and the optional shared corpus of real reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CORPUS, REPO


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("the shared real-report corpus is not beside this clone")
    return CORPUS

"""The examples in the crawler's docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "archive.store",
    "archive.warc",
    "archive.crawldb",
    "crawler.titles",
    "crawler.attachments",
    "crawler.middlewares.encoding",
    "crawler.middlewares.errors",
    "crawler.middlewares.blocking",
    "crawler.spiders.base",
    "crawler.spiders.hanweb",
    "crawler.spiders.trs",
    "crawler.spiders.standard",
    "crawler.spiders.gkmlpt",
    "crawler.spiders.county",
    "crawler.middlewares.backoff",
    "crawler.progress",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
    assert result.attempted > 0

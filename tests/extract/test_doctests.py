"""The examples in the extract modules' docstrings run and hold."""

import doctest
import importlib

import pytest

MODULES = [
    "extract.normalize",
    "extract.numbers",
    "extract.labels",
    "extract.readers",
    "extract.readers.html",
    "extract.readers.docx",
    "extract.readers.doc",
    "extract.prose",
    "extract.batch",
    "extract.readers.grid",
    "extract.readers.ocr",
    "extract.readers.scanned",
    "extract.readers.vector",
    "extract.readers.pdf",
    "extract.readers.text",
    "extract.tables",
    "extract.sections",
    "extract.checks",
    "extract.meta",
    "extract.evaluate",
    "extract",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
    assert result.attempted > 0 or name == "extract"

from pathlib import Path

import pytest

from sampleweb import generate, serve_sample_web


@pytest.fixture(scope="session")
def tree(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sampleweb")
    generate(out)
    return out


@pytest.fixture(scope="session")
def truth(tree) -> dict:
    import json

    return json.loads((tree / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def web(tree):
    with serve_sample_web(tree) as running:
        yield running

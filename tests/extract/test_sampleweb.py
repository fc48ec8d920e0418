"""The bundled sample web: every report document parsed against its sidecar truth."""

import io

import pytest

sampleweb = pytest.importorskip("sampleweb")

from extract.evaluate import evaluate  # noqa: E402


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sampleweb")
    sampleweb.generate(out)
    return out


def test_sample_web_cell_accuracy(sample_dir):
    report = io.StringIO()
    result = evaluate(sample_dir, out=report)
    print(report.getvalue())
    assert result["documents"] >= 70
    assert result["failed"] == 0
    assert result["total"] > 10000
    assert result["accuracy"] >= 0.995, report.getvalue()[-3000:]
    # sections, form versions and checks are compared too: report every difference
    assert result["problems"] == []

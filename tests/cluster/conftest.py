"""The ``servers`` fixture: the child processes of one test module, stopped at its end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster.servers import Servers


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    running = Servers()
    try:
        yield running
    finally:
        running.stop()

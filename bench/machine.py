"""What a benchmark ran on, and writing its results: every ``bench/results/<part>.json`` carries
the machine so that figures from two machines are never compared by mistake.

Example::

    >>> sorted(machine())
    ['cpu_count', 'cpu_model', 'platform', 'python', 'ram_gib']
"""

from __future__ import annotations

import json
import os
import platform
import resource
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return 0.0


def machine() -> dict[str, Any]:
    """CPU count and model, RAM, Python version and platform of this machine."""
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "ram_gib": _ram_gib(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_result(part: str, result: dict[str, Any], out: Path | None = None) -> Path:
    """Write ``result`` with the machine to ``bench/results/<part>.json`` (or ``out``).

    >>> write_result("serve", {"reports": 10}, tmp / "serve.json")  # doctest: +SKIP
    PosixPath('.../serve.json')
    """
    target = Path(out) if out else RESULTS / f"{part}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    document = {"part": part, "machine": machine(), **result}
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def peak_mib_self() -> float:
    """This process's peak resident memory in MiB (``VmHWM``, falling back to ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

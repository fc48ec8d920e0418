"""``python -m bench [crawl|serve|extract|all] [--quick] [--full]``: run benchmark parts.

Each part prints its table and writes ``bench/results/<part>.json`` with the machine it ran on
(see :mod:`bench.machine`). Sizes:

============  ====================================  ===========================  ==============
part          default (``make bench``)              ``--quick`` (smoke test)     ``--full``
============  ====================================  ===========================  ==============
crawl         201 sites (a), 20 sites × 1 s (b)     3 sites, 3 sites × 0.1 s     as default
serve         100,000 reports, 50 requests a page   1,000 reports, 3 requests    1,000,000
extract       12 text PDFs, 3 scans, best of 2      2 text PDFs, no scan, 1 run  as default
============  ====================================  ===========================  ==============

Ratios are printed, never asserted: timings depend on the machine and on what else runs on it.

Example::

    $ python -m bench crawl --quick
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench.machine import RESULTS, machine

PARTS = ("crawl", "serve", "extract")

#: arguments of each part's own command line, per size
ARGS: dict[str, dict[str, list[str]]] = {
    "crawl": {
        "default": ["--sites", "201", "--polite-sites", "20", "--delay", "1.0"],
        "quick": ["--sites", "3", "--polite-sites", "3", "--delay", "0.1", "--rounds", "1"],
    },
    "serve": {
        "default": ["--reports", "100000", "--requests", "50"],
        "quick": ["--reports", "1000", "--requests", "3"],
        "full": ["--reports", "1000000", "--requests", "50"],
    },
    "extract": {
        "default": ["--text-pdfs", "12", "--scans", "3", "--repeat", "2"],
        "quick": ["--text-pdfs", "2", "--scans", "0", "--repeat", "1"],
    },
}


def command(part: str, size: str = "default", results: Path = RESULTS) -> list[str]:
    """The command line that runs ``part`` at ``size`` and writes ``results/<part>.json``.

    >>> command("serve", "quick", Path("r"))[1:]
    ['-m', 'bench.serve', '--reports', '1000', '--requests', '3', '--out', 'r/serve.json']
    """
    args = ARGS[part].get(size) or ARGS[part]["default"]
    return [sys.executable, "-m", f"bench.{part}", *args, "--out", str(results / f"{part}.json")]


def stamp(path: Path, part: str) -> None:
    """Add the part name and the full machine description to a part's JSON (bench.extract
    writes its own, shorter ``machine``)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    document["part"] = part
    document["machine"] = {**document.get("machine", {}), **machine()}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("part", nargs="?", default="all", choices=(*PARTS, "all"))
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    size.add_argument("--full", action="store_true", help="the 1,000,000-report archive")
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the JSON")
    args = parser.parse_args(argv)
    chosen = PARTS if args.part == "all" else (args.part,)
    level = "quick" if args.quick else "full" if args.full else "default"
    root = Path(__file__).resolve().parents[1]
    failed = []
    for part in chosen:
        print(f"== bench {part} ({level})", flush=True)
        cmd = command(part, level, args.results)
        if subprocess.run(cmd, cwd=root, check=False).returncode != 0:
            failed.append(part)
        else:
            stamp(args.results / f"{part}.json", part)
    if failed:
        print(f"bench: {', '.join(failed)} failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

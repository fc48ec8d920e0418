"""``python -m reliability [--work DIR] [--keep] [-v]``: run every check, print the table.

Exit 0 when every crash point passed, every bad input was handled, every hostile query was
refused, and no byte was lost or row duplicated; 1 otherwise (the failures are listed).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from reliability.report import ok, run_all, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability", description=__doc__)
    parser.add_argument("--work", default=None, help="scratch directory (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per check")
    args = parser.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="nianbao-rel-"))
    started = time.monotonic()
    try:
        results = run_all(work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    for result in results:
        if args.verbose or not result.passed:
            print(result.line())
    print("\n".join(table(results)))
    passed = ok(results)
    print(f"reliability: {'ok' if passed else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

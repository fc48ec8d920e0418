"""``python -m archive serve --data DIR --port PORT [--host HOST]``, ``check``, ``bundle``, ``metadata``."""

from __future__ import annotations

import argparse
import sys

from archive.bundle import BundleError, bundle
from archive.check import check
from archive.metadata import write_metadata
from archive.serve import ServeError, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m archive", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="serve DATA/archive.db read-only with Datasette")
    serve_cmd.add_argument("--data", default="data")
    serve_cmd.add_argument("--port", type=int, default=8001)
    serve_cmd.add_argument("--host", default="127.0.0.1")
    check_cmd = commands.add_parser("check", help="fetch the archive's pages through datasette")
    check_cmd.add_argument("--data", default="data")
    bundle_cmd = commands.add_parser(
        "bundle", help="write the raw archive (WARC, originals, manifest)"
    )
    bundle_cmd.add_argument("--data", default="data")
    bundle_cmd.add_argument("--out", default=None, help="tar to write (default DATA/bundle/…)")
    meta_cmd = commands.add_parser("metadata", help="write DATA/metadata.json")
    meta_cmd.add_argument("--data", default="data")
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            serve(args.data, args.port, args.host)
        elif args.command == "check":
            return _check(args.data)
        elif args.command == "bundle":
            print(bundle(args.data, args.out))
        else:
            print(write_metadata(args.data))
    except (ServeError, BundleError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _check(data: str) -> int:
    results = check(data)
    for result in results:
        print(
            f"{'ok  ' if result.ok else 'FAIL'} {result.path}"
            + (f"  {result.detail}" if result.detail else "")
        )
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"check: {len(failed)} of {len(results)} pages failed", file=sys.stderr)
        return 1
    print(f"check: all {len(results)} pages answered")
    return 0


if __name__ == "__main__":
    sys.exit(main())

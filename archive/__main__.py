"""``python -m archive serve --data DIR --port PORT [--host HOST] [--public]``, ``check``,
``bundle``, ``verify-bundle PATH``, ``rebuild``, ``metadata``."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from archive.bundle import BundleError, bundle, verify_bundle
from archive.check import check
from archive.db import close_archive, open_archive
from archive.derived import rebuild
from archive.disk import is_write_failure
from archive.metadata import write_metadata
from archive.serve import ServeError, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m archive", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="serve DATA/archive.db read-only with Datasette")
    serve_cmd.add_argument("--data", default="data")
    serve_cmd.add_argument("--port", type=int, default=8001)
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument(
        "--public",
        action="store_true",
        help="immutable database with precomputed counts, robots blocked (internet serving)",
    )
    check_cmd = commands.add_parser("check", help="fetch the archive's pages through datasette")
    check_cmd.add_argument("--data", default="data")
    bundle_cmd = commands.add_parser(
        "bundle", help="write the raw archive (WARC, originals, manifest)"
    )
    bundle_cmd.add_argument("--data", default="data")
    bundle_cmd.add_argument(
        "--out", default=None, help="bag directory to write (default DATA/bundle/…)"
    )
    verify_cmd = commands.add_parser(
        "verify-bundle", help="validate a bag and read every WARC record in it"
    )
    verify_cmd.add_argument("path")
    rebuild_cmd = commands.add_parser(
        "rebuild", help="rebuild the derived tables (figures, panel, counties, search index)"
    )
    rebuild_cmd.add_argument("--data", default="data")
    meta_cmd = commands.add_parser("metadata", help="write DATA/metadata.json")
    meta_cmd.add_argument("--data", default="data")
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            serve(args.data, args.port, args.host, public=args.public)
        elif args.command == "check":
            return _check(args.data)
        elif args.command == "bundle":
            print(bundle(args.data, args.out))
        elif args.command == "verify-bundle":
            counts = verify_bundle(args.path)
            print(
                f"verify-bundle: bag valid ({counts['files']} files); "
                f"{counts['records']} records read from {counts['warcs']} WARC files"
            )
        elif args.command == "rebuild":
            if not Path(args.data, "archive.db").is_file():
                raise ServeError(f"rebuild: {args.data}/archive.db not found; run make extract")
            db = open_archive(f"{args.data}/archive.db")
            try:
                rebuild(db)
            finally:
                close_archive(db)
            print(f"rebuilt derived tables of {args.data}/archive.db")
        else:
            print(write_metadata(args.data))
    except (ServeError, BundleError) as exc:
        print(exc, file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as exc:
        if not is_write_failure(exc):
            raise
        # the derived tables' stamp is written last, so the next start rebuilds what is missing
        print(f"{args.command}: cannot write ({exc}); free space and run it again", file=sys.stderr)
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

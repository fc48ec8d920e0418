"""``python -m extract FILE [--json]``: parse one document and print it as JSON."""

from __future__ import annotations

import argparse
import json
import sys

from extract import ExtractError, parse_document


def main(argv: list[str] | None = None) -> int:
    """Thin CLI over :func:`extract.parse_document`; exit 1 with one line on failure."""
    parser = argparse.ArgumentParser(prog="python -m extract", description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (default)")
    parser.add_argument("--content-type", default=None)
    args = parser.parse_args(argv)
    try:
        result = parse_document(args.file, content_type=args.content_type)
    except ExtractError as err:
        print(f"extract: {args.file}: {err}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m crawler --sources CSV --data DIR [-s NAME=VALUE ...]`` (see crawler.run.crawl)."""

from __future__ import annotations

import argparse
import sys

from crawler.run import crawl


def parse_setting(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` → (NAME, VALUE)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def add_settings_option(parser: argparse.ArgumentParser, help: str) -> None:
    """Add the repeatable ``-s NAME=VALUE`` option (collected in ``args.settings``)."""
    parser.add_argument(
        "-s",
        dest="settings",
        action="append",
        type=parse_setting,
        default=[],
        metavar="NAME=VALUE",
        help=help,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m crawler",
        description="Harvest annual-report pages and attachments of every site in SOURCES.",
    )
    parser.add_argument("--sources", required=True, help="sources CSV (adcode,name,url,…)")
    parser.add_argument("--data", default="data", help="data directory (default: data)")
    add_settings_option(parser, "override a Scrapy or NIANBAO_* setting (repeatable)")
    args = parser.parse_args(argv)
    return crawl(args.sources, args.data, dict(args.settings))


if __name__ == "__main__":
    sys.exit(main())

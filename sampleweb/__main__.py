"""``python -m sampleweb generate --out DIR [--profile full] [--epoch N]`` and
``python -m sampleweb serve --root DIR --port P [--profile full]``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .generate import PROFILES, generate
from .server import SampleWeb


def _generate(args: argparse.Namespace) -> int:
    truth = generate(Path(args.out), args.profile, args.epoch)
    print(
        f"sampleweb: wrote {len(truth['reports'])} reports of {len(truth['sites'])} sites "
        f"to {args.out}"
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    root = Path(args.root)
    web = SampleWeb(root, args.port, Path(args.log) if args.log else None, args.profile)
    if args.sources_out:
        web.write_sources(Path(args.sources_out))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    web.start()
    print(f"sampleweb: serving {len(web.sites)} sites on port {web.port}", flush=True)
    stop.wait()
    web.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sampleweb", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write the static sites and truth.json")
    g.add_argument("--out", required=True, help="target directory")
    g.add_argument("--profile", choices=PROFILES, default="basic", help="basic (default) or full")
    g.add_argument("--epoch", type=int, default=0, help="full profile: 1 adds and removes reports")
    g.set_defaults(func=_generate)
    s = sub.add_parser("serve", help="serve the sites on loopback until SIGINT/SIGTERM")
    s.add_argument("--root", required=True, help="generated tree (generated if empty)")
    s.add_argument("--port", type=int, default=8800, help="shared port of every site")
    s.add_argument("--sources-out", help="write a sources CSV for the running sites")
    s.add_argument("--log", help="append the request log as JSON lines to this file")
    s.add_argument(
        "--profile",
        choices=PROFILES,
        default=None,
        help="serve this profile (regenerating a tree of the other one); default: the tree as it is",
    )
    s.set_defaults(func=_serve)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except OSError as exc:
        print(f"sampleweb: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""Sharding the sources: which of N crawl shards a site belongs to, and one CSV per shard.

A site's shard is the sha1 of its registrable host (``www.qinglan.gov.cn`` and
``xxgk.qinglan.gov.cn`` both hash ``qinglan.gov.cn``) modulo N: stable across runs, machines and
Python versions (unlike ``hash()``), and every host of one county lands in the same shard, so
one Scrapyd job alone paces its requests to that county.

``python -m crawler.shards split --sources CSV --shards N --out DIR`` writes
``DIR/shard-<k>.csv`` for k in 0…N-1 (the header and the site rows of that shard, unchanged).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import ipaddress
import sys
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import tldextract

from crawler.sources import SourcesError, read_sources


@cache
def _extractor() -> tldextract.TLDExtract:
    # The public suffix list shipped inside tldextract: a shard must not depend on the network.
    return tldextract.TLDExtract(suffix_list_urls=())


def registrable_host(url_or_domain: str) -> str:
    """The registrable domain of a URL or host (the host itself for an IP address or a name
    without a public suffix), lower case, without port.

    >>> registrable_host("http://WWW.Qinglan.gov.cn:8080/col/index.html")
    'qinglan.gov.cn'
    >>> registrable_host("127.0.0.11")
    '127.0.0.11'
    """
    text = url_or_domain.strip()
    host = (urlsplit(text if "//" in text else f"//{text}").hostname or "").rstrip(".").lower()
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    parts = _extractor()(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return host


def shard_of(url_or_domain: str, n: int) -> int:
    """The shard (0…n-1) of a site: sha1 of its registrable host, modulo ``n``.

    >>> shard_of("http://127.0.0.11:8180/", 2), shard_of("http://127.0.0.12:8180/", 2)
    (1, 0)
    >>> shard_of("http://www.qinglan.gov.cn/", 7) == shard_of("xxgk.qinglan.gov.cn", 7)
    True
    """
    if n < 1:
        raise ValueError(f"the number of shards must be at least 1, got {n}")
    digest = hashlib.sha1(registrable_host(url_or_domain).encode("utf-8")).digest()
    return int.from_bytes(digest, "big") % n


def split_sources(csv_path: Path | str, n: int, out_dir: Path | str) -> list[Path]:
    """Write one sources CSV per shard, ``out_dir/shard-<k>.csv``; return their paths in shard
    order. Every shard file has the header, so an empty shard is a valid (empty) sources file.

    >>> split_sources("sources.csv", 2, "build/shards")  # doctest: +SKIP
    [PosixPath('build/shards/shard-0.csv'), PosixPath('build/shards/shard-1.csv')]

    :raises SourcesError: when the sources file is invalid (checked before anything is written).
    """
    read_sources(csv_path)  # validate first: a bad line must not be spread over N shards
    text = Path(csv_path).read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fieldnames = list(reader.fieldnames or [])
    buffers = [io.StringIO(newline="") for _ in range(n)]
    writers = [csv.DictWriter(b, fieldnames=fieldnames, lineterminator="\n") for b in buffers]
    for writer in writers:
        writer.writeheader()
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        writers[shard_of(row["url"], n)].writerow(row)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, buffer in enumerate(buffers):
        path = out / f"shard-{k}.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.shards", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    split = commands.add_parser("split", help="write one sources CSV per shard")
    split.add_argument("--sources", required=True, help="sources CSV")
    split.add_argument("--shards", type=int, required=True, help="number of shards")
    split.add_argument("--out", required=True, help="directory for shard-<k>.csv")
    args = parser.parse_args(argv)
    try:
        paths = split_sources(args.sources, args.shards, args.out)
    except (SourcesError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for path in paths:
        sites = sum(1 for _ in csv.DictReader(path.open(encoding="utf-8"))) if path else 0
        print(f"{path}\t{sites} sites")
    return 0


if __name__ == "__main__":
    sys.exit(main())

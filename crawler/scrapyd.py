"""Crawl on several Scrapyd nodes: split the sources into shards, deploy, schedule, wait.

``python -m crawler.scrapyd crawl --sources CSV --data DIR --nodes URL[,URL…] [--shards N]
[-s NAME=VALUE …]``

1. :func:`crawler.shards.split_sources` gives ``DIR/shards/<k>/sources.csv`` (N defaults to the
   number of nodes; shard k runs on node k mod len(nodes)).
2. :func:`deploy` packs ``crawler``, ``archive`` and ``extract`` into an egg with scrapyd-client
   (``scrapyd-deploy --build-egg`` in a staging directory whose generated ``scrapy.cfg`` names the
   egg's settings module, :mod:`crawler.cluster.settings`, and one ``[deploy:nodeK]`` target per
   node), then uploads it to every node (``scrapyd-deploy -a --egg``, i.e. ``addversion.json``).
3. :func:`schedule` posts one ``schedule.json`` per shard: spider ``county_shard`` with spider
   arguments ``sources``, ``data`` (``DIR/shards/<k>``) and ``shard``, and the ``-s`` settings.
4. :func:`wait` polls ``status.json`` until every job is finished, then the driver reads each
   shard's ``crawl_runs`` row and prints it.

Each shard's data directory is a complete nianbao DATA; ``python -m archive.merge`` folds them.
The paths are the nodes' paths: on one machine (or a shared filesystem) they are the same.

``python -m crawler.scrapyd deploy --nodes URL[,URL…]`` only deploys (prints the version);
``crawl --no-deploy`` then runs what the nodes have, e.g. from cron.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapyd_client.pyclient import ScrapydClient

from crawler.__main__ import add_settings_option
from crawler.shards import split_sources
from crawler.sources import SourcesError

PROJECT = "nianbao"
SPIDER = "county_shard"
EGG_SETTINGS = "crawler.cluster.settings"
#: the packages the egg carries (the crawler writes through archive; archive reads the template)
EGG_PACKAGES = ("crawler", "archive", "extract")
SOURCE_ROOT = Path(__file__).resolve().parents[1]


class ClusterError(Exception):
    """A node refused a deploy or a schedule, or a job did not finish in time."""


@dataclass
class Job:
    """One shard scheduled on one node."""

    shard: int
    node: str
    jobid: str
    data: Path


def _staging_dir(nodes: Sequence[str], root: Path) -> Path:
    """A throwaway Scrapy project directory: the packages and a scrapy.cfg for scrapyd-deploy."""
    stage = Path(tempfile.mkdtemp(prefix="nianbao-egg-"))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in EGG_PACKAGES:
        shutil.copytree(root / package, stage / package, ignore=ignore)
    targets = "".join(
        f"\n[deploy:node{k}]\nurl = {url.rstrip('/')}/\nproject = {PROJECT}\n"
        for k, url in enumerate(nodes)
    )
    (stage / "scrapy.cfg").write_text(f"[settings]\ndefault = {EGG_SETTINGS}\n{targets}")
    return stage


def _scrapyd_deploy(stage: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "scrapyd_client.deploy", *args],
        cwd=stage,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 or '"status": "error"' in done.stdout:
        raise ClusterError(f"scrapyd-deploy {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def deploy(nodes: Sequence[str], version: str | None = None, *, root: Path = SOURCE_ROOT) -> str:
    """Build the project egg with scrapyd-client and add it to every node; return its version.

    >>> deploy(["http://127.0.0.1:6800"])  # doctest: +SKIP
    '1795000000123'

    :param nodes: Scrapyd base URLs.
    :param version: the version name (default: the time in milliseconds, so the newest sorts
        last, which is the version Scrapyd runs).
    """
    version = version or str(int(time.time() * 1000))
    stage = _staging_dir(nodes, root)
    try:
        egg = stage / f"{PROJECT}-{version}.egg"
        _scrapyd_deploy(stage, "--build-egg", str(egg))
        _scrapyd_deploy(stage, "-a", "--egg", str(egg), "-p", PROJECT, "-v", version)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    for node in nodes:
        if SPIDER not in ScrapydClient(node).spiders(PROJECT):
            raise ClusterError(f"{node}: spider {SPIDER} not listed after deploy")
    return version


def schedule(
    node: str,
    sources: Path,
    data: Path,
    shard: int,
    settings: Mapping[str, Any] | None = None,
    version: str | None = None,
) -> str:
    """Schedule one shard's crawl on ``node``; return the Scrapyd job id.

    >>> schedule("http://127.0.0.1:6800", Path("s.csv"), Path("d"), 0)  # doctest: +SKIP
    '6487ec79947edab326d6db28a2d86511'
    """
    args: list[tuple[str, str]] = [
        ("sources", str(sources.resolve())),
        ("data", str(data.resolve())),
        ("shard", f"shard{shard}"),
        *(("setting", f"{k}={v}") for k, v in (settings or {}).items()),
    ]
    if version:
        args.append(("_version", version))
    return ScrapydClient(node).schedule(PROJECT, SPIDER, args)


def wait(jobs: Sequence[Job], timeout: float | None = None, poll: float = 0.5) -> None:
    """Poll each node's ``status.json`` until every job is finished.

    :raises ClusterError: when ``timeout`` seconds pass first.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    pending = list(jobs)
    while pending:
        pending = [
            j
            for j in pending
            if ScrapydClient(j.node).status(j.jobid, PROJECT).get("currstate") != "finished"
        ]
        if not pending:
            return
        if deadline is not None and time.monotonic() > deadline:
            names = ", ".join(f"shard {j.shard} on {j.node}" for j in pending)
            raise ClusterError(f"not finished after {timeout:.0f} s: {names}")
        time.sleep(poll)


def last_run(data: Path) -> dict[str, Any] | None:
    """The newest ``crawl_runs`` row of a shard's data directory, or None."""
    if not (data / "archive.db").is_file():
        return None
    db = sqlite3.connect(data / "archive.db")
    db.row_factory = sqlite3.Row
    try:
        row = db.execute("select * from crawl_runs order by started_at desc limit 1").fetchone()
    finally:
        db.close()
    return dict(row) if row else None


def crawl(
    sources: Path | str,
    data: Path | str,
    nodes: Sequence[str],
    shards: int | None = None,
    settings: Mapping[str, Any] | None = None,
    *,
    timeout: float | None = None,
    redeploy: bool = True,
    out=None,
) -> int:
    """Split, deploy, schedule one job per shard, wait; return 0 when every shard's run is ok.

    >>> crawl("sources.csv", "data", ["http://127.0.0.1:6801", "http://127.0.0.1:6802"])  # doctest: +SKIP
    0

    Leaves ``DATA/shards/<k>/`` (sources.csv and a complete data directory) for each shard.
    With ``redeploy=False`` the nodes run the version they already have (the newest deployed).
    """
    out = out or sys.stdout
    data = Path(data).resolve()
    n = shards or len(nodes)
    shard_dirs = [data / "shards" / str(k) for k in range(n)]
    with tempfile.TemporaryDirectory(prefix="nianbao-split-") as tmp:
        try:
            split = split_sources(sources, n, tmp)
        except SourcesError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        for csv_path, shard_dir in zip(split, shard_dirs, strict=True):
            shard_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(csv_path, shard_dir / "sources.csv")
    version = deploy(nodes) if redeploy else None
    jobs: list[Job] = []
    before: dict[int, str | None] = {}
    for k, shard_dir in enumerate(shard_dirs):
        shard_sources = shard_dir / "sources.csv"
        node = nodes[k % len(nodes)]
        before[k] = (last_run(shard_dir) or {}).get("id")
        jobid = schedule(node, shard_sources, shard_dir, k, settings, version)
        print(f"crawl: shard {k} scheduled on {node} as job {jobid}", file=out)
        jobs.append(Job(k, node, jobid, shard_dir))
    wait(jobs, timeout)
    failed = 0
    for job in jobs:
        run = last_run(job.data) or {}
        log = f"{job.node.rstrip('/')}/logs/{PROJECT}/{SPIDER}/{job.jobid}.log"
        if run.get("id") in (None, before[job.shard]):
            failed += 1
            print(f"crawl: shard {job.shard} recorded no run; see {log}", file=out)
            continue
        failed += run["status"] != "ok"
        print(
            f"crawl: shard {job.shard} ({job.data}): run {run['id']} {run['status']}, "
            f"{run.get('pages')} pages, {run.get('reports')} reports; log {log}",
            file=out,
        )
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.scrapyd", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("crawl", help="split, deploy, schedule one shard per node, wait")
    run.add_argument("--sources", required=True, help="sources CSV")
    run.add_argument("--data", required=True, help="data root; shards go to DATA/shards/<k>")
    run.add_argument("--shards", type=int, default=None, help="shards (default: one per node)")
    run.add_argument("--timeout", type=float, default=None, help="seconds to wait for the jobs")
    run.add_argument(
        "--no-deploy", action="store_true", help="run the version the nodes already have"
    )
    only = commands.add_parser("deploy", help="build the egg and add it to every node")
    for command in (run, only):
        command.add_argument("--nodes", required=True, help="Scrapyd URLs, comma-separated")
    add_settings_option(run, "a Scrapy or NIANBAO_* setting for every job (repeatable)")
    args = parser.parse_args(argv)
    nodes = [n.strip() for n in args.nodes.split(",") if n.strip()]
    try:
        if args.command == "deploy":
            print(deploy(nodes))
            return 0
        return crawl(
            args.sources,
            args.data,
            nodes,
            args.shards,
            dict(args.settings),
            timeout=args.timeout,
            redeploy=not args.no_deploy,
        )
    except (ClusterError, OSError) as exc:
        print(f"crawl: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

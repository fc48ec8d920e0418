"""Real servers on loopback for the cluster tests: Scrapyd daemons and a Dask cluster.

Every server is a child process in its own session, started in its own temporary directory and
stopped (SIGTERM to its process group, then SIGKILL) when the module's tests are done.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.helpers import PYTHON, REPO, free_port

SCRAPYD_CONF = """[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
eggs_dir = eggs
logs_dir = logs
dbs_dir = dbs
items_dir =
jobs_to_keep = 5
max_proc = 1
poll_interval = 0.5
"""


class Servers:
    """The child processes of one test module; :meth:`stop` ends them all."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def start(self, args: list[str], cwd: Path, log: Path) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        with open(log, "wb") as out:
            process = subprocess.Popen(
                args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def wait_for(check, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come up in {timeout:.0f} s")
        time.sleep(0.2)


def start_scrapyd(servers: Servers, root: Path) -> str:
    """One Scrapyd daemon with its own scrapyd.conf, eggs, logs and dbs under ``root``."""
    root.mkdir(parents=True)
    port = free_port()
    (root / "scrapyd.conf").write_text(SCRAPYD_CONF.format(port=port))
    servers.start([str(PYTHON), "-m", "scrapyd"], root, root / "scrapyd.out")
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: get_json(f"{url}/daemonstatus.json")["status"] == "ok", f"scrapyd {url}")
    return url


def start_dask(servers: Servers, root: Path, workers: int) -> str:
    """A ``dask scheduler`` and ``workers`` single-threaded ``dask worker`` processes."""
    from distributed import Client

    root.mkdir(parents=True)
    address = f"tcp://127.0.0.1:{free_port()}"
    dask = [str(PYTHON), "-m", "distributed.cli.dask_scheduler"]
    servers.start(
        [*dask, "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"],
        REPO,
        root / "scheduler.log",
    )
    worker = [str(PYTHON), "-m", "distributed.cli.dask_worker", address]
    for k in range(workers):
        servers.start(
            [
                *worker,
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                "--name",
                f"w{k}",
            ],
            REPO,
            root / f"worker{k}.log",
        )
    with Client(address, timeout="60s") as client:
        client.wait_for_workers(workers, timeout=60)
    return address

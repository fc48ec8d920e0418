"""Article pages read in a helper process while the crawl goes on.

A crawl is one Python process, so it uses one core. After Scrapy itself, reading report
article pages (lxml's parse, then one walk for title, date, links and body images) was the
largest part of a fast crawl's CPU. :class:`ParseWorker` hands those pages to a second process,
which sends back only the page's :class:`~crawler.spiders.base.ArticleView`. The spider's callback
awaits the answer, and the reactor goes on with other responses meanwhile. The parse is the
same one (:func:`~crawler.spiders.base.article_view_of`), so the view is the same.

The worker is an aid, never a dependency. A page is read in the crawl's own process, as
before, when:

- the worker already holds ``NIANBAO_PARSE_WORKER_BYTES`` of pages, or as much as its pipe
  holds (sending more could block the reactor on a full pipe);
- the worker has died: its pages in hand are read here and no more are sent;
- the response is not an ``HtmlResponse``;
- the setting is off, or the process may use only one CPU.

No thread is involved: replies are read by the event loop when the pipe is readable, in order.

Settings: ``NIANBAO_PARSE_WORKER`` (default True), ``NIANBAO_PARSE_WORKER_BYTES``. Stats:
``parse/worker`` and ``parse/local`` (pages read each way), ``parse/worker_lost``.
"""

from __future__ import annotations

import asyncio
import collections
import fcntl
import logging
import multiprocessing
import os
import pickle
import signal
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse

if TYPE_CHECKING:
    from crawler.spiders.base import ArticleView

logger = logging.getLogger(__name__)

_ATTR = "_nianbao_parse_worker"
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_F_GETPIPE_SZ = getattr(fcntl, "F_GETPIPE_SZ", 1032)


class WorkerLost(Exception):
    """The parse worker died, or was stopped, with the page in hand."""


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pipe_capacity(conn: Connection, wanted: int) -> int:
    """Ask for a pipe of ``wanted`` bytes (Linux lets a process have up to 1 MiB); return what
    the pipe holds."""
    fd = conn.fileno()
    try:
        fcntl.fcntl(fd, _F_SETPIPE_SZ, wanted)
    except OSError:
        pass
    try:
        return fcntl.fcntl(fd, _F_GETPIPE_SZ)
    except OSError:
        return 65536  # POSIX promises less; Linux and the BSDs give this much


def serve(pages: Connection, replies: Connection) -> None:
    """The worker process: read ``(url, body, encoding)`` from ``pages`` and answer each on
    ``replies``, in order, with ``(True, ArticleView)`` or ``(False, reason)``, until the pipe
    closes.
    """
    # The crawl stops the worker by closing the pipe; a Ctrl-C or SIGTERM sent to the process
    # group is the crawl's to handle (it finishes its pages and saves its queue first).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from archive.faults import maybe_crash
    from crawler.spiders.base import article_view_of

    while True:
        try:
            url, body, encoding = pickle.loads(pages.recv_bytes())
        except (EOFError, OSError):
            return
        maybe_crash("crawl.parse_worker")
        try:
            reply: tuple[bool, Any] = (True, article_view_of(url, body, encoding))
        except Exception as exc:  # noqa: BLE001 -- sent back; the crawl reads the page itself
            reply = (False, f"{type(exc).__name__}: {exc}")
        try:
            replies.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the crawl closed its end while this page was being read
            return


class ParseWorker:
    """A Scrapy extension: the helper process that reads article pages for the spider.

    Started when the spider opens, stopped when it closes. The spider reaches it through
    :func:`parse_worker` and calls :meth:`read`.

    :param max_bytes: how many bytes of pages the worker may hold at once.
    """

    def __init__(self, crawler: Crawler, max_bytes: int = 1 << 20) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_bytes = max_bytes
        self.process: multiprocessing.process.BaseProcess | None = None
        self.conn: Connection | None = None  # pages to the worker
        self.replies: Connection | None = None  # its answers
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pending: collections.deque[tuple[asyncio.Future, int]] = collections.deque()
        self.bytes_out = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParseWorker:
        settings = crawler.settings
        if not settings.getbool("NIANBAO_PARSE_WORKER"):
            raise NotConfigured
        if usable_cpus() < 2:
            # with one CPU the two processes would only take turns, and pay for the pipe
            raise NotConfigured("one CPU: article pages are read in the crawl's process")
        worker = cls(crawler, settings.getint("NIANBAO_PARSE_WORKER_BYTES", 1 << 20))
        setattr(crawler, _ATTR, worker)
        crawler.signals.connect(worker.start, signal=signals.spider_opened)
        crawler.signals.connect(worker.close, signal=signals.spider_closed)
        return worker

    @property
    def alive(self) -> bool:
        """True while the worker takes pages."""
        return self.conn is not None

    def start(self) -> None:
        """Start the worker process (spawned: the crawl has threads, which fork does not copy)."""
        context = multiprocessing.get_context("spawn")
        pages_in, pages_out = context.Pipe(duplex=False)
        replies_in, replies_out = context.Pipe(duplex=False)
        # Pages go down a pipe that holds all the worker may have in hand, so sending one never
        # blocks the reactor.
        self.max_bytes = min(self.max_bytes, pipe_capacity(pages_out, self.max_bytes) - 4096)
        self.process = context.Process(
            target=serve, args=(pages_in, replies_out), name="nianbao-parse", daemon=True
        )
        self.process.start()
        pages_in.close()
        replies_out.close()
        self.conn, self.replies = pages_out, replies_in
        self.loop = asyncio.get_running_loop()
        self.loop.add_reader(replies_in.fileno(), self._on_readable)

    async def read(self, response: HtmlResponse) -> ArticleView | None:
        """The page's :class:`~crawler.spiders.base.ArticleView` from the worker, or None when
        the page is to be read here (worker busy or gone; see the module's notes)."""
        message = pickle.dumps(
            (response.url, response.body, response.encoding), protocol=pickle.HIGHEST_PROTOCOL
        )
        size = len(message) + 4  # what it takes in the pipe, with its length prefix
        if self.conn is None or self.bytes_out + size > self.max_bytes:
            self.stats.inc_value("parse/local")
            return None
        future = self.loop.create_future()
        try:
            self.conn.send_bytes(message)
        except OSError as exc:
            self._lost(f"cannot send to the parse worker: {exc}")
            self.stats.inc_value("parse/local")
            return None
        self.pending.append((future, size))
        self.bytes_out += size
        try:
            ok, value = await future
        except WorkerLost:
            self.stats.inc_value("parse/local")
            return None
        if not ok:
            # The same parse raises here too, with the response's own traceback.
            logger.debug("the parse worker could not read %s: %s", response.url, value)
            self.stats.inc_value("parse/local")
            return None
        self.stats.inc_value("parse/worker")
        return value

    def _on_readable(self) -> None:
        assert self.replies is not None
        try:
            while self.replies.poll():
                if not self.pending:
                    # readable with nothing asked: the pipe has closed (the worker died)
                    self.replies.recv_bytes()
                    raise EOFError("an answer to nothing")
                reply = pickle.loads(self.replies.recv_bytes())
                future, size = self.pending.popleft()
                self.bytes_out -= size
                if not future.done():
                    future.set_result(reply)
        except (EOFError, OSError) as exc:
            self._lost(f"the parse worker has gone ({exc or type(exc).__name__})")

    def _lost(self, reason: str) -> None:
        logger.warning("%s; article pages are read in the crawl's process from now on", reason)
        self.stats.inc_value("parse/worker_lost")
        self._disconnect(WorkerLost(reason))

    def _disconnect(self, error: Exception) -> None:
        if self.conn is not None:
            self.loop.remove_reader(self.replies.fileno())
            self.conn.close()
            self.replies.close()
            self.conn = self.replies = None
        while self.pending:
            future, _ = self.pending.popleft()
            if not future.done():
                future.set_exception(error)
        self.bytes_out = 0

    def close(self) -> None:
        """Stop the worker: close its pipe, and wait for it to exit."""
        self._disconnect(WorkerLost("the crawl closed"))
        if self.process is not None:
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
            self.process = None


def parse_worker(crawler: Crawler | None) -> ParseWorker | None:
    """The crawl's running parse worker, or None (setting off, not started, or gone)."""
    worker = getattr(crawler, _ATTR, None) if crawler is not None else None
    return worker if worker is not None and worker.alive else None

"""A scheduler that keeps pending requests in memory and writes them to ``JOBDIR`` on close.

Scrapy's scheduler, given a ``JOBDIR``, pickles every request to a disk queue as it is
scheduled and reads it back before it is sent; with one disk queue per site, each request also
creates and removes a directory. On a fast crawl that was a tenth of the CPU. What resuming
needs is only the queue left when the crawl stops, so :class:`SpillingScheduler` schedules in
memory and, when the spider closes with requests still pending (a ``SIGINT``/``SIGTERM``, a
time budget), moves them into the disk queue, which Scrapy then saves as usual. A resumed run
loads that queue at open and takes its requests after the ones in memory. A ``SIGKILL`` saves
no queue either way (``crawler.run`` then starts afresh).

Enabled by ``SCHEDULER = "crawler.scheduler.SpillingScheduler"`` (crawler/settings.py).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.core.scheduler import Scheduler
from twisted.internet.defer import Deferred


class SpillingScheduler(Scheduler):
    """Scrapy's scheduler with the disk queue used only to save and restore pending requests.

    >>> SpillingScheduler.__mro__[1].__name__
    'Scheduler'
    """

    def _dqpush(self, request: Request) -> bool:
        return False  # while the crawl runs, Scrapy's enqueue_request falls back to memory

    def close(self, reason: str) -> Deferred[None] | None:
        if self.dqs is not None:
            while (request := self.mqs.pop()) is not None:
                if not super()._dqpush(request):
                    break  # not serialisable: lost with the process, as in Scrapy's scheduler
        return super().close(reason)

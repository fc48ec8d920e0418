"""Scrapy settings for the nianbao crawler: polite defaults and every ``NIANBAO_*`` knob.

Override any of them on the command line: ``python -m crawler … -s DOWNLOAD_DELAY=0.2``.

Run wiring (set by :func:`crawler.run.crawl`, not by hand):

- ``NIANBAO_DATA``: the data directory (``DATA``).
- ``NIANBAO_SITES``: the validated rows of the sources CSV (list of dicts).
- ``NIANBAO_RUN_ID``: the run's id, a UTC timestamp such as ``20260130T080000Z``.
- ``NIANBAO_RESUMED``: True when the run continues a stopped one (reports it does not see are
  then not marked ``removed``).

Components (each has an ``_ENABLED`` flag; disabled components raise ``NotConfigured``):

- ``NIANBAO_WARC_ENABLED`` (True): archive every request/response pair as it came off the wire.
  ``NIANBAO_WARC_DIR`` (``DATA/warc``), ``NIANBAO_WARC_PREFIX`` (``nianbao``),
  ``NIANBAO_WARC_MAX_SIZE`` (bytes before rotating to a new file, 1 GB).
- ``NIANBAO_ENCODING_ENABLED`` (True): decode pages labelled gb2312/gbk as GB18030, and pages
  labelled UTF-8 (or unlabelled) whose bytes are not UTF-8 but are GB18030 as GB18030.
- ``NIANBAO_ERRORS_ENABLED`` (True): count pages per site and record failures (HTTP errors after
  retries, timeouts, robots.txt refusals, caps, blocking) in ``crawl_errors``.
- ``NIANBAO_BLOCKING_ENABLED`` (True): recognise anti-bot answers (412 with a ``$_ts`` script,
  403/503 walls); after ``NIANBAO_BLOCKING_THRESHOLD`` (3) such answers a site is skipped for
  the rest of the run. Blocking is recorded, never circumvented.
- ``NIANBAO_MAX_PAGES_PER_SITE`` (400): requests allowed per site per run (0 = no cap).
- ``NIANBAO_SITE_TIME_BUDGET`` (1800): seconds a site may take from its first request; then its
  remaining requests are dropped and the site is ``broken`` for the run (0 = no budget).
- ``NIANBAO_PROGRESS_INTERVAL`` (60): seconds between progress lines in the log (0 = none).
- ``NIANBAO_BACKOFF_ENABLED`` (True): after a 429/500/502/503/504 or a timeout, the site's delay
  doubles (at least its ``Retry-After``, at most ``NIANBAO_BACKOFF_MAX_DELAY``, 60 s) before the
  retry, and halves back towards ``DOWNLOAD_DELAY`` with each good answer.
- ``NIANBAO_INCREMENTAL_ENABLED`` (True): attachments already in the store are not downloaded
  again; after ``NIANBAO_REVALIDATE_DAYS`` (30) they are revalidated with a conditional request
  (``If-None-Match``/``If-Modified-Since``) and a 304 reuses the stored bytes.
- ``NIANBAO_COMMIT_INTERVAL`` (1.0): seconds of crawl-database writes grouped into one
  transaction (0 = a commit per write); a crash loses at most that much of rows, never bytes.
- ``NIANBAO_PARSE_WORKER`` (True): read report article pages in a helper process while the crawl
  goes on (``crawler.parsing``), up to ``NIANBAO_PARSE_WORKER_BYTES`` (1 MiB) of pages at once;
  the rest, and all of them if the helper dies, are read in the crawl's own process. Off where
  the process may use only one CPU.
- ``NIANBAO_GC_THRESHOLDS`` (``[10000, 10, 10]``): Python's garbage-collector thresholds while
  the spider runs (``crawler.gcthresholds``; empty = Python's defaults).
- ``NIANBAO_ARCHIVE_ENABLED`` (True): the item pipeline that writes originals to
  ``DATA/files`` and rows to ``documents`` and ``report_links``.

Discovery (used by the ``county`` spider):

- ``NIANBAO_NAV_KEYWORDS``: link texts/URLs worth following from a home page.
- ``NIANBAO_ATTACHMENT_EXTENSIONS``: file types taken as attachments.
- ``NIANBAO_MAX_NAV_HOPS`` (6): navigation links followed from the start URL before giving up
  (list paging does not count; ``DEPTH_LIMIT`` is the overall safety net).
- ``NIANBAO_HANWEB_PAGES_PER_REQUEST`` (3): list pages asked for per ``dataproxy.jsp`` POST, as
  the Hanweb jpage script does (``endrecord = startrecord + 3 × perpage − 1``).
- ``NIANBAO_RESUME_ENABLED`` (True): keep the scheduler queue in ``DATA/state/job`` (Scrapy
  ``JOBDIR``) so a stopped run resumes where it stopped; it is cleared when a run finishes.
  The queue is written when the crawl stops, not per request (``crawler.scheduler``).

Meta keys spiders set on requests: ``nianbao_site`` (the sources row), ``nianbao_kind``
(``nav``/``list``/``page``/``attachment``), ``nianbao_report`` (the report an attachment
belongs to), ``nianbao_column`` (the column a list belongs to).
"""

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = (
    "nianbao/0.1 (archive of government information disclosure annual reports; "
    "+https://github.com/nianbao-archive/nianbao)"
)
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs Python sent over HTTP inside the crawl and leaves a job file
# in the user's state directory for every run (a cron crawl's, killed or not): off, like telnet.
REMOTE_CONTROL_ENABLED = False

# Scrapy's collector pays a deprecation shim on every attribute read (crawler/stats.py)
STATS_CLASS = "crawler.stats.StatsCollector"

CONCURRENT_REQUESTS = 16
# Scrapy starts CONCURRENT_ITEMS tasks for every callback's output; the archive pipeline is
# synchronous, so more than one only costs CPU (the default 100 tasks a page were a fifth of a
# fast crawl). Pages are still scraped side by side: the limit is per callback.
CONCURRENT_ITEMS = 1
# Responses being parsed hold their lxml trees, ten times their bodies; Scrapy's 5 MB default
# let a fast crawl parse ~200 pages at once (peak memory up by half, and slower for it).
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 500_000
# Scrapy's check for generator callbacks that return a value re-reads and re-parses the
# callback's source for almost every response (its cache is keyed on bound methods, which die
# with their request): 3% of a fast crawl's CPU for a lint that ruff's B901 (pyproject.toml) runs once.
WARN_ON_GENERATOR_RETURN_VALUE = False
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
# The delay is a floor between two requests to one site, not an average.
DOWNLOAD_DELAY_JITTER = 0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 200 * 1024 * 1024
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# pending requests stay in memory and reach JOBDIR only when the crawl stops (crawler/scheduler.py)
SCHEDULER = "crawler.scheduler.SpillingScheduler"

DEPTH_LIMIT = 60
DEPTH_PRIORITY = 0
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    # Each middleware costs every request a call; these two do nothing here: the spiders decide
    # what belongs to a site (crawler.spiders.base.same_site) and no site needs HTTP auth.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "crawler.middlewares.caps.SitePageCapMiddleware": 60,
    "crawler.middlewares.incremental.IncrementalMiddleware": 120,
    "crawler.middlewares.errors.CrawlErrorsMiddleware": 540,
    # Above RetryMiddleware (550): sees every timeout before it is retried (answers it reads
    # on the response_downloaded signal, before any middleware).
    "crawler.middlewares.backoff.BackoffMiddleware": 555,
    "crawler.middlewares.blocking.BlockingMiddleware": 545,
    "crawler.middlewares.encoding.EncodingFixMiddleware": 560,
    # Scrapy's redirect middlewares, recording a redirect loop in crawl_errors before dropping it.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.errors.MetaRefreshLimitMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawler.middlewares.errors.RedirectLimitMiddleware": 600,
    # Above HttpCompression (590), Redirect (600) and HttpCache (900): sees the wire bytes.
    "crawler.middlewares.warc.WarcArchiveMiddleware": 950,
}
SPIDER_MIDDLEWARES = {
    # a development aid (warns when a spider copies Scrapy's internal meta keys); ours build
    # their meta from scratch
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
EXTENSIONS = {
    "crawler.progress.Progress": 500,
    "crawler.gcthresholds.GcThresholds": 0,
    "crawler.parsing.ParseWorker": 0,
}
ITEM_PIPELINES = {
    "crawler.pipelines.archive.ArchivePipeline": 300,
}

NIANBAO_DATA = "data"
NIANBAO_SITES: list[dict[str, str]] = []
NIANBAO_RUN_ID = ""
NIANBAO_RESUMED = False

NIANBAO_PARSE_WORKER = True
NIANBAO_PARSE_WORKER_BYTES = 1_048_576

NIANBAO_WARC_ENABLED = True
NIANBAO_WARC_DIR = ""
NIANBAO_WARC_PREFIX = "nianbao"
NIANBAO_WARC_MAX_SIZE = 1_000_000_000

NIANBAO_ENCODING_ENABLED = True
NIANBAO_ERRORS_ENABLED = True
NIANBAO_BLOCKING_ENABLED = True
NIANBAO_BLOCKING_THRESHOLD = 3
NIANBAO_MAX_PAGES_PER_SITE = 400
NIANBAO_SITE_TIME_BUDGET = 1800.0
NIANBAO_PROGRESS_INTERVAL = 60.0
NIANBAO_BACKOFF_ENABLED = True
NIANBAO_BACKOFF_MAX_DELAY = 60.0
NIANBAO_INCREMENTAL_ENABLED = True
NIANBAO_REVALIDATE_DAYS = 30
NIANBAO_ARCHIVE_ENABLED = True
NIANBAO_COMMIT_INTERVAL = 1.0
NIANBAO_RESUME_ENABLED = True
NIANBAO_GC_THRESHOLDS = [10000, 10, 10]

NIANBAO_NAV_KEYWORDS = [
    "政府信息公开",
    "信息公开",
    "政务公开",
    "年报",
    "年度报告",
    "更多",
    "zfxxgknb",
    "xxgknb",
    "zfxxgk",
    "xxgk",
    "zwgk",
    "ndbg",
]
NIANBAO_ATTACHMENT_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "wps",
    "ofd",
    "xls",
    "xlsx",
    "jpg",
    "jpeg",
    "png",
]
NIANBAO_HANWEB_PAGES_PER_REQUEST = 3
NIANBAO_MAX_NAV_HOPS = 6

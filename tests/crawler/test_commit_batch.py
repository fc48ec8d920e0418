"""The crawl's writes are committed in batches: per interval, and when the spider closes."""

import sqlite3
import time

from scrapy import Spider, signals
from scrapy.utils.test import get_crawler

from archive import crawldb
from crawler.context import database


def crawler_for(tmp_path, interval):
    return get_crawler(Spider, {"NIANBAO_DATA": str(tmp_path), "NIANBAO_COMMIT_INTERVAL": interval})


#: long enough that a loaded machine does not pass it between two writes a test means to batch
INTERVAL = 1.0


def write(crawler, url):
    crawldb.upsert_row(database(crawler), "warc_digests", {"url": url, "digest": "sha1:X"})


def committed(tmp_path):
    with sqlite3.connect(tmp_path / "archive.db") as other:
        return [r[0] for r in other.execute("select url from warc_digests order by url")]


def test_rows_wait_for_the_interval_then_commit_together(tmp_path):
    crawler = crawler_for(tmp_path, INTERVAL)
    write(crawler, "http://a.example/1")
    write(crawler, "http://a.example/2")
    assert committed(tmp_path) == []
    time.sleep(INTERVAL + 0.05)
    database(crawler)  # the next use after the interval commits the batch
    assert committed(tmp_path) == ["http://a.example/1", "http://a.example/2"]
    write(crawler, "http://a.example/3")
    assert committed(tmp_path) == ["http://a.example/1", "http://a.example/2"]


def test_closing_the_spider_commits_what_is_pending(tmp_path):
    crawler = crawler_for(tmp_path, 60)
    write(crawler, "http://a.example/1")
    assert committed(tmp_path) == []
    crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
    assert committed(tmp_path) == ["http://a.example/1"]
    write(crawler, "http://a.example/2")  # after closing, each write commits
    assert committed(tmp_path) == ["http://a.example/1", "http://a.example/2"]


def test_interval_zero_commits_each_write(tmp_path):
    crawler = crawler_for(tmp_path, 0)
    write(crawler, "http://a.example/1")
    assert committed(tmp_path) == ["http://a.example/1"]


def test_a_crash_loses_only_the_open_batch(tmp_path):
    crawler = crawler_for(tmp_path, INTERVAL)
    write(crawler, "http://a.example/1")
    time.sleep(INTERVAL + 0.05)
    write(crawler, "http://a.example/2")  # commits 1, then 2 joins the new batch
    database(crawler).conn.close()  # the process dies: the open batch is never committed
    assert committed(tmp_path) == ["http://a.example/1"]

"""Every NIANBAO_* setting is documented, and the defaults are polite."""

from __future__ import annotations

import re
from pathlib import Path

import crawler.settings as settings
from tests.helpers import REPO


def test_every_nianbao_setting_is_documented():
    names = {n for n in dir(settings) if n.startswith("NIANBAO_")}
    assert len(names) > 10
    documented = set(re.findall(r"NIANBAO_[A-Z_]+", settings.__doc__))
    assert names - documented == set()


def test_settings_read_by_components_exist():
    used = set()
    for path in (REPO / "crawler").rglob("*.py"):
        used |= set(re.findall(r"\"(NIANBAO_[A-Z_]+)\"", path.read_text(encoding="utf-8")))
    assert used - set(dir(settings)) == set()


def test_polite_defaults():
    assert settings.ROBOTSTXT_OBEY is True
    assert settings.COOKIES_ENABLED is False
    assert settings.CONCURRENT_REQUESTS_PER_DOMAIN == 1
    assert settings.DOWNLOAD_DELAY >= 1
    assert settings.AUTOTHROTTLE_ENABLED is True
    assert {429, 500, 502, 503, 504}.issubset(settings.RETRY_HTTP_CODES)
    assert "+http" in settings.USER_AGENT
    assert settings.NIANBAO_MAX_PAGES_PER_SITE > 0 and settings.DEPTH_LIMIT > 0


def test_scrapy_cfg_points_at_the_settings():
    text = Path(REPO / "scrapy.cfg").read_text()
    assert "default = crawler.settings" in text


def test_gc_thresholds_are_set_for_the_run_and_restored():
    import gc

    import pytest
    from scrapy import Spider
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from crawler.gcthresholds import GcThresholds

    before = gc.get_threshold()
    extension = GcThresholds.from_crawler(
        get_crawler(Spider, {"NIANBAO_GC_THRESHOLDS": settings.NIANBAO_GC_THRESHOLDS})
    )
    try:
        extension.spider_opened()
        assert gc.get_threshold() == (10000, 10, 10)
    finally:
        extension.spider_closed()
    assert gc.get_threshold() == before
    with pytest.raises(NotConfigured):
        GcThresholds.from_crawler(get_crawler(Spider, {"NIANBAO_GC_THRESHOLDS": []}))

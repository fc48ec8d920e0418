"""The nianbao crawler: a Scrapy project that finds and archives annual reports on county sites.

``python -m crawler --sources CSV --data DIR`` is a thin wrapper over :func:`crawler.run.crawl`.
"""

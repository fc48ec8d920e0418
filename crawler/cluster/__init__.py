"""Running the crawl as Scrapyd jobs: the project as deployed to a Scrapyd node.

- :mod:`crawler.cluster.settings`: the settings module of the deployed egg (the project's
  settings, plus this package's spider module).
- :mod:`crawler.cluster.spider`: the ``county_shard`` spider, the ``county`` spider wrapped in the
  run lifecycle ``python -m crawler`` provides (lock, run row, archive, summary), configured
  from spider arguments because a Scrapyd job gets nothing else.

The driver that splits the sources, deploys and schedules is :mod:`crawler.scrapyd`.
"""

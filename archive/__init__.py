"""The nianbao archive: the SQLite schema, the raw-file store and the Datasette configuration.

``archive.db`` holds the contract tables (see the archive contract), ``archive.metadata`` generates
Datasette's metadata from ``extract.template`` and ``python -m archive serve`` publishes the
archive read-only.
"""

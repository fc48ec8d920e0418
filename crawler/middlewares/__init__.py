"""Downloader middlewares, one settings-driven concern each (see crawler/settings.py)."""

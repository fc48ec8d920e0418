"""Item pipelines (see crawler/settings.py)."""

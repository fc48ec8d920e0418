"""Datasette plugins loaded with ``--plugins-dir archive/plugins``: one small hook module each."""

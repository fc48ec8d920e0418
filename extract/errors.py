"""Exceptions raised by extraction; each carries a one-line reason for the CLI and the archive."""

from __future__ import annotations


class ExtractError(Exception):
    """Base class: the document could not be parsed; ``str(err)`` is a one-line reason."""


class UnsupportedDocument(ExtractError):
    """The format is recognised but not handled yet (scanned PDF, DOCX, images)."""


class UnreadableDocument(ExtractError):
    """The bytes could not be read as the format they claim (corrupt PDF, undecodable text)."""

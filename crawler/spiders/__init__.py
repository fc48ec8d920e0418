"""Spiders: one discovery spider (``county``) using one list-paging module per CMS family."""

"""Reliability and security checks: crashes, hostile input, the public instance.

``python -m reliability`` (``make reliability``) runs everything and prints the table; see
:func:`reliability.report.run_all`. The crash points live in :mod:`archive.faults`.
"""

"""Reading and validating the sources CSV (see the archive contract).

UTF-8 (a BOM is tolerated), a header row, required columns ``adcode``, ``name``, ``url``; optional
``province``, ``prefecture``, ``notes``; unknown columns are kept. The first problem found is raised
as :class:`SourcesError` whose message names the file and line, e.g.
``sources.csv:4: adcode '33010' is not a 6-digit GB/T 2260 code``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from urllib.parse import urlsplit

REQUIRED = ("adcode", "name", "url")
OPTIONAL = ("province", "prefecture", "notes")
ADCODE = re.compile(r"[1-9]\d{5}")


class SourcesError(ValueError):
    """A sources file that cannot be used; ``str()`` is the one-line reason with file:line."""


def _check_row(row: dict[str, str]) -> str | None:
    """The reason this row is invalid, or None."""
    for column in REQUIRED:
        if not (row.get(column) or "").strip():
            return f"{column} is empty"
    adcode = row["adcode"].strip()
    if not ADCODE.fullmatch(adcode):
        return f"adcode {adcode!r} is not a 6-digit GB/T 2260 code"
    url = urlsplit(row["url"].strip())
    if url.scheme not in ("http", "https") or not url.netloc:
        return f"url {row['url'].strip()!r} is not an http(s) URL"
    return None


def read_sources(path: Path | str) -> list[dict[str, str]]:
    """Read and validate a sources CSV; return its rows (stripped strings, unknown columns kept).

    >>> read_sources("sources.csv")[0]["adcode"]  # doctest: +SKIP
    '990101'

    :param path: the CSV file.
    :raises SourcesError: on the first bad line, with ``<file>:<line>: <reason>``.
    """
    path = Path(path)
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise SourcesError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise SourcesError(f"{name}:{line}: not UTF-8") from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise SourcesError(f"{name}:1: empty file (expected a header row)")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SourcesError(f"{name}:1: header lacks required column(s) {', '.join(missing)}")
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            raise SourcesError(f"{name}:{line}: more fields than the header has")
        row = {k: (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        reason = _check_row(row)
        if reason is None and row["adcode"] in seen:
            reason = f"adcode {row['adcode']} already listed on line {seen[row['adcode']]}"
        if reason:
            raise SourcesError(f"{name}:{line}: {reason}")
        seen[row["adcode"]] = line
        rows.append(row)
    if not rows:
        raise SourcesError(f"{name}: no sites listed")
    return rows

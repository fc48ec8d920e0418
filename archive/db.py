"""The SQLite schema of the extracted archive, and the functions that write it.

The contract tables (``reports``, ``sections``, ``proactive_stats``, ``request_stats``,
``appeal_stats``, ``checks``) hold one parsed report each; ``extractions`` and ``extract_errors``
record what the batch has done; ``codes`` and one ``codes_<dimension>`` table per dimension of
:data:`extract.template.DIMENSIONS` give every code its Chinese and English label, so that
Datasette shows labels next to codes through foreign keys.

The crawl tables (``report_links``, ``documents`` …) live in the same file but belong to the
crawler (``archive/crawldb.py``); nothing here writes them.

Example::

    >>> db = open_archive(":memory:")
    >>> save_report(db, {"id": "r1", "year": 2023}, {"request_stats": [["new_requests", "total", 5]]})
    'r1'
    >>> db.execute("select value from request_stats").fetchall()
    [(5,)]
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archive.disk import is_write_failure
from archive.faults import maybe_crash
from extract.template import AMOUNT_MEASURES, DIMENSIONS

#: the stats tables and the two dimension columns each is keyed by
STATS_TABLES: dict[str, tuple[str, str]] = {
    "proactive_stats": ("item", "measure"),
    "request_stats": ("row", "applicant"),
    "appeal_stats": ("proceeding", "result"),
}

#: tables holding the rows of one report, all keyed by ``report_id``
REPORT_TABLES: tuple[str, ...] = ("sections", *STATS_TABLES, "checks", "prose_figures")

#: where each coded column points: (table, column) -> dimension of extract.template.DIMENSIONS
CODED_COLUMNS: dict[tuple[str, str], str] = {
    ("sections", "section"): "section",
    **{(t, c): c for t, cols in STATS_TABLES.items() for c in cols},
    ("checks", "check"): "check",
    ("prose_figures", "figure"): "prose_figure",
}

#: printed cell texts that mean "nothing printed here" (blank cells count as zero)
BLANK_TEXTS = frozenset({"", "-", "—", "－", "–", "/", "／", "无", "——"})

REPORT_COLUMNS: dict[str, type] = {
    "id": str,
    "adcode": str,
    "region": str,
    "publisher": str,
    "year": int,
    "title": str,
    "url": str,
    "document_url": str,
    "published": str,
    "format": str,
    "form_version": str,
    "sha256": str,
    "extractor_version": str,
    "extracted_at": str,
}


def codes_table(dimension: str) -> str:
    """The lookup table of one dimension.

    >>> codes_table("row")
    'codes_row'
    """
    return f"codes_{dimension}"


def _schema() -> dict[str, dict[str, Any]]:
    """Every table this module owns, as keyword arguments for ``Table.create``."""
    fks: dict[str, list[tuple[str, str, str]]] = {}
    for (t, c), d in CODED_COLUMNS.items():
        fks.setdefault(t, []).append((c, codes_table(d), "code"))
    report_fk = ("report_id", "reports", "id")
    schema: dict[str, dict[str, Any]] = {
        "reports": {"columns": REPORT_COLUMNS, "pk": "id"},
        "sections": {
            "columns": {"report_id": str, "section": str, "heading": str, "text": str},
            "pk": ("report_id", "section"),
            "foreign_keys": [report_fk, *fks["sections"]],
        },
        "checks": {
            "columns": {
                "report_id": str,
                "check": str,
                "scope": str,
                "passed": int,
                "detail": str,
            },
            "pk": ("report_id", "check", "scope"),
            "foreign_keys": [report_fk, *fks["checks"]],
        },
        # free-form reports: headline figures stated in prose, with the sentence quoted
        "prose_figures": {
            "columns": {"report_id": str, "figure": str, "value": "ANY", "sentence": str},
            "pk": ("report_id", "figure"),
            "foreign_keys": [report_fk, *fks["prose_figures"]],
        },
        "extractions": {
            "columns": {
                "sha256": str,
                "extractor_version": str,
                "status": str,
                "error": str,
                "at": str,
            },
            "pk": ("sha256", "extractor_version"),
        },
        "extract_errors": {
            "columns": {
                "sha256": str,
                "url": str,
                "extractor_version": str,
                "reason": str,
                "at": str,
            },
            "pk": ("sha256", "url"),
        },
        "codes": {
            "columns": {
                "dimension": str,
                "code": str,
                "position": int,
                "zh": str,
                "en": str,
                "unit": str,
            },
            "pk": ("dimension", "code"),
        },
    }
    for table, (a, b) in STATS_TABLES.items():
        schema[table] = {
            # ANY in a STRICT table keeps integers integer and 万元 amounts real
            "columns": {
                "report_id": str,
                a: str,
                b: str,
                "value": "ANY",
                "blank": int,
                "printed": str,
                "page": int,
                # provenance: the row label as printed, its match score, the PDF cell box
                "label": str,
                "score": float,
                "bbox": str,
            },
            "pk": ("report_id", a, b),
            "foreign_keys": [report_fk, *fks[table]],
        }
    for dimension in DIMENSIONS:
        schema[codes_table(dimension)] = {
            "columns": {"code": str, "position": int, "zh": str, "en": str, "unit": str},
            "pk": "code",
        }
    return schema


#: indexes beyond the primary keys (which already lead with report_id)
INDEXES: dict[str, list[tuple[str, ...]]] = {
    "reports": [
        ("adcode", "year"),
        ("publisher", "year"),
        ("year",),
        ("form_version",),
        ("sha256",),
    ],
    "proactive_stats": [("item", "measure")],
    "request_stats": [("row", "applicant")],
    "appeal_stats": [("proceeding", "result")],
    "checks": [("check", "passed"), ("passed",)],
    "prose_figures": [("figure",)],
    "extract_errors": [("extractor_version",)],
}

#: partial indexes (sqlite-utils cannot create them): name -> (table, columns, where)
PARTIAL_INDEXES: dict[str, tuple[str, tuple[str, ...], str]] = {
    # failed checks are few: the failing_checks query and the failed_checks counts read only them
    "idx_checks_failed": ("checks", ("report_id",), "passed = 0"),
    # the failing_checks query: failed checks in (check, report, scope) order without a sort,
    # so its page stops after its limit however many checks fail
    "idx_checks_failed_check": ("checks", ("check", "report_id", "scope"), "passed = 0"),
}


def ensure_schema(db: Database) -> None:
    """Create every table, index and code row that is missing; safe to call on every open.

    :param db: the archive database
    """
    with db.atomic():
        # referenced tables first: sqlite-utils checks a foreign key's target exists
        schema = sorted(_schema().items(), key=lambda item: bool(item[1].get("foreign_keys")))
        for name, spec in schema:
            table = db[name]
            if not table.exists():
                table.create(**spec, strict=True)
            else:
                missing = {c: t for c, t in spec["columns"].items() if c not in table.columns_dict}
                for column, col_type in missing.items():
                    table.add_column(column, col_type)
        for name, indexes in INDEXES.items():
            existing = {tuple(i.columns) for i in db[name].indexes}
            for columns in indexes:
                if columns not in existing:
                    db[name].create_index(columns, if_not_exists=True)
        for index, (name, columns, where) in PARTIAL_INDEXES.items():
            cols = ", ".join(f"[{c}]" for c in columns)
            db.execute(f"create index if not exists [{index}] on [{name}] ({cols}) where {where}")
        _load_codes(db)


def _load_codes(db: Database) -> None:
    """(Re)write the code tables from extract.template, so labels follow the template."""
    rows = [
        {
            "dimension": dimension,
            "code": c.code,
            "position": i,
            "zh": c.zh,
            "en": c.en,
            "unit": c.unit,
        }
        for dimension, codes in DIMENSIONS.items()
        for i, c in enumerate(codes)
    ]
    stored = [dict(r) for r in db.query("select * from codes order by dimension, position")]
    if stored == sorted(rows, key=lambda r: (r["dimension"], r["position"])):
        return
    db["codes"].delete_where()
    db["codes"].insert_all(rows)
    for dimension in DIMENSIONS:
        table = db[codes_table(dimension)]
        table.delete_where()
        table.insert_all(
            {k: v for k, v in r.items() if k != "dimension"}
            for r in rows
            if r["dimension"] == dimension
        )


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of the archive at ``source`` into ``target`` (SQLite backup API), even
    while a crawl or extraction writes to it; the copy uses a rollback journal, so that an
    ``immutable`` open (public serving) or a download reads it whole.

    :param source: the archive to copy, opened read-only
    :param target: the new file (replaced if it exists)
    """
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        src.close()
        dst.close()


def open_archive(path: str | Path) -> Database:
    """Open (creating if needed) the archive at ``path`` in WAL mode with the schema ensured.

    :param path: the SQLite file, usually ``DATA/archive.db``; ``":memory:"`` for tests

    Example::

        db = open_archive("data/archive.db")
        db["reports"].count
    """
    if str(path) == ":memory:":
        db = Database(memory=True)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        db = Database(path)
        db.enable_wal()
    # the crawler may be writing while extraction runs; wait rather than fail
    db.execute("PRAGMA busy_timeout = 30000")
    ensure_schema(db)
    return db


def close_archive(db: Database) -> None:
    """Fold the write-ahead log into ``archive.db`` and close it.

    The fold is what lets a copy of ``archive.db``, or a Datasette download, hold every row. On a
    full disk (or after another write failure) it cannot run; the rows stay in the WAL, where
    SQLite reads them, and the next close folds them.

    Example::

        db = open_archive("data/archive.db")
        try:
            ...
        finally:
            close_archive(db)
    """
    try:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error as exc:
        if not is_write_failure(exc):
            raise
    finally:
        db.close()


def now() -> str:
    """The current UTC time as ISO 8601 with seconds, as stored in ``*_at`` columns."""
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


def _integer(value: Any) -> Any:
    """An integer where the value is a whole number; other numbers kept as they are."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else number


def stat_value(value: Any, measure: str = "", printed: str | None = None) -> tuple[Any, int]:
    """The stored ``(value, blank)`` of one table cell.

    Amounts in 万元 are real, other counts integers. A cell printed blank (or a dash) counts as
    zero, as the template says, and is flagged ``blank = 1``; a cell whose printed text could not
    be read as a number stays NULL.

    :param value: the number the extractor read, or ``None``
    :param measure: the measure code, deciding integer or real
    :param printed: the cell text as printed, where known

    >>> stat_value(3.0)
    (3, 0)
    >>> stat_value("12", "amount_10k_yuan")
    (12.0, 0)
    >>> stat_value(None, printed="—")
    (0, 1)
    >>> stat_value(0, printed="")
    (0, 1)
    >>> stat_value(None, printed="见附件")
    (None, 0)
    """
    zero = 0.0 if measure in AMOUNT_MEASURES else 0
    printed_blank = printed is not None and printed.strip() in BLANK_TEXTS
    if printed_blank and (value is None or value == "" or value == 0):
        return zero, 1
    if value is None or value == "":
        return (zero, 1) if printed is None else (None, 0)
    if measure in AMOUNT_MEASURES:
        try:
            return float(str(value).replace(",", "").strip()), 0
        except ValueError:
            return None, 0
    return _integer(value), 0


_CELL_TABLES = {
    "proactive_stats": ("proactive_stats", "proactive", "二"),
    "request_stats": ("request_stats", "requests", "三"),
    "appeal_stats": ("appeal_stats", "appeals", "四"),
}


def _bbox_json(bbox: Any) -> str | None:
    """A cell box ``[x0, top, x1, bottom]`` in PDF points as JSON text, None when absent."""
    if not isinstance(bbox, list | tuple) or len(bbox) != 4:
        return None
    return json.dumps([round(float(v), 1) for v in bbox])


def _printed_cells(
    cells: Iterable[Any] | None,
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Provenance (printed text, page, label, score, bbox) of each cell from the extractor,
    keyed (table, code, code); the page is 1-based where the extractor knows it."""
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for cell in cells or ():
        if not isinstance(cell, Mapping):
            continue
        codes = cell.get("codes")
        printed = next(
            (cell[k] for k in ("printed", "text", "printed_text") if cell.get(k) is not None), None
        )
        if not codes or len(codes) != 2 or printed is None:
            continue
        for table, names in _CELL_TABLES.items():
            if cell.get("table") in names:
                page = cell.get("page")
                page = page if isinstance(page, int) and not isinstance(page, bool) else None
                score = cell.get("score")
                found[(table, str(codes[0]), str(codes[1]))] = {
                    "printed": str(printed),
                    "page": page,
                    "label": None if cell.get("label") is None else str(cell["label"]),
                    "score": float(score) if isinstance(score, int | float) else None,
                    "bbox": _bbox_json(cell.get("bbox")),
                }
    return found


def _stat_rows(report_id: str, table: str, triples: Iterable[Any], printed: dict) -> list[dict]:
    a, b = STATS_TABLES[table]
    rows: dict[tuple[str, str], dict] = {}
    for triple in triples or ():
        first, second, value = triple[0], triple[1], triple[2]
        source = printed.get((table, first, second), {})
        text = source.get("printed")
        stored, blank = stat_value(value, second if table == "proactive_stats" else "", text)
        # the pk is (report_id, a, b): a code printed twice keeps its first reading
        rows.setdefault(
            (first, second),
            {
                "report_id": report_id,
                a: first,
                b: second,
                "value": stored,
                "blank": blank,
                "printed": text,
                "page": source.get("page"),
                "label": source.get("label"),
                "score": source.get("score"),
                "bbox": source.get("bbox"),
            },
        )
    return list(rows.values())


def report_rows(report: Mapping[str, Any], parsed: Mapping[str, Any]) -> dict[str, list[dict]]:
    """The rows of every contract table for one report, without touching a database.

    :param report: what the crawler knows (a ``report_links`` row: id, adcode, region, publisher,
        year, title, url, document_url, published, document_sha256)
    :param parsed: the dict of :func:`extract.parse_document`
    """
    report_id = str(report["id"])

    def pick(key: str) -> Any:
        # the extractor already merged the crawler's hints, so its answer wins when present
        for source in (parsed, report):
            if source.get(key) not in (None, ""):
                return source[key]
        return None

    year = pick("year")
    row = {
        "id": report_id,
        "adcode": report.get("adcode"),
        "region": report.get("region"),
        "publisher": pick("publisher"),
        "year": _integer(year) if year is not None else None,
        "title": pick("title"),
        "url": report.get("url"),
        "document_url": report.get("document_url"),
        "published": report.get("published"),
        "format": parsed.get("format"),
        "form_version": parsed.get("form_version"),
        "sha256": report.get("document_sha256") or report.get("sha256"),
        "extractor_version": parsed.get("extractor_version") or report.get("extractor_version"),
        "extracted_at": report.get("extracted_at") or now(),
    }
    headings = parsed.get("sections") or {}
    texts = parsed.get("section_texts") or {}
    sections = [
        {
            "report_id": report_id,
            "section": code,
            "heading": headings.get(code),
            "text": texts.get(code),
        }
        for code in dict.fromkeys([*headings, *texts])
    ]
    printed = _printed_cells(parsed.get("cells"))
    rows: dict[str, list[dict]] = {"reports": [row], "sections": sections}
    for table in STATS_TABLES:
        rows[table] = _stat_rows(report_id, table, parsed.get(table) or (), printed)
    checks: dict[tuple[str, str], dict] = {}
    for check in parsed.get("checks") or ():
        code, scope, passed = check[0], "" if check[1] is None else str(check[1]), check[2]
        detail = check[3] if len(check) > 3 else None
        if passed is None:  # a check the extractor could not compute is not a failure
            continue
        checks.setdefault(
            (code, scope),
            {
                "report_id": report_id,
                "check": code,
                "scope": scope,
                "passed": int(bool(passed)),
                "detail": None if detail is None else str(detail),
            },
        )
    rows["checks"] = list(checks.values())
    figures: dict[str, dict] = {}
    for figure, value, sentence in parsed.get("prose_figures") or ():
        figures.setdefault(
            figure,
            {
                "report_id": report_id,
                "figure": figure,
                "value": _integer(value),
                "sentence": sentence,
            },
        )
    rows["prose_figures"] = list(figures.values())
    return rows


def save_report(
    db: Database,
    report: Mapping[str, Any],
    parsed: Mapping[str, Any],
    *,
    extractor_version: str | None = None,
) -> str:
    """Replace everything stored for one report, in one transaction; returns the report id.

    Saving the same report twice leaves the same rows: the old rows of the report are deleted
    and the new ones inserted inside one transaction, so readers never see half a report.

    :param db: the archive (from :func:`open_archive`)
    :param report: the crawler's ``report_links`` row (``id`` is the report id)
    :param parsed: the dict of :func:`extract.parse_document`
    :param extractor_version: stored in ``reports.extractor_version``

    Example::

        save_report(db, link, extract.parse_document(path, hints=link))
    """
    if extractor_version is not None:
        report = {**report, "extractor_version": extractor_version}
    rows = report_rows(report, parsed)
    report_id = rows["reports"][0]["id"]
    with db.atomic():
        for table in REPORT_TABLES:
            db[table].delete_where("report_id = ?", [report_id])
        db["reports"].insert(rows["reports"][0], replace=True)
        for table in REPORT_TABLES:
            if rows[table]:
                db[table].insert_all(rows[table])
        maybe_crash("extract.save_txn")
    return report_id


def record_extraction(
    db: Database, sha256: str, extractor_version: str, status: str, error: str | None = None
) -> None:
    """Note that ``sha256`` was parsed by ``extractor_version`` (``status`` ``ok``/``failed``).

    A document recorded here is not parsed again by the same extractor version.

    :param db: the archive
    :param sha256: the document's sha256 in the file store
    :param extractor_version: ``extract.EXTRACTOR_VERSION``
    :param status: ``ok`` or ``failed``
    :param error: the one-line reason of a failure
    """
    with db.atomic():
        db["extractions"].upsert(
            {
                "sha256": sha256,
                "extractor_version": extractor_version,
                "status": status,
                "error": error,
                "at": now(),
            },
            pk=("sha256", "extractor_version"),
        )
        if status == "ok":
            db["extract_errors"].delete_where("sha256 = ?", [sha256])


def record_error(
    db: Database,
    sha256: str | None,
    url: str | None,
    reason: str,
    *,
    extractor_version: str | None = None,
) -> None:
    """Record why a document could not be extracted (one row per document and url, latest wins).

    :param db: the archive
    :param sha256: the document's sha256, or ``None`` when the crawler stored no file
    :param url: the document url
    :param reason: a one-line reason, e.g. ``PDFSyntaxError: No /Root object``
    :param extractor_version: the extractor version that failed

    Example::

        record_error(db, sha, link["document_url"], "file missing from store")
    """
    with db.atomic():
        db["extract_errors"].upsert(
            {
                "sha256": sha256 or "",
                "url": url or "",
                "extractor_version": extractor_version,
                "reason": reason.splitlines()[0][:500] if reason else "unknown error",
                "at": now(),
            },
            pk=("sha256", "url"),
        )


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection to an existing archive (for checks and plugins)."""
    return sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)

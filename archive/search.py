"""Chinese full-text search: a bigram FTS5 index whose results equal a ``LIKE`` scan.

SQLite's tokenizers do not split Chinese into words, and the trigram tokenizer cannot find
two-character words such as 复议 or 诉讼. So the index stores each run of CJK characters as its
overlapping character pairs (行政复议 -> 行政 政复 复议) plus the run's last character alone, and
the ``unicode61`` tokenizer indexes those tokens; other text (ASCII words, numbers) is indexed as
words. A private-use character separates runs, so a phrase never matches across punctuation.

Queries are split the same way (:func:`fts_query`), term by term (whitespace separates terms, all
terms must match: AND):

- a CJK run of two or more characters becomes the phrase of its pairs (信息处理费 ->
  ``"信息 息处 处理 理费"``), which matches exactly the texts holding that substring;
- a single CJK character becomes a prefix query (``"局"*``): every occurrence of a character is
  either the first character of a pair or the last character of its run, so this finds exactly
  the texts holding that character;
- any other word becomes a prefix query (``"2021"*``), matching words that start with it;
- a term mixing scripts (教育局2021) requires each of its pieces (AND), a superset of the
  substring.

The index tables use FTS5's external-content form (``content="sections"``) so that Datasette
detects them and returns the original rows, while the index itself holds the bigram tokens.

Example::

    >>> bigram_text("行政复议，诉讼")
    '行政 政复 复议 议 \\ue000 诉讼 讼'
    >>> fts_query("信息处理费 2021")
    '"信息 息处 处理 理费" AND "2021"*'
"""

from __future__ import annotations

import re
from operator import add

from sqlite_utils import Database

#: separates runs in the index, so phrases never span two runs; never produced by a query
BOUNDARY = "\ue000"
#: a token no text holds: the query of a search with nothing searchable in it
NOTHING = '"\ue001"'

CJK = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
#: a CJK run (group 1), or a word of other letters and digits
PIECE = re.compile(f"({CJK.pattern})|[^\\W_{CJK.pattern[1:-2]}]+")
_SEPARATOR = f" {BOUNDARY} "

#: the searchable tables: table -> columns indexed (the FTS table is ``<table>_fts``)
SEARCH_TABLES: dict[str, tuple[str, ...]] = {
    "sections": ("heading", "text"),
    "reports": ("title", "publisher"),
}


def fts_table(table: str) -> str:
    """The name of ``table``'s bigram index.

    >>> fts_table("sections")
    'sections_fts'
    """
    return f"{table}_fts"


def _pieces(text: str) -> list[tuple[bool, str]]:
    """``(is_cjk, piece)`` for each CJK run and each other word of ``text``, in order."""
    return [(m.group(1) is not None, m.group()) for m in PIECE.finditer(text)]


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def _run_text(match: re.Match) -> str:
    run = match.group()
    if match.group(1) is None or len(run) == 1:
        return run
    # the pairs by C-level string concatenation: this function indexes every section
    return " ".join(map(add, run, run[1:])) + " " + run[-1]


def bigram_text(text: str | None) -> str | None:
    """The index form of ``text``: CJK runs as pairs plus their last character, words as words.

    >>> bigram_text("教育局2021年")
    '教育 育局 局 \\ue000 2021 \\ue000 年'
    """
    if text is None:
        return None
    return _SEPARATOR.join(map(_run_text, PIECE.finditer(text)))


def _piece_query(cjk: bool, piece: str) -> str:
    if cjk and len(piece) > 1:
        return '"' + " ".join(_bigrams(piece)[:-1]) + '"'
    return f'"{piece}"*'


def fts_query(search: str | None) -> str:
    """The FTS5 ``MATCH`` expression for a user's search, split like :func:`bigram_text`.

    >>> fts_query("复议")
    '"复议"'
    >>> fts_query("局")
    '"局"*'
    >>> fts_query("教育局 2021")
    '"教育 育局" AND "2021"*'
    >>> fts_query("  ，")
    '"\\ue001"'
    """
    parts = [
        _piece_query(cjk, piece)
        for term in (search or "").replace(BOUNDARY, " ").split()
        for cjk, piece in _pieces(term)
    ]
    return " AND ".join(dict.fromkeys(parts)) or NOTHING


def build_search_index(db: Database) -> None:
    """(Re)build the bigram index of every table of :data:`SEARCH_TABLES`; idempotent.

    Rebuilt from scratch each time: cheap, and the only way to follow rows that
    ``save_report`` replaced under new rowids.

    :param db: the archive
    """
    db.register_function(bigram_text, deterministic=True, replace=True)
    with db.atomic():
        for table, columns in SEARCH_TABLES.items():
            name = fts_table(table)
            db.execute(f"drop table if exists [{name}]")
            if not db[table].exists():
                continue
            cols = ", ".join(f"[{c}]" for c in columns)
            db.execute(
                f"create virtual table [{name}] using fts5({cols}, content=[{table}], "
                "tokenize='unicode61')"
            )
            db.execute(
                f"insert into [{name}] (rowid, {cols}) select rowid, "
                + ", ".join(f"bigram_text([{c}])" for c in columns)
                + f" from [{table}]"
            )


def like_rows(db: Database, table: str, search: str) -> list[int]:
    """Rowids of ``table`` holding every whitespace-separated term in one of its indexed
    columns, by a plain ``LIKE`` scan: the reference the index is tested against.

    >>> like_rows(Database(memory=True), "sections", "复议")  # doctest: +SKIP
    [3, 7]
    """
    columns = SEARCH_TABLES[table]
    terms = search.split()
    where = " and ".join("(" + " or ".join(f"[{c}] like ?" for c in columns) + ")" for _ in terms)
    params = [f"%{t}%" for t in terms for _ in columns]
    sql = f"select rowid from [{table}] where {where or '0'} order by rowid"
    return [r[0] for r in db.execute(sql, params).fetchall()]

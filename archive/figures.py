"""The tables people query: one wide row per report, and a county × year panel.

The long tables (``request_stats`` …) hold every cell; most questions need a handful of key
figures per report. :data:`FIGURES` defines each wide column as data — which stats table, which
codes of extract.template are summed, for which applicant or result — and :data:`RATES` the
shares computed from them; the SQL that fills ``report_figures`` and ``county_years`` is
generated from these definitions, so no column is typed twice.

Both tables are rebuilt from the long tables by :func:`build_figures` (idempotent: delete and
re-insert in one transaction).

Example::

    >>> [f.name for f in FIGURES][:3]
    ['new_requests', 'carried_in', 'granted']
    >>> figure("refused").codes[0]
    'denied_state_secret'
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from extract.template import APPEAL_PROCEEDINGS, DIMENSIONS, REQUEST_ROWS


@dataclass(frozen=True)
class Figure:
    """One wide column: the sum of ``codes`` of ``dimension`` in ``table``.

    :param name: the column name
    :param en: what it counts, in English
    :param table: the stats table read
    :param dimension: the column the codes are in (``row``, ``proceeding``, ``result``)
    :param codes: codes summed (from extract.template)
    :param fixed: the other dimension's column and the code it is fixed to
    """

    name: str
    en: str
    table: str
    dimension: str
    codes: tuple[str, ...]
    fixed: tuple[str, str]

    def sql(self, alias: str = "s") -> str:
        """The aggregate expression over one report's rows of :attr:`table`."""
        codes = ", ".join(f"'{c}'" for c in self.codes)
        return (
            f"sum(case when {alias}.[{self.dimension}] in ({codes}) and "
            f"{alias}.[{self.fixed[0]}] = '{self.fixed[1]}' then {alias}.value end)"
        )


@dataclass(frozen=True)
class Rate:
    """A share ``numerator / denominator`` of two figures, in percent (one decimal)."""

    name: str
    en: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]

    def sql(self) -> str:
        """The expression over a row holding the figures as columns."""
        above, below = (
            " + ".join(f"coalesce([{d}], 0)" for d in side)
            for side in (self.numerator, self.denominator)
        )
        return f"round(100.0 * ({above}) / nullif({below}, 0), 1)"


def _known(dimension: str, *codes: str) -> tuple[str, ...]:
    """``codes`` after checking extract.template defines each, so a renamed code fails loudly."""
    known = {c.code for c in DIMENSIONS[dimension]}
    missing = [c for c in codes if c not in known]
    if missing:
        raise KeyError(f"template dimension {dimension} has no codes {missing}")
    return codes


def _siblings(code: str) -> tuple[str, ...]:
    """Rows printed under the same heading as ``code`` (e.g. every 不予公开 reason)."""
    parents = next(r.parents for r in REQUEST_ROWS if r.code == _known("row", code)[0])
    return tuple(r.code for r in REQUEST_ROWS if r.parents == parents)


def _requests(name: str, en: str, codes: tuple[str, ...]) -> Figure:
    return Figure(name, en, "request_stats", "row", _known("row", *codes), ("applicant", "total"))


def _appeals(name: str, en: str, proceedings: tuple[str, ...], result: str) -> Figure:
    return Figure(
        name,
        en,
        "appeal_stats",
        "proceeding",
        _known("proceeding", *proceedings),
        ("result", _known("result", result)[0]),
    )


_SUITS = tuple(p.code for p in APPEAL_PROCEEDINGS if p.parents)
_ALL_PROCEEDINGS = tuple(p.code for p in APPEAL_PROCEEDINGS)

#: the wide columns of ``report_figures``: table 三 for all applicants, table 四 totals
FIGURES: tuple[Figure, ...] = (
    _requests("new_requests", "New requests this year", ("new_requests",)),
    _requests("carried_in", "Carried over from last year", ("carried_in",)),
    _requests("granted", "Granted", ("granted",)),
    _requests("partly_granted", "Partly granted", ("partly_granted",)),
    _requests(
        "refused", "Refused in total (不予公开, every reason)", _siblings("denied_state_secret")
    ),
    _requests("unable", "Unable to provide (无法提供, every reason)", _siblings("unable_not_held")),
    _requests(
        "not_processed", "Not processed (不予处理, every reason)", _siblings("rejected_petition")
    ),
    _requests(
        "other_handling",
        "Other handling (其他处理: the 2019 row, or the 2021 reasons)",
        ("other_handling", *_siblings("other_other")),
    ),
    _requests("handled_total", "Handled in total", ("handled_total",)),
    _requests("carried_out", "Carried over to next year", ("carried_out",)),
    _appeals("reviews", "Administrative reviews (total)", ("review",), "total"),
    _appeals("suits", "Lawsuits, direct and after review (total)", _SUITS, "total"),
    _appeals(
        "corrected", "Reviews and suits whose result was corrected", _ALL_PROCEEDINGS, "corrected"
    ),
)

#: shares in percent, computed per report and again from the county × year sums
RATES: tuple[Rate, ...] = (
    Rate("granted_share", "Granted, % of handled", ("granted",), ("handled_total",)),
    Rate(
        "granted_or_partly_share",
        "Granted or partly granted, % of handled",
        ("granted", "partly_granted"),
        ("handled_total",),
    ),
    Rate("refused_share", "Refused, % of handled", ("refused",), ("handled_total",)),
    Rate("unable_share", "Unable to provide, % of handled", ("unable",), ("handled_total",)),
    Rate(
        "corrected_share",
        "Corrected, % of reviews and suits",
        ("corrected",),
        ("reviews", "suits"),
    ),
)

#: columns of ``report_figures`` copied from ``reports``
REPORT_KEYS = ("adcode", "region", "publisher", "year", "form_version", "format")


def figure(name: str) -> Figure:
    """The figure called ``name``."""
    return next(f for f in FIGURES if f.name == name)


def _report_figures_sql() -> str:
    rates = ",\n  ".join(f"{r.sql()} as [{r.name}]" for r in RATES)
    # one grouped pass per stats table, joined to reports
    request = ",\n  ".join(
        f"{f.sql()} as [{f.name}]" for f in FIGURES if f.table == "request_stats"
    )
    appeal = ",\n  ".join(f"{f.sql()} as [{f.name}]" for f in FIGURES if f.table == "appeal_stats")
    keys = ", ".join(f"r.[{k}]" for k in REPORT_KEYS)
    names = ", ".join(f"[{f.name}]" for f in FIGURES)
    return f"""
insert into report_figures
select id as report_id, {", ".join(f"[{k}]" for k in REPORT_KEYS)}, {names},
  {rates},
  failed_checks
from (
  select r.id, {keys}, q.*, a.*, coalesce(f.failed_checks, 0) as failed_checks
  from reports r
  left join (select s.report_id as q_id,
    {request}
    from request_stats s group by s.report_id) q on q.q_id = r.id
  left join (select s.report_id as a_id,
    {appeal}
    from appeal_stats s group by s.report_id) a on a.a_id = r.id
  -- one grouped pass, not a count per report: without ANALYZE statistics SQLite answers the
  -- correlated count through the index on passed, reading every failed check for each report
  left join (select c.report_id as f_id, count(*) as failed_checks
    from checks c where c.passed = 0 group by c.report_id) f on f.f_id = r.id
)
"""


def _county_years_sql() -> str:
    sums = ",\n  ".join(f"sum([{f.name}]) as [{f.name}]" for f in FIGURES)
    rates = ",\n  ".join(f"{r.sql()} as [{r.name}]" for r in RATES)
    names = ", ".join(f"[{f.name}]" for f in FIGURES)
    return f"""
insert into county_years
select adcode, region, year, reports, failing_reports, {names},
  {rates}
from (
  select adcode, max(region) as region, year, count(*) as reports,
    sum(failed_checks > 0) as failing_reports,
    {sums}
  from report_figures
  group by adcode, year
)
"""


def _columns(keys: dict[str, type]) -> dict[str, type]:
    return {
        **keys,
        **{f.name: "ANY" for f in FIGURES},
        **{r.name: float for r in RATES},
    }


def _create(db: Database, name: str, columns: dict, pk) -> None:
    if db[name].exists() and list(db[name].columns_dict) == list(columns):
        return
    db[name].drop(ignore=True)
    db[name].create(columns, pk=pk)


#: indexes of the derived tables: (adcode, year) for a county's rows, (publisher, year) for a
#: publisher's, and (year, new_requests) so that top_publishers_new_requests reads a year's top
#: rows off the index instead of sorting the year's reports (170,000 at a million reports)
FIGURE_INDEXES: dict[str, list[tuple[str, ...]]] = {
    "report_figures": [
        ("adcode", "year"),
        ("year",),
        ("publisher", "year"),
        ("year", "new_requests"),
    ],
    "county_years": [("year",)],
}


def build_figures(db: Database) -> None:
    """(Re)fill ``report_figures`` and ``county_years`` from the long tables; idempotent.

    :param db: the archive (from :func:`archive.db.open_archive`)
    """
    report_columns = _columns(
        {
            "report_id": str,
            "adcode": str,
            "region": str,
            "publisher": str,
            "year": int,
            "form_version": str,
            "format": str,
        }
    )
    report_columns["failed_checks"] = int
    panel = _columns(
        {"adcode": str, "region": str, "year": int, "reports": int, "failing_reports": int}
    )
    with db.atomic():
        _create(db, "report_figures", report_columns, "report_id")
        _create(db, "county_years", panel, ("adcode", "year"))
        db.execute("delete from report_figures")
        db.execute("delete from county_years")
        db.execute(_report_figures_sql())
        db.execute(_county_years_sql())
    create_figure_indexes(db)


def create_figure_indexes(db: Database) -> None:
    """Create the indexes of :data:`FIGURE_INDEXES` that are missing; cheap when all exist.

    :param db: the archive, with ``report_figures`` and ``county_years`` built

    >>> create_figure_indexes(open_archive("data/archive.db"))  # doctest: +SKIP
    """
    for table, indexes in FIGURE_INDEXES.items():
        for columns in indexes:
            db[table].create_index(columns, if_not_exists=True)

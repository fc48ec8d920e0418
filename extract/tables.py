"""Grids → the three statistical tables by code, table-driven from :mod:`extract.template`.

The rows of every grid are read as one stream in document order, so tables split over pages or
printed as several blocks (table 二 is one block per 第二十条 clause) need no special casing. Each row
is split into its label cells and its trailing run of value cells (numbers or blanks), then:

- a row of measure headers (信息内容 | 本年制发件数 | …) sets the measures of the item rows below;
- a row whose label is a table 二 item maps its values onto the current measures, in order of the
  printed cells (not grid columns: CMS editors misalign colspans between header and value rows);
- a row whose label is a table 三 row maps its last 7 values onto the applicant columns;
- a row of 15 values without a row label is table 四.

Example::

    >>> from extract.readers import grid_from_spans
    >>> g = grid_from_spans([(0, 0, 1, 1, "信息内容"), (0, 1, 1, 1, "本年处理决定数量"),
    ...                      (1, 0, 1, 1, "行政许可"), (1, 1, 1, 1, "550")])
    >>> map_tables([g]).proactive
    [['licensing', 'decisions', 550]]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract import labels
from extract.normalize import norm_label
from extract.numbers import Number, parse_cell
from extract.readers import Cell, Grid
from extract.template import (
    AMOUNT_MEASURES,
    APPEAL_PROCEEDINGS,
    APPEAL_RESULTS,
    APPLICANTS,
    DIMENSIONS,
    PROACTIVE,
    REQUEST_ROWS,
    appeal_cells,
)

ITEMS = DIMENSIONS["item"]
MEASURES = DIMENSIONS["measure"]
#: score an item or measure label needs (they are short, so a stricter bar)
SHORT_THRESHOLD = 0.8
#: the measures a template version prints for an item, for rows printed without a header
ITEM_MEASURES = {
    (v, p.item.code): tuple(m.code for m in p.measures) for v, ps in PROACTIVE.items() for p in ps
}
#: measures that only one template version prints: they tell the version apart
VERSION_MEASURES = {
    m.code: v
    for v, ps in PROACTIVE.items()
    for p in ps
    for m in p.measures
    if not any(
        m.code in {x.code for x in q.measures} for w, qs in PROACTIVE.items() if w != v for q in qs
    )
}
VERSION_ITEMS = {"other_services": "2019", "procurement": "2019"}
VERSION_ROWS = {"other_no_correction": "2021", "other_unpaid_fee": "2021", "other_other": "2021"}
_TOP = re.compile(r"^[一二三四五六七八九十]+[、,.]")


@dataclass
class Tables:
    """The three tables as ``[code, code, value]`` triples, with provenance and warnings."""

    proactive: list[list] = field(default_factory=list)
    requests: list[list] = field(default_factory=list)
    appeals: list[list] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    votes: dict[str, int] = field(default_factory=dict)

    def form_version(self, fallback: str | None = None) -> str:
        """``2019``/``2021`` from the labels the tables print; ``free`` without tables."""
        if not (self.proactive or self.requests or self.appeals):
            return "free"
        if self.votes.get("2019", 0) != self.votes.get("2021", 0):
            return max(("2019", "2021"), key=lambda v: self.votes.get(v, 0))
        return fallback or "2021"


def _is_value(cell: Cell, parsed: Number) -> bool:
    return parsed.value is not None


def _split(cells: list[Cell]) -> tuple[list[Cell], list[Cell], list[Number]]:
    """Label cells and the trailing run of value cells (numbers or blanks) of a row."""
    parsed = [parse_cell(c.text) for c in cells]
    i = len(cells)
    while i > 0 and _is_value(cells[i - 1], parsed[i - 1]):
        i -= 1
    return [c for c in cells[:i] if c.text.strip()], cells[i:], parsed[i:]


def _provenance(
    table: str, codes: list[str], cell: Cell, label: str, score: float, number: Number
) -> dict:
    return {
        "table": table,
        "codes": codes,
        "page": cell.page,
        "text": cell.text,
        "label": label,
        "score": round(score, 3),
        "bbox": list(cell.bbox) if cell.bbox else None,
        "flags": list(number.flags),
        "note": number.note,
    }


class _Mapper:
    def __init__(self) -> None:
        self.out = Tables()
        self.measures: list[str] = []
        self.context = ""  # the 三 sub-heading ("（三）不予公开") rows below belong to
        self.seen: set[tuple[str, str, str]] = set()
        # grid column → code per dimension, from the header rows of the current grid
        self.columns: dict[str, dict[int, str]] = {"applicant": {}, "proceeding": {}, "result": {}}
        self.headers: dict[str, dict[int, str]] = {dim: {} for dim in self.columns}
        self.grid: Grid | None = None

    def vote(self, code: str, table: dict[str, str]) -> None:
        if code in table:
            self.out.votes[table[code]] = self.out.votes.get(table[code], 0) + 1

    def add(self, table: str, a: str, b: str, cell: Cell, label: str, score: float) -> None:
        number = parse_cell(cell.text, amount=b in AMOUNT_MEASURES)
        if (table, a, b) in self.seen:
            self.out.warnings.append(f"{table} {a}/{b} printed twice; kept the first")
            return
        self.seen.add((table, a, b))
        getattr(self.out, table).append([a, b, number.value])
        self.out.cells.append(_provenance(table, [a, b], cell, label, score, number))

    # --- row kinds --------------------------------------------------------------------------

    def measure_header(self, cells: list[Cell]) -> bool:
        if any(parse_cell(c.text).value not in (None, 0) for c in cells):
            return False
        found = [labels.match(c.text, MEASURES, threshold=SHORT_THRESHOLD)[0] for c in cells]
        codes = [f for f in found if f]
        if not codes:
            return False
        self.measures = codes
        for code in codes:
            self.vote(code, VERSION_MEASURES)
        return True

    def item_row(self, label_cells: list[Cell], values: list[Cell]) -> bool:
        label = label_cells[-1].text
        item, score = labels.match(label, ITEMS, threshold=SHORT_THRESHOLD)
        if not item:
            return False
        self.vote(item, VERSION_ITEMS)
        values = [v for v in values if v.text.strip() or len(values) <= 3]
        measures = self.measures
        allowed = {m for (v, i), ms in ITEM_MEASURES.items() if i == item for m in ms}
        if len(measures) != len(values) or not set(measures) <= allowed:
            fits = [
                ms for (v, i), ms in ITEM_MEASURES.items() if i == item and len(ms) == len(values)
            ]
            if not fits:
                self.out.warnings.append(f"table 二 {label}: {len(values)} values, no measures fit")
                return True
            measures = list(
                fits[-1]
                if self.out.votes.get("2021", 0) >= self.out.votes.get("2019", 0)
                else fits[0]
            )
        for measure, cell in zip(measures, values, strict=True):
            self.add("proactive", item, measure, cell, label, score)
        return True

    def column_header(self, cells: list[Cell]) -> None:
        """Remember which grid column a header names; lower header rows are more specific."""
        for dim, codes in (
            ("applicant", APPLICANTS),
            ("proceeding", APPEAL_PROCEEDINGS),
            ("result", APPEAL_RESULTS),
        ):
            found = {}
            for j, cell in enumerate(cells):
                code = labels.match(cell.text, codes, threshold=SHORT_THRESHOLD)[0]
                if code:
                    found[j] = code
            # a header row names several applicants or results; proceedings head column groups
            if len(set(found.values())) >= (1 if dim == "proceeding" else 3):
                self.columns[dim].update(found)
                self.headers[dim].update({j: cells[j].text for j in found})

    def by_header(self, dim: str, cells: list[Cell]) -> list[str] | None:
        """The codes the header gives the columns of ``cells``, if it names each one."""
        codes = [self.columns[dim].get(c.origin[1]) for c in cells]
        return codes if all(codes) else None

    def request_row(self, label_cells: list[Cell], values: list[Cell]) -> bool:
        texts = [part for c in label_cells for part in _split_parents(c.text)]
        leaf = texts[-1]
        heads = [t for t in texts[:-1] if labels.SUBHEADING.match(norm_label(t))]
        if labels.SUBHEADING.match(norm_label(leaf)) or _TOP.match(norm_label(leaf)):
            self.context = ""
        context = heads[-1] if heads else self.context
        queries = [(leaf, context), ("".join(t for t in texts if not _is_results(t)), "")]
        best: tuple[str | None, float] = (None, 0.0)
        for text, ctx in queries:
            code, score = labels.match(text, REQUEST_ROWS, context=ctx)
            if code and score > best[1]:
                best = (code, score)
        if heads:
            self.context = heads[-1]
        elif labels.SUBHEADING.match(norm_label(leaf)):
            self.context = leaf
        code, score = best
        if not code:
            return False
        self.vote(code, VERSION_ROWS)
        values = values[-len(APPLICANTS) :]
        applicants = self.by_header("applicant", values)
        if not applicants or len(set(applicants)) != len(values):
            applicants = [a.code for a in APPLICANTS]  # the template's column order
        for applicant, cell in zip(applicants, values, strict=True):
            self.add(
                "requests",
                code,
                applicant,
                cell,
                (context + leaf) if context and context not in leaf else leaf,
                score,
            )
        return True

    def appeal_row(self, values: list[Cell]) -> None:
        values = values[-15:]
        pairs = list(appeal_cells())
        proceedings = self.by_header("proceeding", values)
        results = self.by_header("result", values)
        if proceedings and results and len(set(zip(proceedings, results, strict=True))) == 15:
            pairs = list(zip(proceedings, results, strict=True))
        for (proceeding, result), cell in zip(pairs, values, strict=True):
            col = cell.origin[1]
            # the label of a cell in the row of 15 is its column's headers
            label = " ".join(
                h
                for h in (self.headers["proceeding"].get(col), self.headers["result"].get(col))
                if h
            )
            self.add("appeals", proceeding, result, cell, label, 1.0)

    def proceeding_row(self, label_cells: list[Cell], values: list[Cell]) -> bool:
        """Table 四 printed with one row per proceeding (行政复议 | 5 numbers)."""
        if len(values) < len(APPEAL_RESULTS):
            return False
        label = "".join(c.text for c in label_cells)
        proceeding, score = labels.match(label_cells[-1].text, APPEAL_PROCEEDINGS)
        if not proceeding:
            return False
        values = values[-len(APPEAL_RESULTS) :]
        results = self.by_header("result", values)
        if not results or len(set(results)) != len(values):
            results = [r.code for r in APPEAL_RESULTS]
        for result, cell in zip(results, values, strict=True):
            self.add("appeals", proceeding, result, cell, label, score)
        return True

    def row(self, grid: Grid, r: int) -> None:
        if grid is not self.grid:
            self.grid = grid
            self.columns = {dim: {} for dim in self.columns}
            self.headers = {dim: {} for dim in self.columns}
        cells = grid.distinct(r)
        label_cells, values, _ = _split(cells)
        if not values:
            self.measure_header(cells)
            self.column_header(grid.rows[r])
            return
        if not label_cells:
            header = bool(self.columns["result"])
            if len(values) >= 15 and (header or any(v.text.strip() for v in values)):
                self.appeal_row(values)
            return
        if len(values) >= len(APPLICANTS) and self.request_row(label_cells, values):
            return
        if self.item_row(label_cells, values):
            return
        if self.proceeding_row(label_cells, values):
            return
        if len(values) >= 15 and not self.out.appeals:
            self.appeal_row(values)


#: the headings table 三 rows are printed under, normalised (三、本年度办理结果, （三）不予公开 …)
PARENTS = tuple(dict.fromkeys(norm_label(p) for r in REQUEST_ROWS for p in r.parents))


def _split_parents(text: str) -> list[str]:
    """A label cell that also prints its headings ("三、本年度办理结果（一）予以公开") → parts.

    >>> _split_parents("三、本年度办理结果 （三）不予公开 1.属于国家秘密")
    ['三、本年度办理结果', '(三)不予公开', '1.属于国家秘密']
    """
    parts = []
    rest = norm_label(text)
    while True:
        head = next((p for p in PARENTS if rest.startswith(p) and len(rest) > len(p)), None)
        if head is None:
            break
        parts.append(head)
        rest = rest[len(head) :]
    return [*parts, rest] if parts else [text]


def _is_results(text: str) -> bool:
    return labels.score(text, "三、本年度办理结果") > 0.8


def map_tables(grids: list[Grid]) -> Tables:
    """Map every grid row onto template codes; see the module docstring."""
    mapper = _Mapper()
    for grid in grids:
        for r in range(len(grid.rows)):
            mapper.row(grid, r)
    out = mapper.out
    for name in ("proactive", "requests", "appeals"):
        if not getattr(out, name) and (out.proactive or out.requests or out.appeals):
            out.warnings.append(f"no {name} table found")
    return out


__all__ = ["Tables", "map_tables", "APPEAL_RESULTS"]

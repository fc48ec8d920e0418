"""The report template as data: sections, table rows, columns, codes and checks.

This is the single definition of the vocabulary in ``report-format.md``. Extraction maps printed
labels onto these codes, the checks are computed from them, and the Datasette metadata and docs are
generated from them, so nothing here is repeated elsewhere.

Example::

    >>> from extract.template import REQUEST_ROWS, code_label
    >>> REQUEST_ROWS[0].code
    'new_requests'
    >>> code_label("applicant", "natural_person")
    '自然人'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extract.prose import PROSE_FIGURES

FORM_VERSIONS = ("2019", "2021", "free")


@dataclass(frozen=True)
class Code:
    """One canonical code with its printed Chinese label and an English label.

    :param code: the code stored in the database
    :param zh: the label as the template prints it
    :param en: an English label for readers and the Datasette metadata
    :param aliases: other printed forms seen in real reports
    :param parents: printed labels of the enclosing rows (e.g. ``（三）不予公开``), outermost first
    :param forms: the template versions that print this code
    :param unit: unit of the values, where there is one
    """

    code: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    forms: tuple[str, ...] = ("2019", "2021")
    unit: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.zh, *self.aliases)


# --- sections ------------------------------------------------------------------------------

SECTIONS: tuple[Code, ...] = (
    Code("overview", "一、总体情况", "Overview", aliases=("概述",)),
    Code(
        "proactive",
        "二、主动公开政府信息情况",
        "Proactive disclosure",
        aliases=("主动公开政府信息的情况",),
    ),
    Code(
        "requests",
        "三、收到和处理政府信息公开申请情况",
        "Requests received and handled",
        aliases=("依申请公开政府信息情况", "依申请公开政府信息的情况"),
    ),
    Code(
        "appeals",
        "四、政府信息公开行政复议、行政诉讼情况",
        "Administrative review and litigation",
        aliases=(
            "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            "因政府信息公开申请行政复议、提起行政诉讼的情况",
        ),
    ),
    Code(
        "problems",
        "五、存在的主要问题及改进情况",
        "Problems and improvements",
        aliases=("五、存在问题及改进情况", "存在的主要问题及改进措施"),
    ),
    Code("other", "六、其他需要报告的事项", "Other matters", aliases=("其他需要报告的事项",)),
)

#: headings only free-form reports print; the template has no fees section
FREE_SECTIONS: tuple[Code, ...] = (
    Code(
        "fees",
        "政府信息公开的收费及减免情况",
        "Fees charged and waived",
        aliases=("政府信息公开收费及减免情况",),
        forms=("free",),
    ),
)
#: every section code a report can have: the template's six, then the free-form ones
ALL_SECTIONS: tuple[Code, ...] = (*SECTIONS, *FREE_SECTIONS)

# --- table 二: proactive disclosure ---------------------------------------------------------

_MADE = (
    Code("made", "本年新制作数量", "New this year"),
    Code("published", "本年新公开数量", "Newly published this year"),
    Code("total_public", "对外公开总数量", "Total public"),
)
_ITEMS_2019 = (
    Code("prior_items", "上一年项目数量", "Items in prior year"),
    Code("change", "本年增/减", "Change this year", aliases=("本年增减",)),
    Code("decisions", "处理决定数量", "Decisions", aliases=("本年处理决定数量",)),
)
_ISSUED = (
    Code("issued", "本年制发件数", "Issued this year"),
    Code("repealed", "本年废止件数", "Repealed this year"),
    Code("in_force", "现行有效件数", "In force"),
)
_DECISIONS_2021 = (Code("decisions", "本年处理决定数量", "Decisions this year"),)


@dataclass(frozen=True)
class ProactiveItem:
    """A row of table 二: an item and the measures printed for it in one template version."""

    item: Code
    measures: tuple[Code, ...]
    clause: str = ""  # 第二十条第（X）项, the block heading the item is printed under


def _item(code: str, zh: str, en: str, aliases: tuple[str, ...] = ()) -> Code:
    return Code(code, zh, en, aliases=aliases)


PROACTIVE: dict[str, tuple[ProactiveItem, ...]] = {
    "2019": (
        ProactiveItem(_item("rules", "规章", "Rules"), _MADE, "第二十条第（一）项"),
        ProactiveItem(
            _item("normative_docs", "规范性文件", "Normative documents", ("行政规范性文件",)),
            _MADE,
            "第二十条第（一）项",
        ),
        ProactiveItem(
            _item("licensing", "行政许可", "Administrative licensing"),
            _ITEMS_2019,
            "第二十条第（五）项",
        ),
        ProactiveItem(
            _item("other_services", "其他对外管理服务事项", "Other public services"),
            _ITEMS_2019,
            "第二十条第（五）项",
        ),
        ProactiveItem(
            _item("penalty", "行政处罚", "Administrative penalties"),
            _ITEMS_2019,
            "第二十条第（六）项",
        ),
        ProactiveItem(
            _item("enforcement", "行政强制", "Administrative enforcement"),
            _ITEMS_2019,
            "第二十条第（六）项",
        ),
        ProactiveItem(
            _item("fees", "行政事业性收费", "Administrative fees"),
            _ITEMS_2019[:2],
            "第二十条第（八）项",
        ),
        ProactiveItem(
            _item("procurement", "政府集中采购", "Centralised government procurement"),
            (
                Code("items", "采购项目数量", "Procurement items"),
                Code("amount_10k_yuan", "采购总金额", "Procurement total (10k yuan)", unit="万元"),
            ),
            "第二十条第（九）项",
        ),
    ),
    "2021": (
        ProactiveItem(_item("rules", "规章", "Rules"), _ISSUED, "第二十条第（一）项"),
        ProactiveItem(
            _item("normative_docs", "行政规范性文件", "Normative documents", ("规范性文件",)),
            _ISSUED,
            "第二十条第（一）项",
        ),
        ProactiveItem(
            _item("licensing", "行政许可", "Administrative licensing"),
            _DECISIONS_2021,
            "第二十条第（五）项",
        ),
        ProactiveItem(
            _item("penalty", "行政处罚", "Administrative penalties"),
            _DECISIONS_2021,
            "第二十条第（六）项",
        ),
        ProactiveItem(
            _item("enforcement", "行政强制", "Administrative enforcement"),
            _DECISIONS_2021,
            "第二十条第（六）项",
        ),
        ProactiveItem(
            _item("fees", "行政事业性收费", "Administrative fees"),
            (
                Code(
                    "amount_10k_yuan",
                    "本年收费金额（单位：万元）",
                    "Fees this year (10k yuan)",
                    aliases=("本年收费金额",),
                    unit="万元",
                ),
            ),
            "第二十条第（八）项",
        ),
    ),
}

AMOUNT_MEASURES = frozenset({"amount_10k_yuan"})

# --- table 三: requests received and handled ------------------------------------------------

APPLICANTS: tuple[Code, ...] = (
    Code("natural_person", "自然人", "Natural persons"),
    Code("business", "商业企业", "Businesses", parents=("法人或其他组织",)),
    Code("research", "科研机构", "Research institutions", parents=("法人或其他组织",)),
    Code(
        "public_interest",
        "社会公益组织",
        "Public-interest organisations",
        parents=("法人或其他组织",),
    ),
    Code("legal_services", "法律服务机构", "Legal service providers", parents=("法人或其他组织",)),
    Code("other_org", "其他", "Other organisations", parents=("法人或其他组织",)),
    Code("total", "总计", "Total"),
)

_RESULTS = "三、本年度办理结果"
_DENIED = "（三）不予公开"
_UNABLE = "（四）无法提供"
_REJECTED = "（五）不予处理"
_OTHER = "（六）其他处理"

REQUEST_ROWS: tuple[Code, ...] = (
    Code("new_requests", "一、本年新收政府信息公开申请数量", "New requests this year"),
    Code("carried_in", "二、上年结转政府信息公开申请数量", "Carried over from last year"),
    Code("granted", "（一）予以公开", "Granted", parents=(_RESULTS,)),
    Code(
        "partly_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "Partly granted",
        aliases=("（二）部分公开",),
        parents=(_RESULTS,),
    ),
    Code(
        "denied_state_secret", "1.属于国家秘密", "Denied: state secret", parents=(_RESULTS, _DENIED)
    ),
    Code(
        "denied_prohibited",
        "2.其他法律行政法规禁止公开",
        "Denied: prohibited by law",
        aliases=("2.其他法律行政止公开",),
        parents=(_RESULTS, _DENIED),
    ),
    Code(
        "denied_security",
        "3.危及“三安全一稳定”",
        "Denied: endangers security or stability",
        aliases=("3.危及三安全一稳定",),
        parents=(_RESULTS, _DENIED),
    ),
    Code(
        "denied_third_party",
        "4.保护第三方合法权益",
        "Denied: third-party rights",
        parents=(_RESULTS, _DENIED),
    ),
    Code(
        "denied_internal",
        "5.属于三类内部事务信息",
        "Denied: internal affairs",
        parents=(_RESULTS, _DENIED),
    ),
    Code(
        "denied_process",
        "6.属于四类过程性信息",
        "Denied: process information",
        parents=(_RESULTS, _DENIED),
    ),
    Code(
        "denied_enforcement_file",
        "7.属于行政执法案卷",
        "Denied: enforcement case file",
        parents=(_RESULTS, _DENIED),
    ),
    Code(
        "denied_query",
        "8.属于行政查询事项",
        "Denied: administrative query",
        parents=(_RESULTS, _DENIED),
    ),
    Code(
        "unable_not_held",
        "1.本机关不掌握相关政府信息",
        "Unable: not held",
        parents=(_RESULTS, _UNABLE),
    ),
    Code(
        "unable_needs_creation",
        "2.没有现成信息需要另行制作",
        "Unable: would need creating",
        parents=(_RESULTS, _UNABLE),
    ),
    Code(
        "unable_unclear",
        "3.补正后申请内容仍不明确",
        "Unable: still unclear after correction",
        parents=(_RESULTS, _UNABLE),
    ),
    Code(
        "rejected_petition",
        "1.信访举报投诉类申请",
        "Not processed: petition or complaint",
        parents=(_RESULTS, _REJECTED),
    ),
    Code(
        "rejected_repeat",
        "2.重复申请",
        "Not processed: repeat request",
        parents=(_RESULTS, _REJECTED),
    ),
    Code(
        "rejected_publication",
        "3.要求提供公开出版物",
        "Not processed: asks for publications",
        parents=(_RESULTS, _REJECTED),
    ),
    Code(
        "rejected_excessive",
        "4.无正当理由大量反复申请",
        "Not processed: excessive requests",
        parents=(_RESULTS, _REJECTED),
    ),
    Code(
        "rejected_confirm",
        "5.要求行政机关确认或重新出具已获取信息",
        "Not processed: asks to confirm or reissue",
        parents=(_RESULTS, _REJECTED),
    ),
    Code(
        "other_handling",
        "（六）其他处理",
        "Other handling",
        parents=(_RESULTS,),
        forms=("2019", "2021"),
    ),
    Code(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "Other: applicant did not correct in time",
        parents=(_RESULTS, _OTHER),
        forms=("2021",),
    ),
    Code(
        "other_unpaid_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "Other: applicant did not pay the fee",
        parents=(_RESULTS, _OTHER),
        forms=("2021",),
    ),
    Code("other_other", "3.其他", "Other: other", parents=(_RESULTS, _OTHER), forms=("2021",)),
    Code("handled_total", "（七）总计", "Handled in total", parents=(_RESULTS,)),
    Code("carried_out", "四、结转下年度继续办理", "Carried over to next year"),
)

OUTCOME_ROWS: tuple[str, ...] = tuple(
    r.code for r in REQUEST_ROWS if _RESULTS in r.parents and r.code != "handled_total"
)

# --- table 四: administrative review and litigation -----------------------------------------

APPEAL_PROCEEDINGS: tuple[Code, ...] = (
    Code("review", "行政复议", "Administrative review"),
    Code("suit_direct", "未经复议直接起诉", "Lawsuit without prior review", parents=("行政诉讼",)),
    Code("suit_after_review", "复议后起诉", "Lawsuit after review", parents=("行政诉讼",)),
)
APPEAL_RESULTS: tuple[Code, ...] = (
    Code("upheld", "结果维持", "Upheld"),
    Code("corrected", "结果纠正", "Corrected"),
    Code("other", "其他结果", "Other result"),
    Code("pending", "尚未审结", "Pending"),
    Code("total", "总计", "Total"),
)

# --- consistency checks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A consistency check (勾稽关系): ``lhs`` codes summed equal ``rhs`` codes summed.

    :param code: the check's code in the ``checks`` table
    :param table: the stats table it reads
    :param over: the dimension the check is repeated over (its ``scope``)
    :param along: the dimension the sums run along
    :param lhs: codes added on the left
    :param rhs: codes added on the right
    """

    code: str
    zh: str
    en: str
    table: str
    over: str
    along: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...] = field(default=())


CHECKS: tuple[Check, ...] = (
    Check(
        "requests_balance",
        "第一项加第二项之和，等于第三项加第四项之和",
        "new + carried in = handled + carried out",
        "request_stats",
        "applicant",
        "row",
        ("new_requests", "carried_in"),
        ("handled_total", "carried_out"),
    ),
    Check(
        "requests_outcomes",
        "办理结果之和等于总计",
        "handled total = sum of outcomes",
        "request_stats",
        "applicant",
        "row",
        ("handled_total",),
        OUTCOME_ROWS,
    ),
    Check(
        "requests_row_totals",
        "各类申请人之和等于总计",
        "total = sum of applicant columns",
        "request_stats",
        "row",
        "applicant",
        ("total",),
        tuple(a.code for a in APPLICANTS if a.code != "total"),
    ),
    Check(
        "appeals_totals",
        "维持、纠正、其他、未审结之和等于总计",
        "total = upheld + corrected + other + pending",
        "appeal_stats",
        "proceeding",
        "result",
        ("total",),
        ("upheld", "corrected", "other", "pending"),
    ),
)


@dataclass(frozen=True)
class CrossYearCheck:
    """A check between two reports of one publisher: ``earlier`` in year N = ``later`` in N+1.

    :param code: the check's code in the ``checks`` table (stored on the year N+1 report)
    :param table: the stats table both values come from
    :param over: the dimension the check is repeated over (its ``scope``)
    :param along: the dimension holding ``earlier`` and ``later``
    :param earlier: the code read from the year N report
    :param later: the code read from the year N+1 report
    """

    code: str
    zh: str
    en: str
    table: str
    over: str
    along: str
    earlier: str
    later: str


CROSS_YEAR_CHECKS: tuple[CrossYearCheck, ...] = (
    CrossYearCheck(
        "cross_year_carry",
        "上年度结转下年度继续办理数等于本年度上年结转数",
        "carried out in year N = carried in in year N+1",
        "request_stats",
        "applicant",
        "row",
        "carried_out",
        "carried_in",
    ),
)

# --- lookups --------------------------------------------------------------------------------

#: every dimension that has codes, keyed by the column name it is stored under
DIMENSIONS: dict[str, tuple[Code, ...]] = {
    "section": ALL_SECTIONS,
    "item": tuple({p.item.code: p.item for v in PROACTIVE.values() for p in v}.values()),
    "measure": tuple(
        {m.code: m for v in PROACTIVE.values() for p in v for m in p.measures}.values()
    ),
    "row": REQUEST_ROWS,
    "applicant": APPLICANTS,
    "proceeding": APPEAL_PROCEEDINGS,
    "result": APPEAL_RESULTS,
    "check": tuple(Code(c.code, c.zh, c.en) for c in (*CHECKS, *CROSS_YEAR_CHECKS)),
    "prose_figure": tuple(Code(f.code, f.zh, f.en, unit=f.unit) for f in PROSE_FIGURES),
}


def code_label(dimension: str, code: str, lang: str = "zh") -> str:
    """The printed label of ``code`` in ``dimension`` (``zh`` or ``en``).

    >>> code_label("row", "carried_out")
    '四、结转下年度继续办理'
    >>> code_label("proceeding", "review", "en")
    'Administrative review'
    """
    for c in DIMENSIONS[dimension]:
        if c.code == code:
            return c.zh if lang == "zh" else c.en
    raise KeyError(f"{dimension} has no code {code!r}")


def request_rows(form_version: str) -> tuple[Code, ...]:
    """Rows of table 三 printed in ``form_version``; the 2019 single 其他处理 row in 2019 only."""
    if form_version == "2019":
        return tuple(r for r in REQUEST_ROWS if "2019" in r.forms)
    return tuple(r for r in REQUEST_ROWS if r.code != "other_handling")


def proactive_cells(form_version: str) -> list[tuple[str, str]]:
    """Every (item, measure) of table 二 in ``form_version``, in printed order."""
    return [(p.item.code, m.code) for p in PROACTIVE[form_version] for m in p.measures]


def appeal_cells() -> list[tuple[str, str]]:
    """The 15 (proceeding, result) cells of table 四 in printed order."""
    return [(p.code, r.code) for p in APPEAL_PROCEEDINGS for r in APPEAL_RESULTS]

"""Header handling for spreadsheets as offices make them.

A sheet may start with a merged title row and note rows; its header row is the first row (of the
first :data:`SCAN_ROWS`) that names enough known columns. Header text is compared after
normalisation: NFKC (full-width brackets and spaces become ASCII), whitespace, required-field
markers (``*``) and a trailing unit in brackets (``（万元）``, ``(%)``) removed. Beside the field code
and its Chinese label every field accepts the synonyms of :data:`SYNONYMS` (documented in
``docs/notes/office_data.md``). On a projects sheet the enterprise's own columns (申报单位,
统一社会信用代码, 所在市 …) are read as the project's enterprise (fields ``enterprise.<name>``).
The entity of a sheet comes from its name (``projects``, 项目, 企业 …) or, when the name says
nothing (``Sheet1``), from the headers.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from finmatch.schemas import ENTITY_LABELS, ENTITY_MODELS, FIELD_LABELS

SCAN_ROWS = 15
IGNORED = frozenset({"序号", "编号序号", "no", "no.", "#", "行号", "排序"})
NOTE_SHEETS = frozenset({"说明", "填写说明", "填表说明", "字段说明", "使用说明", "readme", "取值列表"})
NOTE_ROW_PREFIXES = ("填写说明", "说明：", "说明:", "注：", "注:")  # rows under the header that are notes
EMBEDDED = "enterprise."  # prefix of enterprise fields read from a projects sheet

# Synonyms seen in office spreadsheets, per entity: normalised header -> field.
SYNONYMS: dict[str, dict[str, str]] = {
    "institutions": {"机构": "name", "机构全称": "name", "单位名称": "name", "类型": "type", "所在市": "city",
                     "所在地市": "city", "城市": "city", "地市": "city"},
    "enterprises": {"申报单位": "name", "单位名称": "name", "企业全称": "name", "公司名称": "name",
                    "信用代码": "credit_code", "社会信用代码": "credit_code", "统一信用代码": "credit_code",
                    "所在市": "city", "所在地市": "city", "城市": "city", "地市": "city", "所属地市": "city",
                    "成立时间": "founded_year", "注册年份": "founded_year", "职工人数": "employees",
                    "从业人数": "employees", "营业收入": "annual_revenue_wan", "上年营收": "annual_revenue_wan",
                    "上年度营业收入": "annual_revenue_wan", "净利润": "net_profit_wan",
                    "上年度净利润": "net_profit_wan", "研发投入强度": "rd_ratio", "研发费用占比": "rd_ratio",
                    "发明专利": "invention_patents", "发明专利数量": "invention_patents",
                    "企业资质认定": "certifications", "资质": "certifications", "纳税信用": "tax_grade",
                    "有无抵押": "has_collateral", "是否有抵押物": "has_collateral", "首贷户": "first_time_borrower",
                    "手机": "contact_phone", "联系方式": "contact_phone", "邮箱": "contact_email"},
    "projects": {"项目阶段": "stage", "阶段": "stage", "所处阶段": "stage", "融资需求": "funding_need_wan",
                 "拟融资额": "funding_need_wan", "拟融资金额": "funding_need_wan", "融资金额": "funding_need_wan",
                 "资金需求": "funding_need_wan", "融资需求金额": "funding_need_wan", "项目概况": "description",
                 "项目简介": "description", "项目内容": "description", "主要内容": "description",
                 "领域": "sector", "技术领域": "sector", "所属行业领域": "sector", "trl": "trl",
                 "技术就绪度": "trl", "中试平台": "pilot_platform", "依托平台": "pilot_platform",
                 "融资方式": "funding_types", "需求类型": "funding_types", "量产周期": "months_to_production",
                 "是否涉及危化品": "hazardous_chemicals", "涉危化": "hazardous_chemicals",
                 "三首": "three_firsts", "是否获财政支持": "government_supported"},
    "products": {"产品": "name", "大类": "family", "产品类别": "family", "类型": "kind", "额度下限": "amount_min_wan",
                 "额度上限": "amount_max_wan", "最高额度": "amount_max_wan", "单户最高额度": "amount_max_wan",
                 "利率": "rate_pct", "费率": "rate_pct", "保费率": "rate_pct", "期限": "tenor_months",
                 "贷款期限": "tenor_months", "服务地区": "cities", "适用地区": "cities", "有效期": "valid_to",
                 "截止日期": "valid_to", "资质要求": "required_certifications_any"},
    "events": {"活动": "name", "举办日期": "date", "活动日期": "date", "城市": "city", "地点": "city"},
    "outcomes": {"对接进展": "stage", "状态": "stage", "签约金额": "amount_wan", "金额": "amount_wan"},
}
# Columns of a projects sheet that describe the project's enterprise.
PROJECT_ENTERPRISE_FIELDS: tuple[str, ...] = (
    "name", "credit_code", "city", "founded_year", "employees", "annual_revenue_wan", "net_profit_wan",
    "debt_ratio", "rd_ratio", "invention_patents", "certifications", "tax_grade", "has_collateral",
    "first_time_borrower", "contact_person", "contact_phone", "contact_email")
# Headers that name the entity of a sheet when they are present (checked in order).
KEY_FIELDS: tuple[tuple[str, str], ...] = (("outcomes", "stage"), ("projects", "name"), ("products", "name"),
                                          ("events", "name"), ("enterprises", "name"), ("institutions", "name"))

# Entity names for files and sheets: "projects", "中试项目", "项目", "企业名录" ...
_ENTITY_WORDS: dict[str, str] = {**{k: k for k in ENTITY_MODELS}, **{v: k for k, v in ENTITY_LABELS.items()},
                                 "项目": "projects", "产品": "products", "活动": "events", "结果": "outcomes",
                                 "企业": "enterprises", "机构": "institutions", "机构名录": "institutions",
                                 "企业名录": "enterprises", "金融机构": "institutions"}
_UNIT = re.compile(r"\((万元|亿元|元|%|％|月|个月|年|人|项|个|家|万|百分比)\)$")


def normalise(text: Any) -> str:
    """The comparable form of a header: NFKC, no spaces or ``*``, unit in brackets removed, lower case."""
    h = unicodedata.normalize("NFKC", str(text or "")).lstrip("\ufeff")
    h = re.sub(r"[\s*＊:：]+", "", h).replace("（", "(").replace("）", ")")
    h = _UNIT.sub("", h)
    return h.lower()


def entity_for_name(name: str, fuzzy: bool = False) -> str | None:
    """The entity a file stem or sheet name says: exactly, by suffix (``2026_projects``) or, with
    ``fuzzy``, by the one Chinese entity word it contains (``2026年第四批中试项目清单``)."""
    stem = normalise(name)
    words = {normalise(k): v for k, v in _ENTITY_WORDS.items()}
    if stem in words:
        return words[stem]
    for alias, entity in words.items():
        if stem.endswith("_" + alias) or stem.endswith("-" + alias):
            return entity
    if not fuzzy:
        return None
    found = {entity for alias, entity in words.items() if not alias.isascii() and alias in stem}
    return found.pop() if len(found) == 1 else None


@functools.cache
def header_map(entity: str) -> dict[str, str]:
    """Normalised header -> field for one entity (embedded enterprise fields on projects)."""
    out: dict[str, str] = {}

    def add(mapping: dict[str, str], fields: dict[str, str], prefix: str = "") -> None:
        for fld, label in fields.items():
            for key in (fld, label, label.split("(")[0]):
                if prefix:
                    out.setdefault(normalise(key), prefix + fld)
                else:
                    out[normalise(key)] = fld
        for syn, fld in mapping.items():
            if fld in fields:
                out.setdefault(normalise(syn), prefix + fld)

    add(SYNONYMS.get(entity, {}), FIELD_LABELS[entity])
    if entity == "projects":
        ent = {f: FIELD_LABELS["enterprises"][f] for f in PROJECT_ENTERPRISE_FIELDS}
        ent["name"] = "企业名称"
        add(SYNONYMS["enterprises"], ent, EMBEDDED)
        out[normalise("所在城市")] = EMBEDDED + "city"
    if entity in ("products",):
        out.setdefault(normalise("机构名称"), "institution.name")
    return out


@dataclass
class Header:
    """Where a sheet's header is and what each column means."""

    row: int  # 0-based index of the header row
    entity: str
    columns: dict[int, str]  # column -> field
    texts: dict[int, str]  # column -> header as typed
    unknown: dict[int, str]  # column -> header as typed, kept as extra
    ignored: list[str]


def is_note_row(row: Sequence[Any]) -> bool:
    """A note under the header (the template's explanation row, 注：…): not data."""
    first = next((c for c in row if c is not None and str(c).strip()), None)
    return first is not None and str(first).strip().startswith(NOTE_ROW_PREFIXES)


def _cells(row: Sequence[Any]) -> list[str]:
    return ["" if c is None else str(c).strip() for c in row]


def _score(entity: str, cells: list[str]) -> int:
    mapping = header_map(entity)
    return sum(1 for c in cells if c and normalise(c) in mapping)


def detect_entity(cells: list[str]) -> str | None:
    """The entity a header row describes, from its key columns, else the best-covered entity."""
    norm = [normalise(c) for c in cells if c]
    for entity, key in KEY_FIELDS:
        mapping = header_map(entity)
        if any(mapping.get(n) == key for n in norm) and (entity != "outcomes" or _score(entity, cells) >= 3):
            # a projects header also has 企业名称; "name" must be the project's own name
            return entity
    scores = {e: _score(e, cells) for e in ENTITY_MODELS}
    best = max(scores, key=lambda e: scores[e])
    return best if scores[best] >= 2 else None


def find_header(rows: list[list[Any]], entity: str | None) -> Header | None:
    """The header row among the first rows: the first with at least two known columns (or the row
    with the most, when none reaches two). ``entity`` None means detect it from the headers."""
    best: tuple[int, int, str] | None = None
    for i, row in enumerate(rows[:SCAN_ROWS]):
        cells = _cells(row)
        if sum(1 for c in cells if c) < 2:
            continue  # a title or a blank row
        ent = entity or detect_entity(cells)
        if ent is None:
            continue
        score = _score(ent, cells)
        if score >= 2:
            best = (i, score, ent)
            break
        if score and (best is None or score > best[1]):
            best = (i, score, ent)
    if best is None:
        return None
    i, _, ent = best
    return resolve(i, ent, _cells(rows[i]))


def resolve(row: int, entity: str, cells: list[str]) -> Header:
    mapping = header_map(entity)
    columns: dict[int, str] = {}
    texts: dict[int, str] = {}
    unknown: dict[int, str] = {}
    ignored: list[str] = []
    for i, raw in enumerate(cells):
        if not raw:
            continue
        norm = normalise(raw)
        if norm in IGNORED:
            ignored.append(raw)
            continue
        fld = mapping.get(norm)
        if fld and fld not in columns.values():
            columns[i] = fld
            texts[i] = raw
        else:
            unknown[i] = raw
    return Header(row, entity, columns, texts, unknown, ignored)


def resolve_headers(entity: str, headers: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index -> field for known headers, and the unknown headers (kept as ``extra``)."""
    h = resolve(0, entity, _cells(headers))
    return h.columns, list(h.unknown.values())

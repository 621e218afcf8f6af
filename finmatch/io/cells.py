"""Cell values as offices type them, turned into what the v1 models accept.

Runs before pydantic validation, per field kind: ratios (``45%`` or ``0.45``), percentages of rates
(``4.5%`` → 4.5), money in 万元 (``1,200``, ``1200万元``, ``1.2亿元``), counts with units (``36个月``,
``120人``), dates (``2026年3月5日``, ``2026.3.5``, ``2026/3/5``, ``20260305``, Excel serials and
datetimes), booleans (是/否, √/×, 有/无). A value it cannot read is passed on unchanged, so the model
reports it with the field's Chinese reason; nothing is guessed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

RATIO_FIELDS = frozenset({"debt_ratio", "rd_ratio", "max_debt_ratio"})
PERCENT_FIELDS = frozenset({"rate_pct"})
MONEY_FIELDS = frozenset({"annual_revenue_wan", "net_profit_wan", "funding_need_wan", "amount_min_wan",
                          "amount_max_wan", "min_revenue_wan", "max_revenue_wan", "budget_wan", "amount_wan"})
INT_FIELDS = frozenset({"founded_year", "employees", "invention_patents", "trl", "months_to_production",
                        "trl_min", "trl_max", "min_company_age_years", "max_company_age_years", "tenor_months",
                        "slots", "slot_minutes", "tables", "max_meetings_per_project",
                        "max_meetings_per_institution"})
DATE_FIELDS = frozenset({"valid_to", "date"})
BOOL_FIELDS = frozenset({"has_collateral", "first_time_borrower", "hazardous_chemicals", "government_supported",
                         "requires_profit", "requires_collateral", "excludes_hazardous", "requires_three_firsts"})
TRUE_WORDS = frozenset({"是", "有", "√", "✓", "✔", "☑", "y", "yes", "true", "1", "需要", "要求", "对"})
FALSE_WORDS = frozenset({"否", "无", "×", "✗", "✘", "x", "☐", "n", "no", "false", "0", "不需要", "不要求", "没有"})
STAGE_WORDS = {"中试": "pilot", "中试阶段": "pilot", "中试熟化阶段": "pilot", "产业化": "scale_up",
               "产业化阶段": "scale_up", "量产前放大": "scale_up", "孵化": "incubation", "孵化阶段": "incubation",
               "概念验证阶段": "proof_of_concept", "研发": "tech_research", "研发阶段": "tech_research",
               "技术攻关阶段": "tech_research"}
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_NUM = r"[-+]?\d+(?:\.\d+)?"


def _text(raw: Any) -> str:
    return unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "").replace(" ", "")


def blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_money_wan(raw: Any) -> Any:
    """万元 from ``1,200`` / ``1200万元`` / ``1.2亿元`` / ``500万`` / ``3000000元``."""
    if blank(raw) or isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        return raw
    text = _text(raw).replace("人民币", "").replace("RMB", "")
    m = re.fullmatch(rf"({_NUM})(亿元|亿|万元|万|元)?", text)
    if not m:
        return raw
    value = float(m.group(1))
    unit = m.group(2) or "万元"
    factor = {"亿元": 10000.0, "亿": 10000.0, "万元": 1.0, "万": 1.0, "元": 0.0001}[unit]
    return round(value * factor, 6)


def parse_ratio(raw: Any) -> Any:
    """A fraction in [0, 1] from ``45%`` or ``0.45``; a bare ``45`` is left for the model to reject."""
    if blank(raw) or isinstance(raw, (bool, int | float)):
        return raw
    text = _text(raw)
    m = re.fullmatch(rf"({_NUM})%", text)
    if m:
        return round(float(m.group(1)) / 100, 6)
    return text if re.fullmatch(_NUM, text) else raw


def parse_percent(raw: Any) -> Any:
    """A rate in percent: ``4.5%`` and ``4.5`` both give 4.5; ``年化3.85%`` too."""
    if blank(raw) or isinstance(raw, (bool, int | float)):
        return raw
    text = _text(raw).removeprefix("年化").removeprefix("年利率").removeprefix("年")
    m = re.fullmatch(rf"({_NUM})%?", text)
    return float(m.group(1)) if m else raw


def parse_int(raw: Any) -> Any:
    """An integer with an optional unit (``36个月``, ``120人``, ``3年``, ``TRL6``)."""
    if blank(raw) or isinstance(raw, (bool, int | float)):
        return raw
    text = _text(raw).upper().removeprefix("TRL").removeprefix("第")
    m = re.fullmatch(r"(\d+)(?:\.0+)?(个月|月|人|名|年|项|件|个|级|场|张|桌|分钟)?", text)
    return int(m.group(1)) if m else raw


def parse_date(raw: Any) -> Any:
    """A date from Chinese and ISO forms, Excel datetimes and Excel serial numbers."""
    if blank(raw) or isinstance(raw, bool):
        return raw
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, int | float) and 20000 < raw < 80000:  # an Excel serial day number
        return _EXCEL_EPOCH + dt.timedelta(days=int(raw))
    text = _text(raw)
    m = re.fullmatch(r"(\d{4})(?:[-/.年])(\d{1,2})(?:[-/.月])(\d{1,2})日?(?:[T\s].*)?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return raw
    return raw


def parse_bool(raw: Any) -> Any:
    if blank(raw) or isinstance(raw, bool):
        return raw
    text = _text(raw).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    return raw


def parse_stage(raw: Any) -> Any:
    if blank(raw) or not isinstance(raw, str):
        return raw
    text = _text(raw)
    return STAGE_WORDS.get(text, text)


def normalise_cell(field: str, raw: Any) -> Any:
    """The value of one cell for ``field`` (a v1 field name), or the raw value when unreadable."""
    if isinstance(raw, str) and not raw.strip():
        return None
    if field in MONEY_FIELDS:
        return parse_money_wan(raw)
    if field in RATIO_FIELDS:
        return parse_ratio(raw)
    if field in PERCENT_FIELDS:
        return parse_percent(raw)
    if field in INT_FIELDS:
        return parse_int(raw)
    if field in DATE_FIELDS:
        return parse_date(raw)
    if field in BOOL_FIELDS:
        return parse_bool(raw)
    if field in ("stage", "stages"):
        if field == "stages" and isinstance(raw, str):
            return [parse_stage(p) for p in re.split(r"[;；、,，/]", raw) if p.strip()]
        return parse_stage(raw)
    if field == "credit_code" and isinstance(raw, str):
        return _text(raw).upper()
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    return raw


def normalise_record(data: dict[str, Any]) -> dict[str, Any]:
    """Every cell of a record; ``enterprise.city`` style keys are read as their own field."""
    return {k: (normalise_cell(k.rsplit(".", 1)[-1], v) if k != "extra" else v) for k, v in data.items()}

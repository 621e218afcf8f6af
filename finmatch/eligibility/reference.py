"""Plain per-pair reference implementation of every clause, written for clarity, not speed.

It is the oracle the vectorised engine is tested against (clause by clause, on random projects and
products) and the baseline the benchmark compares with. Keep it independent of ``clauses.py``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from finmatch.eligibility.values import (
    CLAUSE_FIELDS,
    FAIL,
    NO_CONSTRAINT,
    PASS,
    UNKNOWN,
    as_code,
    as_codes,
    as_flag,
    as_float,
    as_required,
    city_of,
    date_ordinal,
    expand_cities,
    is_missing,
    tax_rank,
)
from finmatch.enums import GUANGXI, GUANGXI_CITIES


def _cmp(value: float, bound: float, at_least: bool) -> int:
    if math.isnan(bound):
        return NO_CONSTRAINT
    if math.isnan(value):
        return UNKNOWN
    ok = value >= bound if at_least else value <= bound
    return PASS if ok else FAIL


def _in_list(code: str | None, allowed: tuple[str, ...]) -> int:
    if not allowed:
        return NO_CONSTRAINT
    if code is None:
        return UNKNOWN
    return PASS if code in allowed else FAIL


def _requirement(required: bool, flag: float, wanted: float) -> int:
    if not required:
        return NO_CONSTRAINT
    if math.isnan(flag):
        return UNKNOWN
    return PASS if flag == wanted else FAIL


def _cities(city: str | None, listed: tuple[str, ...]) -> int:
    if not listed:
        return NO_CONSTRAINT
    if city is None:
        return UNKNOWN
    area = expand_cities(listed)
    if city == GUANGXI:
        covered = sum(1 for c in GUANGXI_CITIES if c in area)
        if covered == len(GUANGXI_CITIES):
            return PASS
        return UNKNOWN if covered else FAIL
    return PASS if city in area else FAIL


def _enterprise_known(project: Mapping[str, Any]) -> bool:
    return "enterprise_name" not in project or not is_missing(project["enterprise_name"])


def reference_pair(project: Mapping[str, Any], product: Mapping[str, Any], today: dt.date) -> dict[str, int]:
    """Status of every clause for one project row and one product row (dicts of frame columns)."""
    p, q = project.get, product.get
    known = _enterprise_known(project)
    sector = as_code(p("sector")) or as_code(p("inferred_sector"))
    need = as_float(p("funding_need_wan"))
    trl = as_float(p("trl"))
    founded = as_float(p("founded_year"))
    age = today.year - founded if not math.isnan(founded) else math.nan
    out: dict[str, int] = {
        "sectors": _in_list(sector, as_codes(q("sectors")) or ()),
        "stages": _in_list(as_code(p("stage")), as_codes(q("stages")) or ()),
        "trl_min": _cmp(trl, as_float(q("trl_min")), True),
        "trl_max": _cmp(trl, as_float(q("trl_max")), False),
        "amount_min_wan": _cmp(need, as_float(q("amount_min_wan")), True),
        "amount_max_wan": _cmp(need, as_float(q("amount_max_wan")), False),
        "cities": _cities(city_of(p("city")), as_codes(q("cities")) or ()),
    }
    wanted = as_codes(q("required_certifications_any")) or ()
    held = as_codes(p("certifications")) if known else None
    if not wanted:
        out["required_certifications_any"] = NO_CONSTRAINT
    elif held is None:
        out["required_certifications_any"] = UNKNOWN
    else:
        out["required_certifications_any"] = PASS if set(wanted) & set(held) else FAIL
    revenue = as_float(p("annual_revenue_wan"))
    out["min_revenue_wan"] = _cmp(revenue, as_float(q("min_revenue_wan")), True)
    out["max_revenue_wan"] = _cmp(revenue, as_float(q("max_revenue_wan")), False)
    out["min_company_age_years"] = _cmp(age, as_float(q("min_company_age_years")), True)
    out["max_company_age_years"] = _cmp(age, as_float(q("max_company_age_years")), False)
    out["max_debt_ratio"] = _cmp(as_float(p("debt_ratio")), as_float(q("max_debt_ratio")), False)
    profit = as_float(p("net_profit_wan"))
    out["requires_profit"] = _requirement(as_required(q("requires_profit")),
                                          math.nan if math.isnan(profit) else float(profit > 0), 1.0)
    collateral = as_flag(p("has_collateral")) if known else math.nan
    out["requires_collateral"] = _requirement(as_required(q("requires_collateral")), collateral, 1.0)
    out["min_tax_grade"] = _cmp(tax_rank(p("tax_grade")), tax_rank(q("min_tax_grade")), True)
    out["excludes_hazardous"] = _requirement(as_required(q("excludes_hazardous")),
                                             as_flag(p("hazardous_chemicals")), 0.0)
    firsts = as_codes(p("three_firsts"))
    out["requires_three_firsts"] = _requirement(as_required(q("requires_three_firsts")),
                                                math.nan if firsts is None else float(len(firsts) > 0), 1.0)
    valid_to = date_ordinal(q("valid_to"))
    if math.isnan(valid_to):
        out["valid_to"] = NO_CONSTRAINT
    else:
        out["valid_to"] = PASS if valid_to >= today.toordinal() else FAIL
    out["budget_wan"] = _cmp(need, as_float(q("budget_wan")), False)
    return {f: out[f] for f in CLAUSE_FIELDS}


def reference_eligible(statuses: Mapping[str, int]) -> bool:
    return all(s != FAIL for s in statuses.values())


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as plain dicts, one per row."""
    return frame.to_dict(orient="records")


def reference_matrix(projects: pd.DataFrame, products: pd.DataFrame,
                     today: dt.date) -> list[list[dict[str, int]]]:
    """Every pair through ``reference_pair``: the slow baseline."""
    prods = rows(products)
    return [[reference_pair(p, q, today) for q in prods] for p in rows(projects)]

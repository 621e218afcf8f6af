"""The eligibility clauses, one object each: field, evaluation, Chinese reason, what-if fixes, description.

``CLAUSES`` is the single list the engine evaluates (``clauses.evaluate_clauses``), ``explain``
words (``reasons.reason``) and what-if repairs (``what_if``). Adding a clause: a product field in
``schemas``/``prepare.ProductArrays`` and its project-side array, an evaluator in ``clauses.py``, a
reason function in ``reasons.py``, optionally a fix rule in ``fixes.py``, one ``Clause`` here, its
name in ``values.CLAUSE_FIELDS`` and its per-pair check in ``reference.py`` (the independent oracle
the property tests compare with).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from finmatch.eligibility import clauses as ev
from finmatch.eligibility import fixes as fx
from finmatch.eligibility import reasons as rs
from finmatch.eligibility.prepare import ProductArrays, ProjectArrays
from finmatch.eligibility.values import CLAUSE_FIELDS

Evaluate = Callable[[ProjectArrays, ProductArrays, dt.date], np.ndarray]


@dataclass(frozen=True)
class Clause:
    """One product constraint: how it is checked, worded and repaired."""

    field: str  # the product field that states it (also the key of the status matrices)
    description: str  # what the clause asks, in Chinese, for pages and docs
    evaluate: Evaluate  # int8 N×M status (PASS, FAIL, UNKNOWN, NO_CONSTRAINT)
    reason: rs.ReasonFn  # (field, status, project row, product row, today) -> Chinese reason
    fix: fx.FixRule | None = None  # the project change that can satisfy it; None: nothing can


CLAUSES: tuple[Clause, ...] = (
    Clause("sectors", "项目所属领域在产品支持领域内", ev.sectors, rs.sectors_reason),
    Clause("stages", "项目所处阶段在产品支持阶段内", ev.stages, rs.stages_reason),
    Clause("trl_min", "技术成熟度不低于产品下限", ev.trl_min, rs.trl_reason, fx.RAISE_TRL),
    Clause("trl_max", "技术成熟度不高于产品上限", ev.trl_max, rs.trl_reason),
    Clause("amount_min_wan", "融资需求不低于单户（单笔）额度下限", ev.amount_min, rs.amount_reason, fx.RAISE_AMOUNT),
    Clause("amount_max_wan", "融资需求不超过单户（单笔）额度上限", ev.amount_max, rs.amount_reason, fx.LOWER_AMOUNT),
    Clause("cities", "企业所在城市在产品服务区域内", ev.cities, rs.cities_reason),
    Clause("required_certifications_any", "企业具备产品要求的资质之一", ev.certifications, rs.certifications_reason,
           fx.OBTAIN_CERTIFICATION),
    Clause("min_revenue_wan", "上年营业收入不低于产品下限", ev.min_revenue, rs.revenue_reason),
    Clause("max_revenue_wan", "上年营业收入不超过产品上限", ev.max_revenue, rs.revenue_reason),
    Clause("min_company_age_years", "企业成立年限不少于产品要求", ev.min_age, rs.company_age_reason, fx.WAIT_YEARS),
    Clause("max_company_age_years", "企业成立年限不超过产品上限", ev.max_age, rs.company_age_reason),
    Clause("max_debt_ratio", "资产负债率不超过产品上限", ev.max_debt, rs.debt_ratio_reason, fx.LOWER_DEBT_RATIO),
    Clause("requires_profit", "产品要求企业上年盈利", ev.requires_profit, rs.profit_reason),
    Clause("requires_collateral", "产品要求提供抵押（可引入担保替代）", ev.requires_collateral, rs.collateral_reason,
           fx.ADD_GUARANTEE),
    Clause("min_tax_grade", "纳税信用等级不低于产品要求", ev.min_tax, rs.tax_grade_reason, fx.IMPROVE_TAX_GRADE),
    Clause("excludes_hazardous", "产品不支持涉及危险化学品的项目", ev.excludes_hazardous, rs.hazardous_reason),
    Clause("requires_three_firsts", "产品仅支持有三首产品的项目", ev.requires_three_firsts, rs.three_firsts_reason),
    Clause("valid_to", "产品仍在有效期内", ev.valid_to, rs.valid_to_reason),
    Clause("budget_wan", "产品剩余额度可覆盖融资需求", ev.budget, rs.amount_reason, fx.LOWER_AMOUNT),
)
BY_FIELD: dict[str, Clause] = {c.field: c for c in CLAUSES}
assert tuple(BY_FIELD) == CLAUSE_FIELDS, "CLAUSES and CLAUSE_FIELDS must list the same fields in the same order"


def clause(field: str) -> Clause:
    """The clause of a product field (KeyError for a field that states no clause)."""
    return BY_FIELD[field]

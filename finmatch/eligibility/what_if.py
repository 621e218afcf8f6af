"""What-if: the smallest project changes that turn an ineligible pair eligible.

A change is a patch on the project's prepared arrays (the need, the collateral flag, a certification,
the company age…). Candidate patches come from the fix rules of the failed clauses (``clause_registry``
/ ``fixes``); each is then re-evaluated with the same vectorised engine against the whole catalogue,
so "which products this change unlocks" is the engine's own answer, never a second set of rules.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from finmatch.eligibility.clause_registry import CLAUSES
from finmatch.eligibility.clauses import eligible_from, evaluate_clauses
from finmatch.eligibility.fixes import Fix
from finmatch.eligibility.prepare import ProjectArrays
from finmatch.eligibility.reasons import fmt_num, fmt_pct
from finmatch.eligibility.values import FAIL
from finmatch.enums import Certification, TaxGrade

if TYPE_CHECKING:
    from finmatch.eligibility.evaluation import EligibilityResult

CHANGE_ORDER: tuple[str, ...] = ("lower_amount", "raise_amount", "add_guarantee", "obtain_certification",
                                 "wait_years", "raise_trl", "lower_debt_ratio", "improve_tax_grade", "combined")
MAX_COMBINATIONS = 32


@dataclass
class WhatIf:
    """One change to the project and the products it makes eligible on its own."""

    change: str
    description: str
    params: dict[str, Any] = field(default_factory=dict)
    product_ids: list[str] = field(default_factory=list)


def _fix_groups(res: EligibilityResult, i: int, j: int) -> list[list[Fix]] | None:
    """Per fix rule of the failed clauses, the alternative fixes; None when some failed clause has none."""
    failed = [c for c in CLAUSES if res.status[c.field][i, j] == FAIL]
    if any(c.fix is None for c in failed):
        return None
    rules = {c.fix.change: c.fix for c in failed if c.fix is not None}
    groups: list[list[Fix]] = []
    for change in sorted(rules, key=CHANGE_ORDER.index):
        proposed = rules[change].propose(res, i, j)
        if proposed is None:
            return None
        groups.append(proposed)
    return groups


def _apply(base: ProjectArrays, k: int, fixes: tuple[Fix, ...], cert_index: dict[str, int]) -> None:
    for fix in fixes:
        for key, value in fix.patch:
            if key == "cert":
                base.cert_onehot[k, cert_index[value]] = 1.0
                base.cert_known[k] = True
            else:
                getattr(base, key)[k] = value


def _evaluate(res: EligibilityResult, i: int, combos: list[tuple[Fix, ...]]) -> np.ndarray:
    """Eligibility (K × M) of project i under each combination of fixes."""
    sub = res.project_arrays.take([i] * len(combos))
    for k, combo in enumerate(combos):
        _apply(sub, k, combo, res.product_arrays.certs.index)
    eligible = eligible_from(evaluate_clauses(sub, res.product_arrays, res.today))
    valid_to = res.product_arrays.valid_to
    for k, combo in enumerate(combos):
        wait = max((f.wait_years for f in combo), default=0)
        if wait:  # the product must still be open on 1 January of the year the firm is old enough
            opens = dt.date(res.today.year + wait, 1, 1).toordinal()
            eligible[k] &= np.isnan(valid_to) | (valid_to >= opens)
    return eligible


def _describe(res: EligibilityResult, i: int, fix: Fix) -> tuple[str, dict[str, Any]]:
    params = dict(fix.params)
    if fix.change == "lower_amount":
        return f"将融资需求降至 {fmt_num(params['funding_need_wan'])} 万元", params
    if fix.change == "raise_amount":
        return f"将融资需求提高至 {fmt_num(params['funding_need_wan'])} 万元", params
    if fix.change == "add_guarantee":
        ids = res.guarantee_products(res.project_ids[i])
        params["guarantee_product_ids"] = ids
        if ids:
            names = "、".join(res.product_name(pid) for pid in ids[:3])
            more = " 等" if len(ids) > 3 else ""
            return f"增加担保：以目录中的担保产品（{names}{more}）替代抵押物", params
        return "增加担保：由担保机构提供担保替代抵押物（目录中暂无该项目符合条件的担保产品）", params
    if fix.change == "obtain_certification":
        code = params["certification"]
        return f"取得 {Certification.labels().get(code, code)} 资质", params
    if fix.change == "wait_years":
        age = res.today.year - int(res.project_arrays.founded[i]) + params["years"]
        return f"等待 {params['years']} 年（{params['from_year']} 年起企业成立满 {age} 年）", params
    if fix.change == "raise_trl":
        return f"将技术成熟度提升至 TRL {params['trl']}", params
    if fix.change == "lower_debt_ratio":
        return f"将资产负债率降至 {fmt_pct(params['debt_ratio'])}", params
    if fix.change == "improve_tax_grade":
        return f"将纳税信用等级提升至 {TaxGrade.labels()[params['tax_grade']]}", params
    raise KeyError(fix.change)


def _what_if(res: EligibilityResult, i: int, combo: tuple[Fix, ...], unlocked: np.ndarray) -> WhatIf:
    ids = [res.product_ids[j] for j in np.flatnonzero(unlocked)]
    if len(combo) == 1:
        description, params = _describe(res, i, combo[0])
        return WhatIf(combo[0].change, description, params, ids)
    parts = [_describe(res, i, f) for f in combo]
    steps = [{"change": f.change, "params": p} for f, (_, p) in zip(combo, parts, strict=True)]
    return WhatIf("combined", "；并".join(d for d, _ in parts), {"changes": steps}, ids)


def _order(combo: tuple[Fix, ...]) -> tuple[int, int, float]:
    first = CHANGE_ORDER.index(combo[0].change) if len(combo) == 1 else len(CHANGE_ORDER)
    return (len(combo), first, sum(f.cost for f in combo))


def pair_what_if(res: EligibilityResult, i: int, j: int) -> list[WhatIf]:
    """Changes (single, else the smallest combination) that make pair (i, j) eligible."""
    if res.eligible[i, j]:
        return []
    groups = _fix_groups(res, i, j)
    if not groups:
        return []
    combos = list(itertools.islice(itertools.product(*groups), MAX_COMBINATIONS))
    eligible = _evaluate(res, i, combos)
    before = res.eligible[i]
    out = [(c, eligible[k] & ~before) for k, c in enumerate(combos) if eligible[k, j]]
    out.sort(key=lambda item: _order(item[0]))
    return [_what_if(res, i, c, unlocked) for c, unlocked in out]


def project_what_if(res: EligibilityResult, i: int) -> list[WhatIf]:
    """Every single change that unlocks at least one product for project i, with those products."""
    fixes: dict[Fix, None] = {}
    for j in np.flatnonzero(~res.eligible[i]):
        groups = _fix_groups(res, i, int(j))
        if groups and len(groups) == 1:
            fixes.update(dict.fromkeys(groups[0]))
    if not fixes:
        return []
    combos: list[tuple[Fix, ...]] = [(f,) for f in fixes]
    eligible = _evaluate(res, i, combos)
    unlocked = eligible & ~res.eligible[i][None, :]
    out = [(c, unlocked[k]) for k, c in enumerate(combos) if unlocked[k].any()]
    out.sort(key=lambda item: _order(item[0]))
    return [_what_if(res, i, c, u) for c, u in out]

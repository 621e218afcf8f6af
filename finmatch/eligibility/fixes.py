"""What-if fixes: for a failed clause of pair (i, j), the project changes that would make it pass.

A fix is a patch on the project's prepared arrays (the need, the collateral flag, a certification,
the company age…). Each rule here is attached to its clauses in ``clause_registry``; clauses that
one change fixes together (the amount cap and the remaining budget) share a rule. A rule returns
None when no change to the project can satisfy the clause (e.g. the cap is below the product's floor).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from finmatch.eligibility.prepare import ProductArrays, ProjectArrays
from finmatch.enums import TAX_GRADE_OF_RANK


class FixContext(Protocol):
    """What a rule reads: the result's prepared arrays and the evaluation date (public accessors)."""

    @property
    def project_arrays(self) -> ProjectArrays: ...

    @property
    def product_arrays(self) -> ProductArrays: ...

    today: dt.date


@dataclass(frozen=True)
class Fix:
    change: str
    params: tuple[tuple[str, Any], ...]  # hashable, for de-duplication
    patch: tuple[tuple[str, Any], ...]  # ProjectArrays attribute (or "cert") -> new value
    cost: float = 0.0
    wait_years: int = 0


def make_fix(change: str, params: dict[str, Any], patch: dict[str, Any], cost: float = 0.0, wait: int = 0) -> Fix:
    return Fix(change, tuple(params.items()), tuple(patch.items()), cost, wait)


Propose = Callable[[FixContext, int, int], list[Fix] | None]


@dataclass(frozen=True)
class FixRule:
    """One kind of change (``change`` is its stable code, also its rank in CHANGE_ORDER)."""

    change: str
    propose: Propose


def _lower_amount(res: FixContext, i: int, j: int) -> list[Fix] | None:
    pa, qa = res.project_arrays, res.product_arrays
    target = float(np.nanmin([qa.amount_max[j], qa.budget[j]]))
    if target <= 0 or (not math.isnan(qa.amount_min[j]) and target < qa.amount_min[j]):
        return None
    return [make_fix("lower_amount", {"funding_need_wan": target}, {"need": target}, pa.need[i] - target)]


def _raise_amount(res: FixContext, i: int, j: int) -> list[Fix] | None:
    pa, qa = res.project_arrays, res.product_arrays
    target = float(qa.amount_min[j])
    if target > np.nanmin([qa.amount_max[j], qa.budget[j], math.inf]):
        return None
    return [make_fix("raise_amount", {"funding_need_wan": target}, {"need": target}, target - pa.need[i])]


def _add_guarantee(res: FixContext, i: int, j: int) -> list[Fix] | None:
    return [make_fix("add_guarantee", {}, {"collateral": 1.0})]


def _obtain_certification(res: FixContext, i: int, j: int) -> list[Fix] | None:
    certs = res.product_arrays.certs
    accepted = [c for c, k in certs.index.items() if certs.member[k, j]]
    return [make_fix("obtain_certification", {"certification": c}, {"cert": c}) for c in accepted]


def _wait_years(res: FixContext, i: int, j: int) -> list[Fix] | None:
    pa, qa, today = res.project_arrays, res.product_arrays, res.today
    years = int(qa.min_age[j] - (today.year - pa.founded[i]))
    return [make_fix("wait_years", {"years": years, "from_year": today.year + years},
                     {"founded": pa.founded[i] - years}, years, years)]


def _raise_trl(res: FixContext, i: int, j: int) -> list[Fix] | None:
    target = float(res.product_arrays.trl_min[j])
    return [make_fix("raise_trl", {"trl": int(target)}, {"trl": target}, target - res.project_arrays.trl[i])]


def _lower_debt_ratio(res: FixContext, i: int, j: int) -> list[Fix] | None:
    target = float(res.product_arrays.max_debt[j])
    return [make_fix("lower_debt_ratio", {"debt_ratio": target}, {"debt": target},
                     res.project_arrays.debt[i] - target)]


def _improve_tax_grade(res: FixContext, i: int, j: int) -> list[Fix] | None:
    rank = float(res.product_arrays.min_tax[j])
    return [make_fix("improve_tax_grade", {"tax_grade": TAX_GRADE_OF_RANK[int(rank)]}, {"tax": rank},
                     rank - res.project_arrays.tax[i])]


LOWER_AMOUNT = FixRule("lower_amount", _lower_amount)
RAISE_AMOUNT = FixRule("raise_amount", _raise_amount)
ADD_GUARANTEE = FixRule("add_guarantee", _add_guarantee)
OBTAIN_CERTIFICATION = FixRule("obtain_certification", _obtain_certification)
WAIT_YEARS = FixRule("wait_years", _wait_years)
RAISE_TRL = FixRule("raise_trl", _raise_trl)
LOWER_DEBT_RATIO = FixRule("lower_debt_ratio", _lower_debt_ratio)
IMPROVE_TAX_GRADE = FixRule("improve_tax_grade", _improve_tax_grade)

"""Vectorised clause evaluation: one int8 N×M status matrix per clause, no per-pair Python.

One evaluator function per clause (wired to its field, reason and what-if fixes in
``clause_registry``), built from three shapes: a numeric bound, a code in a product's list, a flag.

Each matrix holds 1 pass, 0 fail, -1 unknown (the project lacks the field), 2 no constraint (the
product leaves the field out). "No constraint" wins over "unknown": a project missing a field that no
product asks about is not reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from finmatch.eligibility.prepare import ProductArrays, ProjectArrays, Vocab
from finmatch.eligibility.values import FAIL, NO_CONSTRAINT, UNKNOWN

Compare = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _finish(ok: np.ndarray, unknown_rows: np.ndarray, constrained: np.ndarray) -> np.ndarray:
    """bool N×M pass matrix -> int8 status, marking unknown rows and unconstrained columns."""
    status = ok.view(np.int8)  # True/False are stored as 1/0 already
    if unknown_rows.any():
        status[unknown_rows] = UNKNOWN
    if not constrained.all():
        status[:, ~constrained] = NO_CONSTRAINT
    return status


def _none(n: int, m: int) -> np.ndarray:
    return np.full((n, m), NO_CONSTRAINT, dtype=np.int8)


def _numeric(value: np.ndarray, bound: np.ndarray, op: Compare) -> np.ndarray:
    constrained = ~np.isnan(bound)
    if not constrained.any():
        return _none(len(value), len(bound))
    ok = op(value[:, None], bound[None, :])
    return _finish(ok, np.isnan(value), constrained)


def _membership(idx: np.ndarray, vocab: Vocab) -> np.ndarray:
    """A project's single code against each product's list (empty list = any)."""
    n, m = len(idx), vocab.member.shape[1]
    if not vocab.constrained.any():
        return _none(n, m)
    unknown = idx < 0
    ok = vocab.member[np.where(unknown, len(vocab.index), idx)]
    return _finish(ok, unknown, vocab.constrained)


def _flag(value: np.ndarray, required: np.ndarray, wanted: float) -> np.ndarray:
    """A per-project flag against a per-product requirement (False = no constraint)."""
    n, m = len(value), len(required)
    if not required.any():
        return _none(n, m)
    ok = np.broadcast_to((value == wanted)[:, None], (n, m)).copy()
    return _finish(ok, np.isnan(value), required)


def company_age(founded: np.ndarray, today: dt.date) -> np.ndarray:
    """Age in whole years as the products count it: today's year minus the founding year."""
    return today.year - founded


# -- one evaluator per clause: (project arrays, product arrays, today) -> int8 N×M status ----------
def sectors(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    # an inferred sector below the confidence threshold is unknown, not a pass or a fail
    sector_idx = np.where(pa.sector_unconfirmed, -1, pa.sector_idx)
    return _membership(sector_idx, qa.sectors)


def stages(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _membership(pa.stage_idx, qa.stages)


def trl_min(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(pa.trl, qa.trl_min, np.greater_equal)


def trl_max(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(pa.trl, qa.trl_max, np.less_equal)


def amount_min(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(pa.need, qa.amount_min, np.greater_equal)


def amount_max(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(pa.need, qa.amount_max, np.less_equal)


def cities(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    status = _membership(pa.city_idx, qa.cities)
    partial = qa.city_gx_partial & qa.cities.constrained
    if pa.city_is_region.any() and partial.any():
        rows = np.flatnonzero(pa.city_is_region)
        cols = np.flatnonzero(partial)
        status[np.ix_(rows, cols)] = UNKNOWN  # "广西" alone cannot tell which city
    return status


def certifications(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    if not qa.certs.constrained.any():
        return _none(pa.n, qa.m)
    accepted = qa.certs.member[:-1].astype(np.float32)  # (V, M)
    ok = (pa.cert_onehot @ accepted) > 0.5
    return _finish(ok, ~pa.cert_known, qa.certs.constrained)


def min_revenue(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(pa.revenue, qa.min_revenue, np.greater_equal)


def max_revenue(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(pa.revenue, qa.max_revenue, np.less_equal)


def min_age(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(company_age(pa.founded, today), qa.min_age, np.greater_equal)


def max_age(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(company_age(pa.founded, today), qa.max_age, np.less_equal)


def max_debt(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(pa.debt, qa.max_debt, np.less_equal)


def requires_profit(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    profitable = np.where(np.isnan(pa.profit), np.nan, (pa.profit > 0).astype(np.float64))
    return _flag(profitable, qa.requires_profit, 1.0)


def requires_collateral(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _flag(pa.collateral, qa.requires_collateral, 1.0)


def min_tax(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(pa.tax, qa.min_tax, np.greater_equal)


def excludes_hazardous(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _flag(pa.hazardous, qa.excludes_hazardous, 0.0)


def requires_three_firsts(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    listed = np.where(np.isnan(pa.three_firsts), np.nan, (pa.three_firsts >= 1).astype(np.float64))
    return _flag(listed, qa.requires_three_firsts, 1.0)


def valid_to(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    valid = ~np.isnan(qa.valid_to)
    if not valid.any():
        return _none(pa.n, qa.m)
    still_valid = np.broadcast_to(qa.valid_to >= today.toordinal(), (pa.n, qa.m)).copy()
    return _finish(still_valid, np.zeros(pa.n, dtype=bool), valid)


def budget(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> np.ndarray:
    return _numeric(pa.need, qa.budget, np.less_equal)


def evaluate_clauses(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> dict[str, np.ndarray]:
    """All clause matrices for N projects × M products, in ``CLAUSE_FIELDS`` order (see the registry)."""
    from finmatch.eligibility.clause_registry import CLAUSES

    return {c.field: c.evaluate(pa, qa, today) for c in CLAUSES}


def eligible_from(status: dict[str, np.ndarray]) -> np.ndarray:
    """Eligible = no clause fails; unknown does not exclude."""
    first = next(iter(status.values()))
    eligible = np.ones(first.shape, dtype=bool)
    for matrix in status.values():
        eligible &= matrix != FAIL
    return eligible


def margins(pa: ProjectArrays, qa: ProductArrays, today: dt.date) -> dict[str, np.ndarray]:
    """Continuous float32 N×M ranking features beside the yes/no clauses; NaN where no constraint."""
    f32 = np.float32
    col = {k: v.astype(f32)[:, None] for k, v in
           {"need": pa.need, "trl": pa.trl, "debt": pa.debt, "age": company_age(pa.founded, today)}.items()}
    row = {k: v.astype(f32)[None, :] for k, v in
           {"amax": qa.amount_max, "budget": qa.budget, "tmin": qa.trl_min, "tmax": qa.trl_max,
            "amin_age": qa.min_age, "amax_age": qa.max_age, "debt": qa.max_debt}.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        dist = np.fmax(row["tmin"] - col["trl"], col["trl"] - row["tmax"])  # fmax skips a NaN bound
        np.fmax(dist, f32(0), out=dist, where=~np.isnan(dist))  # inside the range -> 0
        return {
            "amount_ratio": col["need"] / row["amax"],
            "budget_cover_ratio": row["budget"] / col["need"],
            "trl_distance": dist,
            "age_over_min_years": col["age"] - row["amin_age"],
            "age_under_max_years": row["amax_age"] - col["age"],
            "debt_ratio_headroom": row["debt"] - col["debt"],
        }

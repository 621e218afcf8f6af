"""Vectorised clause evaluation: one int8 N×M status matrix per clause, no per-pair Python.

One evaluator function per clause (wired to its field, reason and what-if fixes in
``clause_registry``), built from three shapes: a numeric bound, a code in a product's list, a flag.

Each matrix holds 1 pass, 0 fail, -1 unknown (the project lacks the field), 2 no constraint (the
product leaves the field out). "No constraint" wins over "unknown": a project missing a field that no
product asks about is not reported.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable

import numpy as np

from finmatch.eligibility.prepare import ProductArrays, ProjectArrays, Vocab
from finmatch.eligibility.values import FAIL, NO_CONSTRAINT, UNKNOWN

Compare = Callable[[np.ndarray, np.ndarray], np.ndarray]


_FLOOR = np.int8(-128)  # below every status: np.maximum with it leaves a status as it is
_CONSTRAINTS: dict[int, tuple[weakref.ref, tuple[bool, bool, np.ndarray]]] = {}


def _constraint(constrained: np.ndarray) -> tuple[bool, bool, np.ndarray]:
    """Whether any / every product is constrained, and the per-product floor that turns an unconstrained
    column into NO_CONSTRAINT (``np.maximum``; the rest keep their status). Product arrays are prepared once
    per catalogue frame, so this is kept per array (weak reference)."""
    entry = _CONSTRAINTS.get(id(constrained))
    if entry is not None and entry[0]() is constrained:
        return entry[1]
    value = (bool(constrained.any()), bool(constrained.all()),
             np.where(constrained, _FLOOR, np.int8(NO_CONSTRAINT)).astype(np.int8))
    if len(_CONSTRAINTS) > 256:
        _CONSTRAINTS.clear()
    _CONSTRAINTS[id(constrained)] = (weakref.ref(constrained), value)
    return value


def _finish(ok: np.ndarray, unknown_rows: np.ndarray, constrained: np.ndarray) -> np.ndarray:
    """bool N×M pass matrix -> int8 status, marking unknown rows and unconstrained columns."""
    status = ok.view(np.int8)  # True/False are stored as 1/0 already
    if unknown_rows.any():
        status[unknown_rows] = UNKNOWN
    _, every, floor = _constraint(constrained)
    if not every:
        np.maximum(status, floor, out=status)  # NO_CONSTRAINT (the largest code) wins over unknown
    return status


def _none(n: int, m: int) -> np.ndarray:
    return np.full((n, m), NO_CONSTRAINT, dtype=np.int8)


def _numeric(value: np.ndarray, bound: np.ndarray, op: Compare) -> np.ndarray:
    constrained = _bounded(bound)
    if not _constraint(constrained)[0]:
        return _none(len(value), len(bound))
    return _finish(_compare(value, bound, op), np.isnan(value), constrained)


def _compare(value: np.ndarray, bound: np.ndarray, op: Compare) -> np.ndarray:
    """``op(value[:, None], bound[None, :])`` where both are numbers (NaN rows and columns are overwritten by
    ``_finish``). ``>=`` / ``<=`` compare ranks instead: a bound's rank among the sorted bounds against how
    many bounds lie at or below the project's value, as small integers (~6× cheaper than float64 here)."""
    if op is not np.greater_equal and op is not np.less_equal:
        return op(value[:, None], bound[None, :])
    ordered, rank = _ranks(bound)
    if op is np.greater_equal:  # value >= bound: the bound is among those at or below the value
        below = np.searchsorted(ordered, value, side="right").astype(rank.dtype)
        return np.greater(below[:, None], rank[None, :])
    below = np.searchsorted(ordered, value, side="left").astype(rank.dtype)  # bounds under the value
    return np.less_equal(below[:, None], rank[None, :])  # value <= bound


_BOUNDED: dict[tuple[int, str], tuple[weakref.ref, object]] = {}


def _kept(array: np.ndarray, what: str, build: Callable[[np.ndarray], object]) -> object:
    """``build(array)``, kept per product array (the same array on every call for a catalogue frame)."""
    key = (id(array), what)
    entry = _BOUNDED.get(key)
    if entry is not None and entry[0]() is array:
        return entry[1]
    value = build(array)
    if len(_BOUNDED) > 512:
        _BOUNDED.clear()
    _BOUNDED[key] = (weakref.ref(array), value)
    return value


def _bounded(bound: np.ndarray) -> np.ndarray:
    """``~np.isnan(bound)``: the products that state the bound."""
    return _kept(bound, "bounded", lambda b: ~np.isnan(b))  # type: ignore[return-value]


def _ranks(bound: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stated bounds sorted, and each product's position among them (ties: consecutive positions)."""
    def build(b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        stated = np.flatnonzero(~np.isnan(b))
        order = stated[np.argsort(b[stated], kind="stable")]
        rank = np.zeros(len(b), dtype=np.int16 if len(b) < 2**15 else np.int64)  # unstated: overwritten
        rank[order] = np.arange(len(order))
        return b[order], rank
    return _kept(bound, "ranks", build)  # type: ignore[return-value]


def _membership(idx: np.ndarray, vocab: Vocab) -> np.ndarray:
    """A project's single code against each product's list (empty list = any)."""
    n, m = len(idx), vocab.member.shape[1]
    if not _constraint(vocab.constrained)[0]:
        return _none(n, m)
    unknown = idx < 0
    ok = vocab.member[np.where(unknown, len(vocab.index), idx)]
    return _finish(ok, unknown, vocab.constrained)


def _flag(value: np.ndarray, required: np.ndarray, wanted: float) -> np.ndarray:
    """A per-project flag against a per-product requirement (False = no constraint)."""
    n, m = len(value), len(required)
    if not _constraint(required)[0]:
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
    if not _constraint(qa.certs.constrained)[0]:
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
    valid = _bounded(qa.valid_to)
    if not _constraint(valid)[0]:
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
    passed = np.empty(first.shape, dtype=bool)
    for matrix in status.values():
        eligible &= np.not_equal(matrix, FAIL, out=passed)
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

"""Turn the project and product frames into flat numpy arrays the clause matrices are built from.

Numbers become float64 with NaN for missing; list-valued product fields become a membership table
(one row per code, plus a last all-False row for codes no product lists) so that a project's single
code picks its row of the table (a gather, N×M), and certifications become one-hot matrices
multiplied together (project-has × product-accepts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from finmatch.eligibility.values import (
    GUANGXI_SET,
    as_code,
    as_codes,
    as_flag,
    as_float,
    as_required,
    city_of,
    column_array,
    date_ordinal,
    expand_cities,
    tax_rank,
)
from finmatch.enums import GUANGXI, TAX_GRADE_RANK

# An inferred sector below this confidence is not a fact: the sector clause reads it as unknown (待确认领域).
SECTOR_CONFIRM_CONFIDENCE = 0.6


def _column(frame: pd.DataFrame, name: str) -> list[Any]:
    """The column as a Python list; a column the frame lacks reads as all missing."""
    if name not in frame.columns:
        return [None] * len(frame)
    return column_array(frame, name).tolist()


def _floats(frame: pd.DataFrame, name: str) -> np.ndarray:
    return np.array([as_float(v) for v in _column(frame, name)], dtype=np.float64)


@dataclass
class Vocab:
    """Membership of codes in each product's list: ``member[code_index, product]``."""

    index: dict[str, int]
    member: np.ndarray  # (V + 1, M) bool; the last row is "a code no product lists"
    constrained: np.ndarray  # (M,) bool: the product's list is non-empty

    def lookup(self, code: str | None) -> int:
        """Row of a project's code; -1 when the project has none (unknown)."""
        if code is None:
            return -1
        return self.index.get(code, len(self.index))


def _vocab(sets: list[frozenset[str]]) -> Vocab:
    codes = sorted(set().union(*sets)) if sets else []
    index = {c: k for k, c in enumerate(codes)}
    member = np.zeros((len(codes) + 1, len(sets)), dtype=bool)
    for j, s in enumerate(sets):
        for c in s:
            member[index[c], j] = True
    constrained = np.array([bool(s) for s in sets], dtype=bool)
    return Vocab(index, member, constrained)


@dataclass
class ProductArrays:
    ids: list[str]
    family: list[str | None]
    sectors: Vocab
    stages: Vocab
    cities: Vocab
    city_gx_partial: np.ndarray  # covers some but not all 14 Guangxi cities
    certs: Vocab  # member[:-1] is the (V, M) one-hot of accepted certifications
    trl_min: np.ndarray
    trl_max: np.ndarray
    amount_min: np.ndarray
    amount_max: np.ndarray
    min_revenue: np.ndarray
    max_revenue: np.ndarray
    min_age: np.ndarray
    max_age: np.ndarray
    max_debt: np.ndarray
    min_tax: np.ndarray
    requires_profit: np.ndarray
    requires_collateral: np.ndarray
    excludes_hazardous: np.ndarray
    requires_three_firsts: np.ndarray
    valid_to: np.ndarray  # date ordinals
    budget: np.ndarray

    @property
    def m(self) -> int:
        return len(self.ids)


def prepare_products(products: pd.DataFrame) -> ProductArrays:
    def code_sets(name: str) -> list[frozenset[str]]:
        return [frozenset(as_codes(v) or ()) for v in _column(products, name)]

    city_sets = [expand_cities(as_codes(v) or ()) for v in _column(products, "cities")]
    gx_count = np.array([len(s & GUANGXI_SET) for s in city_sets])
    min_tax = []
    for pid, v in zip(products.index, _column(products, "min_tax_grade"), strict=True):
        code = as_code(v)
        if code is not None and code.upper() not in TAX_GRADE_RANK:
            raise ValueError(f"产品 {pid} 的纳税信用等级下限 '{code}' 无效（应为 A/B/M/C/D） / bad min_tax_grade")
        min_tax.append(tax_rank(v))
    return ProductArrays(
        ids=[str(i) for i in products.index],
        family=[as_code(v) for v in _column(products, "family")],
        sectors=_vocab(code_sets("sectors")),
        stages=_vocab(code_sets("stages")),
        cities=_vocab(city_sets),
        city_gx_partial=(gx_count > 0) & (gx_count < len(GUANGXI_SET)),
        certs=_vocab(code_sets("required_certifications_any")),
        trl_min=_floats(products, "trl_min"),
        trl_max=_floats(products, "trl_max"),
        amount_min=_floats(products, "amount_min_wan"),
        amount_max=_floats(products, "amount_max_wan"),
        min_revenue=_floats(products, "min_revenue_wan"),
        max_revenue=_floats(products, "max_revenue_wan"),
        min_age=_floats(products, "min_company_age_years"),
        max_age=_floats(products, "max_company_age_years"),
        max_debt=_floats(products, "max_debt_ratio"),
        min_tax=np.array(min_tax, dtype=np.float64),
        requires_profit=np.array([as_required(v) for v in _column(products, "requires_profit")], dtype=bool),
        requires_collateral=np.array([as_required(v) for v in _column(products, "requires_collateral")],
                                     dtype=bool),
        excludes_hazardous=np.array([as_required(v) for v in _column(products, "excludes_hazardous")],
                                    dtype=bool),
        requires_three_firsts=np.array([as_required(v) for v in _column(products, "requires_three_firsts")],
                                       dtype=bool),
        valid_to=np.array([date_ordinal(v) for v in _column(products, "valid_to")], dtype=np.float64),
        budget=_floats(products, "budget_wan"),
    )


@dataclass
class ProjectArrays:
    ids: list[str]
    sector_idx: np.ndarray  # int64, -1 unknown
    sector_inferred: np.ndarray  # bool
    sector_confidence: np.ndarray  # float, NaN for a stated sector
    sector_unconfirmed: np.ndarray  # bool: inferred below SECTOR_CONFIRM_CONFIDENCE
    stage_idx: np.ndarray
    city_idx: np.ndarray
    city_is_region: np.ndarray  # the enterprise gave only 广西, no city
    cert_onehot: np.ndarray  # (N, V) float32 over the products' certification vocabulary
    cert_known: np.ndarray  # bool
    trl: np.ndarray
    need: np.ndarray
    revenue: np.ndarray
    profit: np.ndarray
    debt: np.ndarray
    founded: np.ndarray
    tax: np.ndarray
    collateral: np.ndarray  # 1/0/NaN
    hazardous: np.ndarray  # 1/0/NaN
    three_firsts: np.ndarray  # count, NaN when unknown

    @property
    def n(self) -> int:
        return len(self.ids)

    def take(self, rows: list[int] | np.ndarray) -> ProjectArrays:
        """The given rows (repeats allowed), copied so they can be patched for a what-if."""
        rows = np.asarray(rows, dtype=np.int64)
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        out: dict[str, Any] = {k: (v[rows].copy() if isinstance(v, np.ndarray) else [v[r] for r in rows])
               for k, v in values.items()}
        return replace(self, **out)


def enterprise_known(projects: pd.DataFrame) -> list[bool]:
    """False where the project's enterprise was not found (frames fill its lists with defaults)."""
    if "enterprise_name" not in projects.columns:
        return [True] * len(projects)
    return [not (v is None or (isinstance(v, float) and math.isnan(v))) for v in projects["enterprise_name"]]


def project_sector(stated: Any, inferred: Any) -> tuple[str | None, bool]:
    """The sector used for matching and whether it was inferred from the description."""
    code = as_code(stated)
    if code is not None:
        return code, False
    code = as_code(inferred)
    return (code, True) if code is not None else (None, False)


def prepare_projects(projects: pd.DataFrame, prod: ProductArrays) -> ProjectArrays:
    known = enterprise_known(projects)
    sectors = [project_sector(s, i) for s, i in zip(_column(projects, "sector"), _column(projects, "inferred_sector"),
                                                    strict=True)]
    cities = [city_of(v) for v in _column(projects, "city")]
    cert_lists = [as_codes(v) if k else None for v, k in zip(_column(projects, "certifications"), known, strict=True)]
    onehot = np.zeros((len(projects), len(prod.certs.index)), dtype=np.float32)
    for i, codes in enumerate(cert_lists):
        for c in codes or ():
            k = prod.certs.index.get(c)
            if k is not None:
                onehot[i, k] = 1.0
    collateral = [as_flag(v) if k else math.nan for v, k in zip(_column(projects, "has_collateral"), known,
                                                                strict=True)]
    three = [as_codes(v) for v in _column(projects, "three_firsts")]
    inferred = np.array([inf for _, inf in sectors], dtype=bool)
    confidence = np.where(inferred, _floats(projects, "sector_confidence"), np.nan)
    return ProjectArrays(
        ids=[str(i) for i in projects.index],
        sector_idx=np.array([prod.sectors.lookup(c) for c, _ in sectors], dtype=np.int64),
        sector_inferred=inferred,
        sector_confidence=confidence,
        sector_unconfirmed=inferred & ~(np.nan_to_num(confidence, nan=1.0) >= SECTOR_CONFIRM_CONFIDENCE),
        stage_idx=np.array([prod.stages.lookup(as_code(v)) for v in _column(projects, "stage")], dtype=np.int64),
        city_idx=np.array([prod.cities.lookup(c) for c in cities], dtype=np.int64),
        city_is_region=np.array([c == GUANGXI for c in cities], dtype=bool),
        cert_onehot=onehot,
        cert_known=np.array([c is not None for c in cert_lists], dtype=bool),
        trl=_floats(projects, "trl"),
        need=_floats(projects, "funding_need_wan"),
        revenue=_floats(projects, "annual_revenue_wan"),
        profit=_floats(projects, "net_profit_wan"),
        debt=_floats(projects, "debt_ratio"),
        founded=_floats(projects, "founded_year"),
        tax=np.array([tax_rank(v) for v in _column(projects, "tax_grade")], dtype=np.float64),
        collateral=np.array(collateral, dtype=np.float64),
        hazardous=np.array([as_flag(v) for v in _column(projects, "hazardous_chemicals")], dtype=np.float64),
        three_firsts=np.array([math.nan if t is None else float(len(t)) for t in three], dtype=np.float64),
    )

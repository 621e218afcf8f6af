"""Frozen copy of ``features/pair_columns.py`` as it was before the feature-matrix speed work (issue 15): the
reference ``test_feature_matrix_equivalence.py`` compares the current code against. Do not edit.

The original module docstring follows.

Column readers and the vectorised pair features of the pair builder.

Every feature is computed once per project (``ProjectColumns``, N rows) or once per product
(``ProductColumns``, M rows, built once per catalogue frame) and then gathered onto the eligible pairs
by integer positions ``pi`` / ``qj``; list-valued fields become membership tables (one row per code,
a last all-False row for codes no product lists) so a pair reads ``member[code_row[pi], qj]``. No
Python loop runs per pair. The values equal the per-pair definitions bit for bit (the same float
operations, only gathered), which the engine equivalence test checks.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from finmatch.enums import FAMILY_CODES, STAGE_CODES, TAX_GRADE_RANK

FAMILIES = FAMILY_CODES
STAGES = STAGE_CODES
TAX_RANK = TAX_GRADE_RANK
THREE_FIRST_WORDS = {"first_set": ("首台",), "first_batch": ("首批次",), "first_version": ("首版次",)}
THREE_FIRST_KINDS = ("首台", "首批次", "首版次", "三首")


def blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def num(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    series = frame[col]
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "fiub":  # plain numpy numbers: no parsing
        return series.to_numpy(dtype=float)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def flag(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.zeros(len(frame))
    return np.array([bool(v) and not blank(v) for v in frame[col]], dtype=float)


def as_tuple(v: Any) -> tuple:
    return tuple(v) if isinstance(v, list | tuple | set | frozenset) else ()


def slog(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def sector_values(projects: pd.DataFrame) -> list[str | None]:
    """The sector each project is matched on: the stated one, else the inferred one, else None."""
    stated = _column(projects, "sector")
    if "inferred_sector" in projects:
        stated = [i if blank(s) else s for s, i in zip(stated, projects["inferred_sector"].tolist(), strict=True)]
    return [None if blank(v) else str(v) for v in stated]


def sector_series(projects: pd.DataFrame) -> pd.Series:
    return pd.Series(sector_values(projects), index=projects.index, dtype=object)


def _column(frame: pd.DataFrame, col: str) -> list[Any]:
    return frame[col].tolist() if col in frame.columns else [None] * len(frame)


@dataclass
class Membership:
    """``member[row, j]``: product j lists the code of ``row``; ``open_[j]``: product j lists none."""

    vocab: dict[Any, int]
    member: np.ndarray  # (V + 1, M) bool, last row all False
    open_: np.ndarray  # (M,) bool

    @classmethod
    def of(cls, lists: list[tuple]) -> Membership:
        vocab: dict[Any, int] = {}
        for t in lists:
            for c in t:
                vocab.setdefault(c, len(vocab))
        member = np.zeros((len(vocab) + 1, len(lists)), dtype=bool)
        for j, t in enumerate(lists):
            for c in t:
                member[vocab[c], j] = True
        return cls(vocab, member, np.array([not t for t in lists], dtype=bool))

    def rows(self, values: list[Any]) -> np.ndarray:
        """The table row of each project's value (codes no product lists, None, NaN → the all-False row)."""
        miss = len(self.vocab)
        out = np.empty(len(values), dtype=np.int64)
        for i, v in enumerate(values):
            try:
                out[i] = self.vocab.get(v, miss)
            except TypeError:  # unhashable value: never in a tuple of codes
                out[i] = miss
        return out

    def pair(self, rows: np.ndarray, pi: np.ndarray, qj: np.ndarray) -> np.ndarray:
        """0.5 where the product lists nothing, else 1/0 membership."""
        return np.where(self.open_[qj], 0.5, self.member[rows[pi], qj].astype(float))


@dataclass
class ProductColumns:
    """Product-side arrays of one catalogue frame (built once per frame)."""

    ids: pd.Index
    values: dict[str, np.ndarray]  # product-only features, (M,) each
    family: np.ndarray  # str per product
    family_code: np.ndarray  # index into family_vocab
    family_vocab: dict[str, int]
    lo: np.ndarray
    hi: np.ndarray
    budget: np.ndarray
    tmin: np.ndarray
    tmax: np.ndarray
    stages: Membership
    sectors: Membership
    cities: Membership
    city_any: np.ndarray  # product serves all of Guangxi (0.5 like an empty list)
    three_first_kind: np.ndarray  # (3, M) bool: the kind names 首台 / 首批次 / 首版次
    first_loan_text: np.ndarray  # (M,) float
    hazard_text: np.ndarray  # (M,) float
    institution: np.ndarray  # str per product
    inst_city_code: np.ndarray  # (M,) int, -1 where the institution's city is unknown
    inst_city_vocab: dict[str, int]

    @property
    def m(self) -> int:
        return len(self.ids)


def product_columns(pr: pd.DataFrame, rate_median: dict[str, float],
                    institution_city: dict[str, str]) -> ProductColumns:
    n = len(pr)
    f: dict[str, np.ndarray] = {}
    family = pr["family"].astype(str).to_numpy()
    kind = pr["kind"].fillna("").astype(str).to_numpy() if n else np.zeros(0, dtype=object)
    for fam in FAMILIES:
        f[f"fam_{fam}"] = (family == fam).astype(float)
    lo, hi = num(pr, "amount_min_wan"), num(pr, "amount_max_wan")
    f["amount_min_log"], f["amount_max_log"] = np.log1p(lo), np.log1p(hi)
    rate = num(pr, "rate_pct")
    f["rate_pct"] = rate
    med = np.array([rate_median.get(x, np.nan) for x in family], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f["rate_rel_family"] = np.where(med > 0, rate / med, np.nan)
    f["tenor_months"] = num(pr, "tenor_months")
    budget = num(pr, "budget_wan")
    f["budget_log"] = np.log1p(budget)
    sectors = [as_tuple(s) for s in _column(pr, "sectors")]
    stages = [as_tuple(s) for s in _column(pr, "stages")]
    cities_raw = _column(pr, "cities")
    f["product_n_sectors"] = np.array([len(s) for s in sectors], dtype=float)
    f["product_n_stages"] = np.array([len(s) for s in stages], dtype=float)
    f["kind_pilot"] = np.array(["中试" in k for k in kind], dtype=float)
    f["kind_ip"] = np.array(["知识产权" in k for k in kind], dtype=float)
    f["kind_three_firsts"] = np.array([any(w in k for w in THREE_FIRST_KINDS) for k in kind], dtype=float)
    ptext = (pr["description"].fillna("").astype(str) + kind).to_numpy() if n else np.zeros(0, dtype=object)
    fam_vocab: dict[str, int] = {}
    for x in family:
        fam_vocab.setdefault(x, len(fam_vocab))
    inst = pr["institution_id"].astype(str).to_numpy() if n else np.zeros(0, dtype=object)
    inst_city = [institution_city.get(str(i)) for i in _column(pr, "institution_id")]
    city_vocab: dict[str, int] = {}
    for c in inst_city:
        if c is not None:
            city_vocab.setdefault(c, len(city_vocab))
    return ProductColumns(
        ids=pd.Index(pr.index), values=f, family=family,
        family_code=np.array([fam_vocab[x] for x in family], dtype=np.int64), family_vocab=fam_vocab,
        lo=lo, hi=hi, budget=budget, tmin=num(pr, "trl_min"), tmax=num(pr, "trl_max"),
        stages=Membership.of(stages), sectors=Membership.of(sectors),
        cities=Membership.of([as_tuple(c) for c in cities_raw]),
        city_any=np.array([cs == ("广西",) for cs in cities_raw], dtype=bool),
        three_first_kind=np.array([[any(w in k for w in THREE_FIRST_WORDS[t]) for k in kind]
                                   for t in THREE_FIRST_WORDS], dtype=bool).reshape(len(THREE_FIRST_WORDS), n),
        first_loan_text=np.array(["首贷" in t for t in ptext], dtype=float),
        hazard_text=np.array([("危险化学品" in t) or ("危化" in t) for t in ptext], dtype=float),
        institution=inst,
        inst_city_code=np.array([-1 if c is None else city_vocab[c] for c in inst_city], dtype=np.int64),
        inst_city_vocab=city_vocab)


@dataclass
class ProjectColumns:
    """Project-side arrays of the projects being scored (N rows, in frame order)."""

    values: dict[str, np.ndarray]
    need: np.ndarray
    trl: np.ndarray
    stage: list[Any]
    sector: list[str | None]
    city: list[str]
    funding_types: list[tuple]
    three_firsts: np.ndarray  # (N, 3) bool over THREE_FIRST_WORDS
    collateral: np.ndarray
    hazard: np.ndarray


def project_columns(pj: pd.DataFrame, today: dt.date) -> ProjectColumns:
    n = len(pj)
    f: dict[str, np.ndarray] = {}
    need = num(pj, "funding_need_wan")
    trl = num(pj, "trl")
    stage = pj["stage"].astype(object).tolist()
    f["need_log"] = np.log1p(need)
    f["trl"] = trl
    f["stage_idx"] = np.array([STAGES.index(s) if s in STAGES else np.nan for s in stage], dtype=float)
    f["months_to_production"] = num(pj, "months_to_production")
    revenue, profit = num(pj, "annual_revenue_wan"), num(pj, "net_profit_wan")
    f["revenue_log"] = np.log1p(np.maximum(revenue, 0))
    f["profit_slog"] = slog(profit)
    f["profitable"] = np.where(np.isnan(profit), np.nan, (profit > 0).astype(float))
    f["debt_ratio"] = num(pj, "debt_ratio")
    f["rd_ratio"] = num(pj, "rd_ratio")
    f["age_years"] = today.year - num(pj, "founded_year")
    f["employees_log"] = np.log1p(num(pj, "employees"))
    f["patents_log"] = np.log1p(num(pj, "invention_patents"))
    certs = [set(as_tuple(c)) for c in (pj["certifications"] if n else [])]
    f["n_certs"] = np.array([len(c) for c in certs], dtype=float)
    f["cert_high_tech"] = np.array(["high_tech" in c for c in certs], dtype=float)
    f["cert_tech_sme"] = np.array(["tech_sme" in c for c in certs], dtype=float)
    f["cert_little_giant"] = np.array([bool(c & {"specialized_sme", "little_giant"}) for c in certs], dtype=float)
    f["cert_growth"] = np.array([bool(c & {"gazelle", "little_giant"}) for c in certs], dtype=float)
    f["tax_rank"] = np.array([TAX_RANK.get(str(t), np.nan) for t in _column(pj, "tax_grade")], dtype=float)
    collateral = flag(pj, "has_collateral")
    hazard = flag(pj, "hazardous_chemicals")
    f["has_collateral"] = collateral
    f["first_time_borrower"] = flag(pj, "first_time_borrower")
    f["hazardous"] = hazard
    f["government_supported"] = flag(pj, "government_supported")
    f["has_platform"] = np.array([not blank(v) for v in _column(pj, "pilot_platform")], dtype=float)
    three = [set(as_tuple(t)) for t in (pj["three_firsts"] if n else [])]
    f["n_three_firsts"] = np.array([len(t) for t in three], dtype=float)
    inferred = pj["sector"].map(blank).to_numpy(dtype=bool) if n else np.zeros(0, bool)
    conf = num(pj, "sector_confidence")
    f["sector_inferred"] = inferred.astype(float)
    f["sector_confidence"] = np.where(inferred, np.nan_to_num(conf), 1.0)
    return ProjectColumns(
        values=f, need=need, trl=trl, stage=stage,
        sector=sector_values(pj),
        city=pj["city"].fillna("").astype(str).tolist() if n else [],
        funding_types=[as_tuple(t) for t in _column(pj, "funding_types")],
        three_firsts=np.array([[t in ts for t in THREE_FIRST_WORDS] for ts in three],
                              dtype=bool).reshape(n, len(THREE_FIRST_WORDS)),
        collateral=collateral, hazard=hazard)


def _type_pref(pc: ProjectColumns, qc: ProductColumns, pi: np.ndarray, qj: np.ndarray) -> np.ndarray:
    """0.5 where the project names no funding type, else whether it names the product's family."""
    wants = np.zeros((len(pc.funding_types), len(qc.family_vocab) + 1), dtype=bool)
    named = np.array([bool(t) for t in pc.funding_types], dtype=bool)
    for i, t in enumerate(pc.funding_types):
        for x in t:
            k = qc.family_vocab.get(x) if isinstance(x, str) else None
            if k is not None:
                wants[i, k] = True
    return np.where(named[pi], wants[pi, qc.family_code[qj]].astype(float), 0.5)


def pair_columns(pc: ProjectColumns, qc: ProductColumns, pi: np.ndarray, qj: np.ndarray) -> dict[str, np.ndarray]:
    """Every structured feature of the pairs (pi[k], qj[k]), in the builder's feature order."""
    f: dict[str, np.ndarray] = {k: v[pi] for k, v in pc.values.items()}
    f.update({k: v[qj] for k, v in qc.values.items()})
    need, trl = pc.need[pi], pc.trl[pi]
    lo, hi, budget = qc.lo[qj], qc.hi[qj], qc.budget[qj]
    with np.errstate(divide="ignore", invalid="ignore"):
        lo_f = np.where(lo > 0, lo, np.nan)
        mid = np.where(np.isnan(lo_f), hi / 2, np.where(np.isnan(hi), lo_f * 2, np.sqrt(lo_f * hi)))
        f["amount_log_ratio"] = np.log(need / mid)
        span = np.log(hi) - np.log(lo_f)
        f["amount_position"] = np.where(span > 0, (np.log(need) - np.log(lo_f)) / span, np.nan)
        f["amount_ratio_max"] = need / hi
        f["budget_cover_log"] = np.log(budget / need)
    tmin, tmax = qc.tmin[qj], qc.tmax[qj]
    dist = np.fmax(np.fmax(tmin - trl, trl - tmax), 0.0)
    f["trl_distance"] = np.where(np.isnan(tmin) & np.isnan(tmax), np.nan, dist)
    centre = (np.where(np.isnan(tmin), 1.0, tmin) + np.where(np.isnan(tmax), 9.0, tmax)) / 2
    f["trl_centre_gap"] = trl - centre
    f["stage_match"] = qc.stages.pair(qc.stages.rows(pc.stage), pi, qj)
    f["sector_match"] = qc.sectors.pair(qc.sectors.rows(pc.sector), pi, qj)
    f["sector_match_conf"] = np.where(f["sector_match"] == 1.0, f["sector_confidence"], 0.0)
    city = qc.cities.pair(qc.cities.rows(pc.city), pi, qj)
    f["city_match"] = np.where(qc.city_any[qj], 0.5, city)
    f["type_pref"] = _type_pref(pc, qc, pi, qj)
    collateral, hazard = pc.collateral[pi], pc.hazard[pi]
    f["collateral_loan"] = collateral * f["fam_loan"]
    f["no_collateral_guarantee"] = (1 - collateral) * f["fam_guarantee"]
    f["three_firsts_match"] = (pc.three_firsts[pi] & qc.three_first_kind[:, qj].T).any(axis=1).astype(float)
    f["hazard_equity"] = hazard * f["fam_equity"]
    f["hazard_insurance"] = hazard * f["fam_insurance"]
    f["hazard_loan"] = hazard * f["fam_loan"]
    f["first_loan_product"] = f["first_time_borrower"] * qc.first_loan_text[qj]
    f["hazard_product_text"] = hazard * qc.hazard_text[qj]
    city_code = np.array([qc.inst_city_vocab.get(c, -2) for c in pc.city], dtype=np.int64)
    ic = qc.inst_city_code[qj]
    f["home_city"] = np.where(ic < 0, np.nan, (ic == city_code[pi]).astype(float))
    return f

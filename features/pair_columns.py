"""Column readers and the vectorised pair features of the pair builder.

Every feature is computed once per project (``ProjectColumns``, N rows) or once per product
(``ProductColumns``, M rows, built once per catalogue frame) and then gathered onto the eligible pairs
by integer positions ``pi`` / ``qj``; list-valued fields become membership tables (one row per code,
a last all-False row for codes no product lists) so a pair reads one flat gather. No Python loop runs
per pair. The values equal the per-pair definitions bit for bit (the same float operations, only
gathered), which ``tests/features/test_feature_matrix_equivalence.py`` checks against a frozen copy.

What costs at 50,000 pairs is a numpy pass over the pairs (~40 µs, ~80 µs for a gather, ~330 µs for
``np.where`` on an unpredictable mask), so: whatever depends on the product alone (ticket midpoints,
logs of bounds, "open" flags folded into the membership tables) is done per product; the features that
depend on a project and a product's family / text flags / institution city (``CLASS_FEATURES``) are
evaluated on the project × product-class grid when that is smaller than the pairs, and read by row.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from features.text import _join
from finmatch.eligibility.values import FrameColumns
from finmatch.enums import FAMILY_CODES, STAGE_CODES, TAX_GRADE_RANK
from finmatch.matching.prior_arrays import Rows, finite, select

FAMILIES = FAMILY_CODES
STAGES = STAGE_CODES
TAX_RANK = TAX_GRADE_RANK
THREE_FIRST_WORDS = {"first_set": ("首台",), "first_batch": ("首批次",), "first_version": ("首版次",)}
THREE_FIRST_KINDS = ("首台", "首批次", "首版次", "三首")
CLASS_FEATURES = ("type_pref", "collateral_loan", "no_collateral_guarantee", "three_firsts_match", "hazard_equity",
                  "hazard_insurance", "hazard_loan", "first_loan_product", "hazard_product_text", "home_city")


def blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def num(frame: pd.DataFrame, col: str) -> np.ndarray:
    return FrameColumns(frame).floats(col)


def flag(frame: pd.DataFrame | FrameColumns, col: str) -> np.ndarray:
    cols = frame if isinstance(frame, FrameColumns) else FrameColumns(frame)
    if not cols.has(col):
        return np.zeros(len(cols))
    return np.array([bool(v) and not blank(v) for v in cols.objects(col).tolist()], dtype=float)


def as_tuple(v: Any) -> tuple:
    return tuple(v) if isinstance(v, list | tuple | set | frozenset) else ()


def slog(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def sector_values(projects: pd.DataFrame | FrameColumns) -> list[str | None]:
    """The sector each project is matched on: the stated one, else the inferred one, else None."""
    cols = projects if isinstance(projects, FrameColumns) else FrameColumns(projects)
    stated = cols.objects("sector").tolist()
    if cols.has("inferred_sector"):
        stated = [i if blank(s) else s for s, i in zip(stated, cols.objects("inferred_sector").tolist(), strict=True)]
    return [None if blank(v) else str(v) for v in stated]


def sector_series(projects: pd.DataFrame) -> pd.Series:
    return pd.Series(sector_values(projects), index=projects.index, dtype=object)


def project_texts(cols: FrameColumns, rows: np.ndarray | None = None) -> pd.Series:
    """``features.text.project_text`` of the frame (of its ``rows``), from columns already read: the same
    strings and index, without pandas' per-element iteration of string columns."""
    names, descs, index = cols.objects("name"), cols.objects("description"), cols.frame.index
    if rows is not None:
        names, descs, index = names[rows], descs[rows], index[rows]
    return pd.Series([_join(n, d) for n, d in zip(names.tolist(), descs.tolist(), strict=True)], index=index,
                     name="project_text", dtype=object)


def _column(frame: pd.DataFrame, col: str) -> list[Any]:
    return frame[col].tolist() if col in frame.columns else [None] * len(frame)


def _required(cols: FrameColumns, col: str, always: bool = False) -> list[Any]:
    """The column's values; a frame without it raises KeyError (when it has rows, or ``always``), as
    ``frame[col]`` did."""
    if not len(cols) and not always:
        return []
    if not cols.has(col):
        raise KeyError(col)
    return cols.objects(col).tolist()


def _strings(cols: FrameColumns, col: str) -> list[str]:
    """``frame[col].fillna("").astype(str).tolist()`` (string columns read directly, others through pandas)."""
    series = cols.series(col)
    if isinstance(series.dtype, pd.StringDtype):
        return ["" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else str(v)
                for v in cols.objects(col).tolist()]
    return series.fillna("").astype(str).tolist()


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

    def table(self, open_: np.ndarray | None = None) -> np.ndarray:
        """The pair value of every (row, product), flattened: 0.5 where the product lists nothing (or
        ``open_``), else 1/0 membership."""
        wide = self.open_ if open_ is None else open_
        return np.where(wide[None, :], 0.5, self.member.astype(float)).reshape(-1)

    def pair(self, rows: np.ndarray, pi: np.ndarray, qj: np.ndarray) -> np.ndarray:
        """0.5 where the product lists nothing, else 1/0 membership."""
        return self.table().take(rows.take(pi) * self.member.shape[1] + qj)


@dataclass
class ProductColumns:
    """Product-side arrays of one catalogue frame (built once per frame)."""

    ids: pd.Index
    values: dict[str, np.ndarray]  # product-only features, (M,) each
    block: np.ndarray  # (M, len(values)) the same, C order (gathered row-wise)
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
    derived: dict[str, np.ndarray]  # per product: ticket midpoint, logs, TRL centre … (see ``_derived``)
    product_class: np.ndarray  # (M,) index into ``classes``
    classes: dict[str, np.ndarray]  # per class: what CLASS_FEATURES read of the product

    @property
    def m(self) -> int:
        return len(self.ids)


def _derived(lo: np.ndarray, hi: np.ndarray, tmin: np.ndarray, tmax: np.ndarray, stages: Membership,
             sectors: Membership, cities: Membership, city_any: np.ndarray) -> dict[str, np.ndarray]:
    """The product-only parts of the pair formulas (computed as the per-pair code computes them)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lo_f = np.where(lo > 0, lo, np.nan)
        mid = np.where(np.isnan(lo_f), hi / 2, np.where(np.isnan(hi), lo_f * 2, np.sqrt(lo_f * hi)))
        log_lo = np.log(lo_f)
        span = np.log(hi) - log_lo
        sector_table = sectors.table()
    return {"mid": mid, "log_lo": log_lo, "span": np.where(span > 0, span, np.nan),
            "trl_nan": np.where(np.isnan(tmin) & np.isnan(tmax), np.nan, 1.0),
            "centre": (np.where(np.isnan(tmin), 1.0, tmin) + np.where(np.isnan(tmax), 9.0, tmax)) / 2,
            "stage_table": stages.table(), "sector_table": sector_table, "sector_one": sector_table == 1.0,
            "city_table": cities.table(cities.open_ | city_any)}


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
    tmin, tmax = num(pr, "trl_min"), num(pr, "trl_max")
    stage_m, sector_m, city_m = (Membership.of(stages), Membership.of(sectors),
                                 Membership.of([as_tuple(c) for c in cities_raw]))
    city_any = np.array([cs == ("广西",) for cs in cities_raw], dtype=bool)
    three = np.array([[any(w in k for w in THREE_FIRST_WORDS[t]) for k in kind]
                      for t in THREE_FIRST_WORDS], dtype=bool).reshape(len(THREE_FIRST_WORDS), n)
    first_loan = np.array(["首贷" in t for t in ptext], dtype=float)
    hazard_text = np.array([("危险化学品" in t) or ("危化" in t) for t in ptext], dtype=float)
    family_code = np.array([fam_vocab[x] for x in family], dtype=np.int64)
    inst_code = np.array([-1 if c is None else city_vocab[c] for c in inst_city], dtype=np.int64)
    kind_mask = (three.astype(np.int64) << np.arange(len(THREE_FIRST_WORDS))[:, None]).sum(axis=0)
    # everything CLASS_FEATURES read of a product: products with the same key share a row of the grid
    keys = np.stack([family_code, first_loan.astype(np.int64), hazard_text.astype(np.int64), kind_mask, inst_code])
    keys = keys.reshape(5, n)
    uniq, product_class = np.unique(keys, axis=1, return_inverse=True) if n else (keys, np.zeros(0, np.int64))
    names = list(f)
    return ProductColumns(
        ids=pd.Index(pr.index), values=f,
        block=np.column_stack([f[k] for k in names]) if n else np.zeros((0, len(names))), family=family,
        family_code=family_code, family_vocab=fam_vocab,
        lo=lo, hi=hi, budget=budget, tmin=tmin, tmax=tmax,
        stages=stage_m, sectors=sector_m, cities=city_m, city_any=city_any, three_first_kind=three,
        first_loan_text=first_loan, hazard_text=hazard_text, institution=inst,
        inst_city_code=inst_code, inst_city_vocab=city_vocab,
        derived=_derived(lo, hi, tmin, tmax, stage_m, sector_m, city_m, city_any),
        product_class=np.asarray(product_class, dtype=np.int64).reshape(-1),
        classes=_class_columns(uniq, fam_vocab))


def _class_columns(keys: np.ndarray, fam_vocab: dict[str, int]) -> dict[str, np.ndarray]:
    code, first_loan, hazard, kind, inst_city = keys
    names = list(fam_vocab)
    fam = np.array([names[c] for c in code], dtype=object)
    out = {f"fam_{x}": (fam == x).astype(float) for x in FAMILIES}
    out.update(family_code=code, first_loan_text=first_loan.astype(float), hazard_text=hazard.astype(float),
               kind_mask=kind, inst_city_code=inst_city)
    return out


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

    @property
    def n(self) -> int:
        return len(self.need)

    def block(self) -> np.ndarray:
        """(N, len(values)) of the project-only features, C order (gathered row-wise)."""
        values = list(self.values.values())
        return np.ascontiguousarray(np.array(values, dtype=float).T) if self.n else np.zeros((0, len(values)))


def project_columns(pj: pd.DataFrame, today: dt.date, columns: FrameColumns | None = None) -> ProjectColumns:
    cols = columns if columns is not None else FrameColumns(pj)
    n = len(pj)
    f: dict[str, np.ndarray] = {}
    need = cols.floats("funding_need_wan")
    trl = cols.floats("trl")
    stage = _required(cols, "stage", always=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        f["need_log"] = np.log1p(need)
        f["trl"] = trl
        f["stage_idx"] = np.array([STAGES.index(s) if s in STAGES else np.nan for s in stage], dtype=float)
        f["months_to_production"] = cols.floats("months_to_production")
        revenue, profit = cols.floats("annual_revenue_wan"), cols.floats("net_profit_wan")
        f["revenue_log"] = np.log1p(np.maximum(revenue, 0))
        f["profit_slog"] = slog(profit)
        f["profitable"] = np.where(np.isnan(profit), np.nan, (profit > 0).astype(float))
        f["debt_ratio"] = cols.floats("debt_ratio")
        f["rd_ratio"] = cols.floats("rd_ratio")
        f["age_years"] = today.year - cols.floats("founded_year")
        f["employees_log"] = np.log1p(cols.floats("employees"))
        f["patents_log"] = np.log1p(cols.floats("invention_patents"))
    certs = [set(as_tuple(c)) for c in _required(cols, "certifications")]
    f["n_certs"] = np.array([len(c) for c in certs], dtype=float)
    f["cert_high_tech"] = np.array(["high_tech" in c for c in certs], dtype=float)
    f["cert_tech_sme"] = np.array(["tech_sme" in c for c in certs], dtype=float)
    f["cert_little_giant"] = np.array([bool(c & {"specialized_sme", "little_giant"}) for c in certs], dtype=float)
    f["cert_growth"] = np.array([bool(c & {"gazelle", "little_giant"}) for c in certs], dtype=float)
    f["tax_rank"] = np.array([TAX_RANK.get(str(t), np.nan) for t in cols.objects("tax_grade").tolist()], dtype=float)
    collateral = flag(cols, "has_collateral")
    hazard = flag(cols, "hazardous_chemicals")
    f["has_collateral"] = collateral
    f["first_time_borrower"] = flag(cols, "first_time_borrower")
    f["hazardous"] = hazard
    f["government_supported"] = flag(cols, "government_supported")
    f["has_platform"] = np.array([not blank(v) for v in cols.objects("pilot_platform").tolist()], dtype=float)
    three = [set(as_tuple(t)) for t in _required(cols, "three_firsts")]
    f["n_three_firsts"] = np.array([len(t) for t in three], dtype=float)
    inferred = np.array([blank(v) for v in _required(cols, "sector")], dtype=bool)
    conf = cols.floats("sector_confidence")
    f["sector_inferred"] = inferred.astype(float)
    f["sector_confidence"] = np.where(inferred, finite(conf), 1.0)
    return ProjectColumns(
        values=f, need=need, trl=trl, stage=stage,
        sector=sector_values(cols),
        city=_strings(cols, "city") if n else [],
        funding_types=[as_tuple(t) for t in cols.objects("funding_types").tolist()],
        three_firsts=np.array([[t in ts for t in THREE_FIRST_WORDS] for ts in three],
                              dtype=bool).reshape(n, len(THREE_FIRST_WORDS)),
        collateral=collateral, hazard=hazard)


def pair_columns(pc: ProjectColumns, qc: ProductColumns, pi: np.ndarray, qj: np.ndarray,
                 by_project: Rows | None = None) -> dict[str, np.ndarray]:
    """The structured features that depend on the pair (not the project or product alone, nor a product
    class: ``class_features``), in the builder's feature order."""
    p = by_project if by_project is not None else Rows(pi, pc.n)
    d, m = qc.derived, qc.m
    need, trl = p(pc.need), p(pc.trl)
    f: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        f["amount_log_ratio"] = np.log(need / d["mid"].take(qj))
        # logs of the project's need and the product's bounds are taken before the gather: numpy's log gives
        # an element the same bits whatever the array's length, alignment or stride (the equivalence test)
        f["amount_position"] = (p(np.log(pc.need)) - d["log_lo"].take(qj)) / d["span"].take(qj)
        f["amount_ratio_max"] = need / qc.hi.take(qj)
        f["budget_cover_log"] = np.log(qc.budget.take(qj) / need)
    tmin, tmax = qc.tmin.take(qj), qc.tmax.take(qj)
    f["trl_distance"] = np.fmax(np.fmax(tmin - trl, trl - tmax), 0.0) * d["trl_nan"].take(qj)
    f["trl_centre_gap"] = trl - d["centre"].take(qj)
    f["stage_match"] = d["stage_table"].take(p(qc.stages.rows(pc.stage) * m) + qj)
    at = p(qc.sectors.rows(pc.sector) * m) + qj
    f["sector_match"] = d["sector_table"].take(at)
    f["sector_match_conf"] = select(d["sector_one"].take(at), p(pc.values["sector_confidence"]), 0.0)
    f["city_match"] = d["city_table"].take(p(qc.cities.rows(pc.city) * m) + qj)
    return f

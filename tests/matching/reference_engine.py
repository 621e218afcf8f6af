"""The engine as it was before the vectorised rewrite, frozen as the reference for the equivalence test.

Copied from ``finmatch/matching/ranking.py`` and ``features/pairs.py`` (commit 244feaa): per-pair
Python feature code, ``pred_contrib`` and reasons for every eligible pair. It reads the fitted
builder's attributes and its history/text helpers, so it scores with the same fitted model.
"""

# ruff: noqa
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from features.text import project_text
from finmatch.eligibility import EligibilityResult, evaluate
from finmatch.enums import Sector
from finmatch.matching.scorer import PairScorer, ScoredPairs

# the column readers as they were (features/pair_columns.py at 244feaa)
def blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def num(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)


def flag(frame: pd.DataFrame, col: str) -> np.ndarray:
    if col not in frame.columns:
        return np.zeros(len(frame))
    return np.array([bool(v) and not blank(v) for v in frame[col]], dtype=float)


def as_tuple(v: Any) -> tuple:
    return tuple(v) if isinstance(v, list | tuple | set | frozenset) else ()


def slog(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def sector_series(projects: pd.DataFrame) -> pd.Series:
    sector = projects["sector"] if "sector" in projects else pd.Series(None, index=projects.index, dtype=object)
    if "inferred_sector" in projects:
        sector = sector.where(sector.map(lambda v: not blank(v)), projects["inferred_sector"])
    return sector.map(lambda v: None if blank(v) else str(v))


FAMILIES = ("equity", "loan", "guarantee", "insurance", "subsidy")
STAGES = ("tech_research", "proof_of_concept", "pilot", "incubation", "scale_up")
TAX_RANK = {"A": 4, "B": 3, "M": 2, "C": 1, "D": 0}
THREE_FIRST_WORDS = {"first_set": ("首台",), "first_batch": ("首批次",), "first_version": ("首版次",)}
HISTORY_FEATURES = ("hist_inst_n", "hist_inst_meet_rate", "hist_inst_sign_rate", "hist_inst_sector_meet_rate",
                    "hist_inst_sector_sign_rate", "hist_inst_city_meet_rate", "hist_product_meet_rate")


def old_rate(table, keys, what, prior, m):
    if len(table) == 0:
        return prior.copy(), np.zeros(len(prior))
    found = table.reindex(keys)
    s = found[(what, "sum")].to_numpy(dtype=float)
    n = found[(what, "count")].to_numpy(dtype=float)
    s, n = np.nan_to_num(s), np.nan_to_num(n)
    return (s + m * prior) / (n + m), n


def _history_features(self, inst: np.ndarray, sector: np.ndarray, city: np.ndarray, product: np.ndarray,
                      as_of: dt.date | None, exclude_event: str | None) -> dict[str, np.ndarray]:
    st = self.serving_stats_ if as_of is None and exclude_event is None else self._stats(as_of, exclude_event)
    m, n = st["m"], len(inst)
    meet0, sign0 = np.full(n, st["p_meet"]), np.full(n, st["p_sign"])
    inst_idx = pd.Index(inst)
    im, count = old_rate(st["inst"], inst_idx, "meet", meet0, m)
    isg, _ = old_rate(st["inst"], inst_idx, "sign", sign0, m)
    sec_idx = pd.MultiIndex.from_arrays([inst, sector])
    ism, _ = old_rate(st["inst_sector"], sec_idx, "meet", im, m)
    iss, _ = old_rate(st["inst_sector"], sec_idx, "sign", isg, m)
    icm, _ = old_rate(st["inst_city"], pd.MultiIndex.from_arrays([inst, city]), "meet", im, m)
    pm, _ = old_rate(st["product"], pd.Index(product), "meet", im, m)
    return dict(zip(HISTORY_FEATURES, (np.log1p(count), im, isg, ism, iss, icm, pm), strict=True))


def _text_features(self, projects: pd.DataFrame, products: pd.DataFrame,
                   pairs: pd.DataFrame) -> dict[str, np.ndarray]:
    n = len(pairs)
    if n == 0:
        return {k: np.zeros(0) for k in ("bm25", "bm25_norm", "text_sector_affinity", "embedding_cosine")}
    models = self._text_for(products)
    texts = project_text(projects.loc[pd.unique(pairs["project_id"])])
    tp = pd.DataFrame({"project_id": pairs["project_id"].to_numpy(), "product_id": pairs["product_id"].to_numpy(),
                       "project_text": texts.reindex(pairs["project_id"]).to_numpy()})
    bm = models["bm25"].score_pairs(tp)
    out = {"bm25": bm["bm25"].to_numpy(float), "bm25_norm": bm["bm25_norm"].to_numpy(float),
           "embedding_cosine": np.full(n, np.nan)}
    aff = models.get("sector_affinity")
    out["text_sector_affinity"] = np.full(n, np.nan)
    if aff is not None:
        sector = sector_series(projects).reindex(pairs["project_id"]).to_numpy(dtype=object)
        rows = aff.index.get_indexer(pairs["product_id"])
        cols = aff.columns.get_indexer(pd.Index(sector, dtype=object))
        ok = (rows >= 0) & (cols >= 0)
        out["text_sector_affinity"][ok] = aff.to_numpy()[rows[ok], cols[ok]]
    if self._embeddings_active() and models.get("embedding") is not None:
        out["embedding_cosine"] = models["embedding"].score_pairs(tp)["embedding_cosine"].to_numpy(float)
    return out


def old_features(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                    as_of: dt.date | None, exclude_event: str | None) -> pd.DataFrame:
    projects = self.enrich_projects(projects)
    pj = projects.loc[pairs["project_id"].to_numpy()]
    pr = products.loc[pairs["product_id"].to_numpy()]
    n = len(pairs)
    today = as_of or getattr(self, '_today', None) or dt.date.today()
    f: dict[str, np.ndarray] = {}
    # project / enterprise
    need = num(pj, "funding_need_wan")
    trl = num(pj, "trl")
    stage = pj["stage"].astype(object).to_numpy()
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
    f["tax_rank"] = np.array([TAX_RANK.get(str(t), np.nan) for t in pj["tax_grade"]], dtype=float)
    collateral = flag(pj, "has_collateral")
    hazard = flag(pj, "hazardous_chemicals")
    f["has_collateral"] = collateral
    f["first_time_borrower"] = flag(pj, "first_time_borrower")
    f["hazardous"] = hazard
    f["government_supported"] = flag(pj, "government_supported")
    f["has_platform"] = np.array([not blank(v) for v in pj["pilot_platform"]], dtype=float)
    three = [set(as_tuple(t)) for t in (pj["three_firsts"] if n else [])]
    f["n_three_firsts"] = np.array([len(t) for t in three], dtype=float)
    inferred = pj["sector"].map(blank).to_numpy(dtype=bool) if n else np.zeros(0, bool)
    conf = num(pj, "sector_confidence")
    f["sector_inferred"] = inferred.astype(float)
    f["sector_confidence"] = np.where(inferred, np.nan_to_num(conf), 1.0)
    # product / institution
    family = pr["family"].astype(str).to_numpy()
    kind = pr["kind"].fillna("").astype(str).to_numpy() if n else np.zeros(0, dtype=object)
    for fam in FAMILIES:
        f[f"fam_{fam}"] = (family == fam).astype(float)
    lo, hi = num(pr, "amount_min_wan"), num(pr, "amount_max_wan")
    f["amount_min_log"], f["amount_max_log"] = np.log1p(lo), np.log1p(hi)
    rate = num(pr, "rate_pct")
    f["rate_pct"] = rate
    med = np.array([self.rate_median_.get(x, np.nan) for x in family], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        f["rate_rel_family"] = np.where(med > 0, rate / med, np.nan)
    f["tenor_months"] = num(pr, "tenor_months")
    budget = num(pr, "budget_wan")
    f["budget_log"] = np.log1p(budget)
    f["product_n_sectors"] = np.array([len(as_tuple(s)) for s in pr["sectors"]], dtype=float)
    f["product_n_stages"] = np.array([len(as_tuple(s)) for s in pr["stages"]], dtype=float)
    f["kind_pilot"] = np.array(["中试" in k for k in kind], dtype=float)
    f["kind_ip"] = np.array(["知识产权" in k for k in kind], dtype=float)
    f["kind_three_firsts"] = np.array([any(w in k for w in ("首台", "首批次", "首版次", "三首")) for k in kind],
                                      dtype=float)
    # pair fit
    with np.errstate(divide="ignore", invalid="ignore"):
        lo_f = np.where(lo > 0, lo, np.nan)
        mid = np.where(np.isnan(lo_f), hi / 2, np.where(np.isnan(hi), lo_f * 2, np.sqrt(lo_f * hi)))
        f["amount_log_ratio"] = np.log(need / mid)
        span = np.log(hi) - np.log(lo_f)
        f["amount_position"] = np.where(span > 0, (np.log(need) - np.log(lo_f)) / span, np.nan)
        f["amount_ratio_max"] = need / hi
        f["budget_cover_log"] = np.log(budget / need)
    tmin, tmax = num(pr, "trl_min"), num(pr, "trl_max")
    dist = np.fmax(np.fmax(tmin - trl, trl - tmax), 0.0)
    f["trl_distance"] = np.where(np.isnan(tmin) & np.isnan(tmax), np.nan, dist)
    centre = (np.where(np.isnan(tmin), 1.0, tmin) + np.where(np.isnan(tmax), 9.0, tmax)) / 2
    f["trl_centre_gap"] = trl - centre
    f["stage_match"] = np.array([0.5 if not as_tuple(ss) else float(s in as_tuple(ss))
                                 for s, ss in zip(stage, pr["stages"], strict=True)])
    sector = sector_series(pj).to_numpy(dtype=object) if n else np.zeros(0, dtype=object)
    f["sector_match"] = np.array([0.5 if not as_tuple(ss) else float(s in as_tuple(ss))
                                  for s, ss in zip(sector, pr["sectors"], strict=True)])
    f["sector_match_conf"] = np.where(f["sector_match"] == 1.0, f["sector_confidence"], 0.0)
    city = pj["city"].fillna("").astype(str).to_numpy() if n else np.zeros(0, dtype=object)
    f["city_match"] = np.array([0.5 if not as_tuple(cs) or (cs == ("广西",)) else float(c in as_tuple(cs))
                                for c, cs in zip(city, pr["cities"], strict=True)])
    f["type_pref"] = np.array([0.5 if not as_tuple(t) else float(fam in as_tuple(t))
                               for t, fam in zip(pj["funding_types"], family, strict=True)])
    f["collateral_loan"] = collateral * f["fam_loan"]
    f["no_collateral_guarantee"] = (1 - collateral) * f["fam_guarantee"]
    f["three_firsts_match"] = np.array([float(any(w in k for t in ts for w in THREE_FIRST_WORDS.get(t, ())))
                                        for ts, k in zip(three, kind, strict=True)])
    f["hazard_equity"] = hazard * f["fam_equity"]
    f["hazard_insurance"] = hazard * f["fam_insurance"]
    f["hazard_loan"] = hazard * f["fam_loan"]
    ptext = (pr["description"].fillna("").astype(str) + kind).to_numpy() if n else np.zeros(0, dtype=object)
    f["first_loan_product"] = f["first_time_borrower"] * np.array(["首贷" in t for t in ptext], dtype=float)
    f["hazard_product_text"] = hazard * np.array([("危险化学品" in t) or ("危化" in t) for t in ptext], dtype=float)
    inst_city = np.array([self.institution_city_.get(str(i)) for i in pr["institution_id"]], dtype=object)
    f["home_city"] = np.array([np.nan if ic is None else float(ic == c) for ic, c in zip(inst_city, city, strict=True)])
    f.update(_text_features(self, projects, products, pairs))
    inst = pr["institution_id"].astype(str).to_numpy()
    f.update(_history_features(self, inst, sector, city, pairs["product_id"].astype(str).to_numpy(),
                                    as_of, exclude_event))
    if "prior_score" in self.feature_names_:  # a feature added later by another area, not rewritten here
        from features.prior_feature import prior_feature

        pi = projects.index.get_indexer(pairs["project_id"])
        qj = products.index.get_indexer(pairs["product_id"])
        f["prior_score"] = prior_feature(projects, products, pi, qj, f["bm25_norm"])
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in f.items()}, index=pairs.index)



def old_model_score_pairs(scorer, projects, products, pairs):
    """ModelScorer.score_pairs as it was: old features, pred_contrib on every pair, reasons for every pair."""
    if len(pairs) == 0:
        return ScoredPairs(np.zeros(0), np.zeros(0), [])
    x = old_features(scorer.pipeline, projects, products, pairs, None, None)[scorer.feature_names]
    contrib = np.asarray(scorer.booster.predict(x.to_numpy(dtype=float), pred_contrib=True), dtype=float)
    score = contrib.sum(axis=1)
    # the phrase rules are the scorer's current ones (another area words them): what is frozen here is
    # that every pair gets its contributions and reasons, from the old features
    out = scorer.reasons(x, contrib[:, :-1])
    return ScoredPairs(score, scorer.calibration(score), out)


class OldScorer:
    """The old score_pairs of a ModelScorer; a PriorScorer (unchanged) is used as it is."""

    def __init__(self, scorer):
        self.inner = scorer
        self.version = scorer.version

    def enrich_projects(self, projects):
        return self.inner.enrich_projects(projects)

    def score_pairs(self, projects, products, pairs, margins=None):
        if hasattr(self.inner, "pipeline"):
            return old_model_score_pairs(self.inner, projects, products, pairs)
        return self.inner.score_pairs(projects, products, pairs, margins)

_ELIGIBILITY_REASON_FIELDS = ("sectors", "stages", "amount_max_wan", "required_certifications_any", "cities",
                              "requires_three_firsts")


@dataclass
class MatchItem:
    product_id: str
    rank: int
    score: float
    probability: float
    family: str
    institution_id: str
    reasons: list[str]
    eligibility_reasons: list[str]
    unknown: list[str] = field(default_factory=list)


@dataclass
class IneligibleItem:
    product_id: str
    family: str
    institution_id: str
    failed: list[str]
    reasons: list[str]
    what_if: list[dict[str, Any]]


@dataclass
class ProjectSector:
    sector: str | None
    sector_inferred: bool
    sector_confidence: float | None

    def reason(self) -> str | None:
        if not self.sector_inferred or self.sector is None:
            return None
        return (f"所属领域根据项目简介推断为 {Sector(self.sector).label}"
                f"（置信度 {self.sector_confidence:.2f}）")


@dataclass
class MatchResult:
    model: str
    projects: pd.DataFrame
    products: pd.DataFrame
    eligibility: EligibilityResult
    scores: pd.DataFrame  # eligible pairs: project_id, product_id, score, probability, reasons, rank

    @cached_property
    def product_info(self) -> dict[str, dict[str, Any]]:
        """Per product: the display columns, read once instead of one pandas row lookup per item."""
        cols = [c for c in ("name", "kind", "family", "institution_id", "institution_name") if c in self.products]
        return {str(pid): dict(zip(cols, values, strict=True))
                for pid, values in zip(self.products.index, self.products[cols].itertuples(index=False), strict=True)}

    def sector(self, project_id: str) -> ProjectSector:
        row = self.projects.loc[project_id]
        if isinstance(row["sector"], str):
            return ProjectSector(row["sector"], False, None)
        inferred = row.get("inferred_sector")
        if isinstance(inferred, str):
            return ProjectSector(inferred, True, float(row.get("sector_confidence", math.nan)))
        return ProjectSector(None, False, None)

    def ranked(self, project_id: str, top_k: int | None = None, families: set[str] | None = None) -> list[MatchItem]:
        sub = self.scores[self.scores["project_id"] == project_id]
        if families:
            sub = sub[sub["family"].isin(families)]
        sub = sub.sort_values("score", ascending=False, kind="stable")
        if top_k is not None:
            sub = sub.head(top_k)
        sector_reason = self.sector(project_id).reason()
        items = []
        for rank, row in enumerate(sub.itertuples(index=False), start=1):
            elig = [c.reason for c in self.eligibility.explain(project_id, row.product_id)
                    if c.status == "pass" and c.field in _ELIGIBILITY_REASON_FIELDS]
            reasons = list(row.reasons)
            if sector_reason:
                reasons = [sector_reason, *reasons]
            items.append(MatchItem(row.product_id, rank, float(row.score), float(row.probability), row.family,
                                   row.institution_id, reasons, elig,
                                   self.eligibility.unknown_fields(project_id, row.product_id)))
        return items

    def ineligible(self, project_id: str, with_what_if: bool = True) -> list[IneligibleItem]:
        i = self.eligibility.project_ids.index(project_id)
        out = []
        for j, product_id in enumerate(self.eligibility.product_ids):
            if self.eligibility.eligible[i, j]:
                continue
            prod = self.product_info[product_id]
            clauses = [c for c in self.eligibility.explain(project_id, product_id) if c.status == "fail"]
            what_if = ([{"change": w.change, "description": w.description, "params": w.params}
                        for w in self.eligibility.what_if(project_id, product_id)] if with_what_if else [])
            out.append(IneligibleItem(product_id, prod["family"], prod["institution_id"],
                                      [c.field for c in clauses], [c.reason for c in clauses], what_if))
        return out

    def prospects(self, product_id: str) -> pd.DataFrame:
        sub = self.scores[self.scores["product_id"] == product_id].sort_values("score", ascending=False)
        sub = sub.reset_index(drop=True)
        sub["rank"] = np.arange(1, len(sub) + 1)
        return sub

    def institution_matrix(self) -> pd.DataFrame:
        """Projects × institutions: each institution's best eligible product probability (NaN = none)."""
        if self.scores.empty:
            return pd.DataFrame(index=self.projects.index)
        best = self.scores.groupby(["project_id", "institution_id"])["probability"].max().unstack()
        return best.reindex(index=self.projects.index)

    def to_output(self, top_k: int) -> dict[str, Any]:
        """The ``finmatch match`` object of data-format.md."""
        out: dict[str, Any] = {"model": self.model, "projects": {}, "matches": {}, "ineligible": {}}
        for pid in self.projects.index:
            s = self.sector(pid)
            out["projects"][pid] = {"sector": s.sector, "sector_inferred": s.sector_inferred,
                                    "sector_confidence": None if s.sector_confidence is None
                                    else round(s.sector_confidence, 4)}
            out["matches"][pid] = [
                {"product_id": m.product_id, "rank": m.rank, "score": round(m.score, 6),
                 "probability": round(m.probability, 6), "family": m.family,
                 "institution_id": m.institution_id, "reasons": m.reasons + m.eligibility_reasons}
                for m in self.ranked(pid, top_k)]
            out["ineligible"][pid] = [{"product_id": x.product_id, "failed": x.failed}
                                      for x in self.ineligible(pid, with_what_if=False)]
        return out


class OldMatchEngine:
    def __init__(self, scorer: Any, today: dt.date | None = None) -> None:
        self.scorer = OldScorer(scorer)
        self.today = today

    def run(self, projects: pd.DataFrame, products: pd.DataFrame) -> MatchResult:
        enrich = getattr(self.scorer, "enrich_projects", None)
        if enrich is not None and len(projects):
            projects = enrich(projects)
        elig = evaluate(projects, products, today=self.today)
        ii, jj = np.nonzero(elig.eligible)
        pairs = pd.DataFrame({"project_id": np.asarray(elig.project_ids, dtype=object)[ii],
                              "product_id": np.asarray(elig.product_ids, dtype=object)[jj]})
        scored = self.scorer.score_pairs(projects, products, pairs, margins=None)
        pairs["score"] = scored.score
        pairs["probability"] = scored.probability
        pairs["reasons"] = scored.reasons if scored.reasons else [[] for _ in range(len(pairs))]
        pairs["family"] = products["family"].reindex(pairs["product_id"]).to_numpy()
        pairs["institution_id"] = products["institution_id"].reindex(pairs["product_id"]).to_numpy()
        return MatchResult(self.scorer.version, projects, products, elig, pairs)

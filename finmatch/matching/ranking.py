"""The matching engine: eligibility mask first, then the scorer on eligible pairs only.

One computation serves every view: a project's ranked products, a product's ranked prospects,
the event matrix, and the ``finmatch match`` output of data-format.md.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from finmatch.eligibility import EligibilityResult, evaluate
from finmatch.enums import Sector
from finmatch.matching.scorer import PairScorer

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


class MatchEngine:
    def __init__(self, scorer: PairScorer, today: dt.date | None = None) -> None:
        self.scorer = scorer
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

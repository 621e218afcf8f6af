"""The scorer interface the matching engine ranks with, and the transparent cold-start prior.

A scorer sees only eligible pairs. The learned scorer (LightGBM ranker loaded from the model
registry) implements the same protocol; ``finmatch`` never imports the code that fitted it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

PRIOR_VERSION = "prior"
# (projects, products, pairs) -> one similarity in [0, 1] per pair
TextSimilarity = Callable[[pd.DataFrame, pd.DataFrame, pd.DataFrame], np.ndarray]
# projects -> projects with inferred_sector / sector_confidence for blank sectors
SectorInferer = Callable[[pd.DataFrame], pd.DataFrame]


@dataclass
class ScoredPairs:
    """Scores for a list of (project, product) pairs, aligned with the input pairs frame."""

    score: np.ndarray  # higher is better; comparable within a project
    probability: np.ndarray  # calibrated probability that the pair reaches at least a meeting
    reasons: list[list[str]] = field(default_factory=list)  # short Chinese reasons per pair


@runtime_checkable
class PairScorer(Protocol):
    version: str

    def score_pairs(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                    margins: dict[str, np.ndarray] | None = None) -> ScoredPairs:
        """``pairs`` has columns project_id, product_id (eligible pairs only)."""
        ...


def _sector_of(projects: pd.DataFrame) -> pd.Series:
    sector = projects["sector"]
    if "inferred_sector" in projects:
        sector = sector.where(sector.notna(), projects["inferred_sector"])
    return sector


class PriorScorer:
    """Transparent cold-start ranking: fit of amount, sector, stage, TRL, preference and text.

    score = 0.30·amount_fit + 0.25·sector_fit + 0.15·stage_fit + 0.10·trl_fit + 0.10·type_pref
            + 0.10·text_similarity   (each term in [0, 1])
    amount_fit is 1 when the need sits inside the ticket range, decaying with the log distance;
    sector/stage fit is 1 for an explicit focus that contains the project, 0.6 for "any";
    type_pref is 1 when the project asked for this family (or asked for none), else 0.3.
    The probability is a fixed monotone map of the score (no data to calibrate on yet).
    ``text_similarity`` and ``sector_inferer`` are handed in by the composition root (they live in
    ``features``); without them the text term is 0 and blank sectors stay blank.
    """

    version = PRIOR_VERSION

    def __init__(self, text_similarity: TextSimilarity | None = None,
                 sector_inferer: SectorInferer | None = None) -> None:
        self.text_similarity = text_similarity
        self.sector_inferer = sector_inferer

    def enrich_projects(self, projects: pd.DataFrame) -> pd.DataFrame:
        return self.sector_inferer(projects) if self.sector_inferer is not None else projects

    def components(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
        pj = projects.loc[pairs["project_id"].to_numpy()].reset_index(drop=True)
        pr = products.loc[pairs["product_id"].to_numpy()].reset_index(drop=True)
        need = pj["funding_need_wan"].astype(float).to_numpy()
        lo = pr["amount_min_wan"].astype(float).to_numpy()
        hi = pr["amount_max_wan"].astype(float).to_numpy()
        mid = np.where(np.isnan(lo), np.where(np.isnan(hi), need, hi / 2), np.where(np.isnan(hi), lo * 2, (lo + hi) / 2))
        dist = np.abs(np.log1p(need) - np.log1p(mid))
        amount_fit = np.exp(-dist)
        sectors = _sector_of(pj).to_numpy()
        sector_fit = np.array([0.6 if not s_list else (1.0 if s in s_list else 0.0)
                               for s, s_list in zip(sectors, pr["sectors"], strict=True)])
        stage_fit = np.array([0.6 if not st_list else (1.0 if st in st_list else 0.0)
                              for st, st_list in zip(pj["stage"], pr["stages"], strict=True)])
        trl = pj["trl"].astype(float).to_numpy()
        tmin = pr["trl_min"].astype(float).to_numpy()
        tmax = pr["trl_max"].astype(float).to_numpy()
        centre = np.where(np.isnan(tmin) & np.isnan(tmax), np.nan,
                          (np.nan_to_num(tmin, nan=1.0) + np.nan_to_num(tmax, nan=9.0)) / 2)
        trl_fit = np.where(np.isnan(trl) | np.isnan(centre), 0.5, 1.0 - np.minimum(np.abs(trl - centre), 4) / 4)
        type_pref = np.array([1.0 if not types or fam in types else 0.3
                              for types, fam in zip(pj["funding_types"], pr["family"], strict=True)])
        if self.text_similarity is not None and len(pairs):
            text = np.asarray(self.text_similarity(projects, products, pairs), dtype=float)
        else:
            text = np.zeros(len(pairs))
        return pd.DataFrame({"amount_fit": amount_fit, "sector_fit": sector_fit, "stage_fit": stage_fit,
                             "trl_fit": trl_fit, "type_pref": type_pref, "text_similarity": np.clip(text, 0, 1)})

    WEIGHTS = {"amount_fit": 0.30, "sector_fit": 0.25, "stage_fit": 0.15, "trl_fit": 0.10, "type_pref": 0.10,
               "text_similarity": 0.10}
    LABELS = {"amount_fit": "融资需求与单户额度匹配", "sector_fit": "属于产品重点支持领域",
              "stage_fit": "项目阶段符合产品定位", "trl_fit": "技术成熟度处于产品偏好区间",
              "type_pref": "符合企业意向融资方式", "text_similarity": "项目简介与产品说明内容相近"}

    def score_pairs(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                    margins: dict[str, np.ndarray] | None = None) -> ScoredPairs:
        if len(pairs) == 0:
            return ScoredPairs(np.zeros(0), np.zeros(0), [])
        comp = self.components(projects, products, pairs)
        score = sum(comp[k].to_numpy() * w for k, w in self.WEIGHTS.items())
        probability = 1.0 / (1.0 + np.exp(-8.0 * (score - 0.6)))
        reasons = []
        for _, row in comp.iterrows():
            top = sorted(self.WEIGHTS, key=lambda k: -row[k] * self.WEIGHTS[k])
            reasons.append([f"{self.LABELS[k]}（匹配度 {row[k]:.2f}）" for k in top[:3] if row[k] >= 0.5])
        return ScoredPairs(np.asarray(score, dtype=float), probability, reasons)

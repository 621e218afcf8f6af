"""Baselines the ranker must beat, scored on the same groups: random eligible order, the rules-only
prior, BM25 alone, embeddings alone, logistic regression on the same features, and the generator's
oracle utility (only when the data came from ``finmatch generate``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from features.sector import infer_product_focus
from finmatch.matching.prior import PriorScorer

log = logging.getLogger(__name__)

NAMES = {"lambdarank": "LambdaRank 模型", "random": "随机（合格产品内）", "prior": "知识先验（无需历史数据）", "bm25": "仅 BM25",
         "embedding": "仅语义向量", "logreg": "逻辑回归（同特征）", "oracle": "生成器真值效用（上限）"}


@dataclass
class BaselineContext:
    projects: pd.DataFrame  # enriched (inferred sectors)
    products: pd.DataFrame
    features: list[str]
    seed: int
    oracle: pd.DataFrame | None = None  # utility, projects × products


def random_scores(train: pd.DataFrame, test: pd.DataFrame, ctx: BaselineContext) -> np.ndarray:
    return np.random.default_rng(ctx.seed).random(len(test))


def prior_scores(train: pd.DataFrame, test: pd.DataFrame, ctx: BaselineContext) -> np.ndarray:
    """The knowledge-based prior (``finmatch.matching.prior``), as the model sees it in ``prior_score``."""
    if "prior_score" in test.columns:
        return test["prior_score"].to_numpy(dtype=float)
    prior = PriorScorer(product_enricher=infer_product_focus)
    comp = prior.components(ctx.projects, ctx.products, test[["project_id", "product_id"]].reset_index(drop=True))
    return PriorScorer.combine(comp)


def bm25_scores(train: pd.DataFrame, test: pd.DataFrame, ctx: BaselineContext) -> np.ndarray:
    return test["bm25"].to_numpy(dtype=float)


def embedding_scores(train: pd.DataFrame, test: pd.DataFrame, ctx: BaselineContext) -> np.ndarray | None:
    vals = test["embedding_cosine"].to_numpy(dtype=float)
    return None if np.isnan(vals).all() else np.nan_to_num(vals, nan=-1.0)


def logreg_scores(train: pd.DataFrame, test: pd.DataFrame, ctx: BaselineContext) -> np.ndarray:
    feats = [f for f in ctx.features if train[f].notna().any()]
    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                          LogisticRegression(C=1.0, max_iter=3000))
    model.fit(train[feats].to_numpy(dtype=float), (train["label"] > 0).astype(int))
    return np.asarray(model.decision_function(test[feats].to_numpy(dtype=float)), dtype=float)


def oracle_scores(train: pd.DataFrame, test: pd.DataFrame, ctx: BaselineContext) -> np.ndarray | None:
    if ctx.oracle is None:
        return None
    u = ctx.oracle
    rows = u.index.get_indexer(test["project_id"])
    cols = u.columns.get_indexer(test["product_id"])
    if (rows < 0).any() or (cols < 0).any():
        return None
    return u.to_numpy()[rows, cols]


BASELINES: dict[str, Callable[[pd.DataFrame, pd.DataFrame, BaselineContext], np.ndarray | None]] = {
    "random": random_scores, "prior": prior_scores, "bm25": bm25_scores, "embedding": embedding_scores,
    "logreg": logreg_scores, "oracle": oracle_scores}


def oracle_utility(seed: int | None, projects: pd.DataFrame, products: pd.DataFrame,
                   institution_cities: dict[str, str]) -> pd.DataFrame | None:
    """The generator's noise-free utility, or None when the data do not look generated."""
    if seed is None:
        return None
    try:
        from training.synthetic import HiddenPreferenceModel
    except ImportError:
        return None
    return HiddenPreferenceModel(int(seed), institution_cities or None).utility(projects, products)

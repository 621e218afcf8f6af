"""The whole training run on loaded data: features, groups, evaluation against baselines, final fit.

Shared by ``finmatch train`` (which then writes the artifact) and ``finmatch evaluate`` (which only
reports). The feature builder is fitted once on the catalogue, the projects' stated sectors and the
outcome log; every group's features are then taken "as of" its event (see ``training.dataset``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from features.pairs import PairFeatureBuilder
from finmatch.matching.model_scorer import ModelScorer
from training.baselines import BaselineContext, oracle_utility
from training.dataset import TrainingData, build_groups, n_labelled_groups
from training.evaluate import MODEL, SplitResult, evaluate_group_kfold, evaluate_time_split, headline
from training.fit import RankerConfig, fit_ranker

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    builder: PairFeatureBuilder
    groups: pd.DataFrame
    features: list[str]
    time: SplitResult
    cv: SplitResult
    table: pd.DataFrame
    n_labelled: int
    oracle_seed: int | None
    model: Any = None  # the final LGBMRanker (train only)
    importance: pd.Series | None = None

    def ratio_to_oracle(self, metric: str = "ndcg@5", split: str = "time") -> float | None:
        h = headline(self.table, split)
        if "oracle" not in h or not h["oracle"][metric]:
            return None
        return h[MODEL][metric] / h["oracle"][metric]

    def scorer(self, version: str) -> ModelScorer:
        assert self.model is not None and self.cv.calibration is not None
        return ModelScorer(version, self.builder, self.model.booster_, self.cv.calibration, self.features)


def looks_generated(data: TrainingData) -> bool:
    """Projects named like the generator's (XM0001 …), the only case where a configured seed is used."""
    ids = data.projects.index.astype(str)
    return len(ids) > 0 and bool(ids.str.fullmatch(r"XM\d{4,}").all())


def resolve_oracle_seed(data: TrainingData, config: RankerConfig) -> int | None:
    if data.oracle_seed is not None:
        return data.oracle_seed
    seed = config.get("oracle_seed")
    return int(seed) if seed is not None and looks_generated(data) else None


def prepare_groups(data: TrainingData, config: RankerConfig, use_embeddings: bool,
                   embedding_cache: Path | None, progress: bool = True) -> tuple[PairFeatureBuilder, pd.DataFrame]:
    builder = PairFeatureBuilder(use_embeddings=use_embeddings,
                                 history_strength=float(config.get("history_strength", 5.0)))
    builder.bind_runtime(embedding_cache, use_embeddings, progress=progress)
    builder.fit(data.projects, data.products, data.outcomes, data.institution_cities)
    return builder, build_groups(data, builder, progress=progress)


def run_training(data: TrainingData, config: RankerConfig, use_embeddings: bool, embedding_cache: Path | None,
                 min_groups: int, final_fit: bool = True, progress: bool = True) -> TrainResult | None:
    """None when there are fewer labelled groups than ``min_groups`` (the prior stays in use)."""
    if not data.events or data.outcomes.empty:
        return None
    pos = data.outcomes[(data.outcomes["label"] > 0) & data.outcomes["event_id"].notna()]
    if pos[["event_id", "project_id"]].drop_duplicates().shape[0] < min_groups:  # an upper bound, no features needed
        return None
    builder, groups = prepare_groups(data, config, use_embeddings, embedding_cache, progress)
    n_lab = n_labelled_groups(groups)
    if n_lab < min_groups:
        log.info("only %d labelled groups (< %d): not training", n_lab, min_groups)
        return None
    features = list(builder.feature_names_)
    seed = resolve_oracle_seed(data, config)
    ctx = BaselineContext(builder.enrich_projects(data.projects), data.products, features,
                          int(config.get("random_seed", 0)),
                          oracle_utility(seed, data.projects, data.products, data.institution_cities))
    time_res = evaluate_time_split(groups, ctx, config)
    cv_res = evaluate_group_kfold(groups, ctx, config, time_res.n_estimators, progress=progress)
    table = pd.concat([time_res.table(), cv_res.table()], ignore_index=True)
    result = TrainResult(builder, groups, features, time_res, cv_res, table, n_lab, seed if ctx.oracle is not None
                         else None)
    if final_fit:
        model, _ = fit_ranker(groups, features, config, n_estimators=time_res.n_estimators)
        result.model = model
        gain = model.booster_.feature_importance(importance_type="gain")
        result.importance = pd.Series(np.asarray(gain, dtype=float), index=features).sort_values(ascending=False)
    return result

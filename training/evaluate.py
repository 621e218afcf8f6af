"""Evaluation of the ranker against the baselines: a time-ordered split by event date, and GroupKFold by
project. Every scorer ranks the same eligible candidates of the same groups."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold
from tqdm.auto import tqdm

from finmatch.matching.model_scorer import MonotoneCalibration
from training.baselines import BASELINES, BaselineContext
from training.calibration import expected_calibration_error, fit_calibration, reliability_curve
from training.dataset import assert_time_ordered, time_split
from training.fit import RankerConfig, fit_ranker, predict
from training.metrics import all_metrics, metrics_by_family

log = logging.getLogger(__name__)
MODEL = "lambdarank"
METRIC_COLUMNS = ["ndcg@5", "ndcg@10", "map@5", "recall@10", "coverage@5", "groups"]


@dataclass
class SplitResult:
    split: str
    scores: pd.DataFrame  # key columns + one score column per scorer
    scorers: list[str]
    n_estimators: int = 0
    calibration: MonotoneCalibration | None = None
    ece: float = float("nan")
    reliability: pd.DataFrame = field(default_factory=pd.DataFrame)

    def table(self) -> pd.DataFrame:
        rows = []
        for name in self.scorers:
            df = self.scores.assign(score=self.scores[name])
            rows.append({"split": self.split, "family": "all", "scorer": name, **all_metrics(df)})
            for fam, vals in metrics_by_family(df).items():
                rows.append({"split": self.split, "family": fam, "scorer": name, **vals})
        return pd.DataFrame(rows)


def _score_all(train: pd.DataFrame, test: pd.DataFrame, ctx: BaselineContext, model_scores: np.ndarray,
               out: pd.DataFrame) -> list[str]:
    out[MODEL] = model_scores
    names = [MODEL]
    for name, fn in BASELINES.items():
        vals = fn(train, test, ctx)
        if vals is not None:
            out[name] = vals
            names.append(name)
    return names


def _keys(df: pd.DataFrame) -> pd.DataFrame:
    return df[["group", "event_id", "event_date", "project_id", "product_id", "family", "label"]].copy()


def evaluate_time_split(groups: pd.DataFrame, ctx: BaselineContext, config: RankerConfig) -> SplitResult:
    """Train on the earliest events, early-stop and calibrate on the next, test on the latest."""
    train, valid, test = time_split(groups, float(config.get("test_fraction", 0.25)),
                                    float(config.get("valid_fraction", 0.15)))
    assert_time_ordered(train, valid, test)
    model, best = fit_ranker(train, ctx.features, config, valid=valid)
    cal = fit_calibration(predict(model, valid, ctx.features), valid["label"].to_numpy() > 0,
                          str(config.get("calibration", "isotonic")))
    # calibration is judged with the model it was fitted for; ranking with a refit on train + validation
    # (the same rows every baseline learns from), as the shipped model is refit on everything
    prob = cal(predict(model, test, ctx.features))
    hit = test["label"].to_numpy() > 0
    seen = pd.concat([train, valid], ignore_index=True)
    refit, _ = fit_ranker(seen, ctx.features, config, n_estimators=best)
    out = _keys(test)
    names = _score_all(seen, test, ctx, predict(refit, test, ctx.features), out)
    bins = int(config.get("calibration_bins", 10))
    log.info("time split: %d/%d/%d groups, best iteration %d", train["group"].nunique(), valid["group"].nunique(),
             test["group"].nunique(), best)
    return SplitResult("time", out, names, best, cal, expected_calibration_error(prob, hit, bins),
                       reliability_curve(prob, hit, bins))


def evaluate_group_kfold(groups: pd.DataFrame, ctx: BaselineContext, config: RankerConfig,
                         n_estimators: int, progress: bool = True) -> SplitResult:
    """Out-of-fold scores with projects never shared between train and test folds."""
    k = int(config.get("cv_folds", 5))
    folds = GroupKFold(n_splits=k)
    parts = []
    names: list[str] = []
    splits = list(folds.split(groups, groups=groups["project_id"]))
    for tr_idx, te_idx in tqdm(splits, desc="分组交叉验证", unit="折", disable=not progress):
        train, test = groups.iloc[tr_idx], groups.iloc[te_idx]
        model, _ = fit_ranker(train, ctx.features, config, n_estimators=n_estimators)
        out = _keys(test)
        names = _score_all(train, test, ctx, predict(model, test, ctx.features), out)
        parts.append(out)
    scores = pd.concat(parts, ignore_index=True)
    cal = fit_calibration(scores[MODEL].to_numpy(), scores["label"].to_numpy() > 0,
                          str(config.get("calibration", "isotonic")))
    bins = int(config.get("calibration_bins", 10))
    prob, hit = cal(scores[MODEL].to_numpy()), scores["label"].to_numpy() > 0
    return SplitResult("group_kfold", scores, names, n_estimators, cal, expected_calibration_error(prob, hit, bins),
                       reliability_curve(prob, hit, bins))


def headline(table: pd.DataFrame, split: str = "time") -> dict[str, dict[str, float]]:
    """scorer → metrics on all families, for one split."""
    sub = table[(table["split"] == split) & (table["family"] == "all")]
    return {r["scorer"]: {c: float(r[c]) for c in METRIC_COLUMNS} for _, r in sub.iterrows()}

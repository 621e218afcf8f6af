"""Configuration and the LambdaRank fit (groups = one event × one project, sorted contiguously)."""

from __future__ import annotations

import copy
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

DEFAULT_CONFIG = Path(__file__).resolve().parent / "config" / "ranker.toml"


@dataclass
class RankerConfig:
    lightgbm: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.training.get(key, default)

    def as_dict(self) -> dict[str, Any]:
        return {"lightgbm": copy.deepcopy(self.lightgbm), "training": copy.deepcopy(self.training)}


def load_config(path: Path | None = None) -> RankerConfig:
    """The committed defaults, with any keys of ``path`` laid over them."""
    base = tomllib.loads(DEFAULT_CONFIG.read_text("utf-8"))
    if path is not None:
        extra = tomllib.loads(Path(path).read_text("utf-8"))
        for section, values in extra.items():
            base.setdefault(section, {}).update(values)
    return RankerConfig(dict(base.get("lightgbm", {})), dict(base.get("training", {})))


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["group"], kind="stable").reset_index(drop=True)


def group_sizes(df: pd.DataFrame) -> np.ndarray:
    """Sizes of consecutive groups (``df`` sorted by group)."""
    g = df["group"].to_numpy()
    if len(g) == 0:
        return np.zeros(0, dtype=int)
    change = np.flatnonzero(np.diff(g)) + 1
    return np.diff(np.concatenate([[0], change, [len(g)]]))


def fit_ranker(train: pd.DataFrame, features: list[str], config: RankerConfig, valid: pd.DataFrame | None = None,
               n_estimators: int | None = None) -> tuple[lgb.LGBMRanker, int]:
    """Fit an LGBMRanker; with ``valid``, early-stop on its NDCG@5. Returns (model, iterations used)."""
    params = dict(config.lightgbm)
    if n_estimators is not None:
        params["n_estimators"] = n_estimators
    model = lgb.LGBMRanker(**params)
    target = str(config.get("target", "relevance"))
    tr = _sorted(train)
    kwargs: dict[str, Any] = {}
    if valid is not None and len(valid):
        va = _sorted(valid)
        kwargs = {"eval_set": [(va[features], va[target])], "eval_group": [group_sizes(va)],
                  "eval_at": list(config.get("eval_at", [5])),
                  "callbacks": [lgb.early_stopping(int(config.get("early_stopping_rounds", 50)),
                                                   first_metric_only=True, verbose=False)]}
    with warnings.catch_warnings():  # eval_set is deprecated in LightGBM 4.7 but the only form 4.3 knows
        warnings.filterwarnings("ignore", message=".*eval_set.*")
        model.fit(tr[features], tr[target], group=group_sizes(tr), **kwargs)
    best = int(model.best_iteration_ or 0) if valid is not None and len(valid) else 0
    return model, best or int(params.get("n_estimators", 100))


def predict(model: lgb.LGBMRanker, df: pd.DataFrame, features: list[str]) -> np.ndarray:
    if len(df) == 0:
        return np.zeros(0)
    return np.asarray(model.predict(df[features]), dtype=float)

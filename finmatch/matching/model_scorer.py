"""The learned scorer runtime: a LightGBM ranker over the fitted pair features, with reasons.

``finmatch`` never imports the code that fitted it: the feature pipeline arrives through the
``FeaturePipeline`` protocol below, the booster through ``Booster`` (LightGBM's ``Booster`` fits it),
and the calibration is a plain monotone map stored as arrays. ``finmatch.artifact`` writes and reads
all three as plain files (no pickle).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from finmatch.matching.compiled_trees import CompiledTrees, compile_booster
from finmatch.matching.scorer import ScoredPairs

log = logging.getLogger(__name__)
_COMPILE_LOCK = threading.Lock()
_UNSET = object()


@runtime_checkable
class FeaturePipeline(Protocol):
    """What the scorer needs from the fitted feature builder."""

    feature_names_: list[str]

    def enrich_projects(self, projects: pd.DataFrame) -> pd.DataFrame: ...

    def transform(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame: ...

    def reason(self, feature: str, value: float) -> str | None: ...

    def bind_runtime(self, embedding_cache: Path | None, use_embeddings: bool,
                     today: dt.date | None = None) -> Any: ...


class Booster(Protocol):
    def predict(self, data: Any, **kwargs: Any) -> np.ndarray: ...

    def model_to_string(self) -> str: ...


@dataclass
class MonotoneCalibration:
    """Score → probability by linear interpolation through (x, y) knots (isotonic), or a sigmoid (Platt)."""

    x: np.ndarray | None = None
    y: np.ndarray | None = None
    a: float | None = None
    b: float | None = None
    method: str = "isotonic"

    def __call__(self, score: np.ndarray) -> np.ndarray:
        score = np.asarray(score, dtype=float)
        if self.method == "platt":
            assert self.a is not None and self.b is not None
            return 1.0 / (1.0 + np.exp(-(self.a * score + self.b)))
        assert self.x is not None and self.y is not None
        return np.clip(np.interp(score, self.x, self.y), 0.0, 1.0)


@dataclass
class PositionScores:
    """Scores of pairs given by position, and the reasons of any subset of them on demand."""

    score: np.ndarray
    probability: np.ndarray
    explain: Callable[[np.ndarray], list[list[str]]]  # row positions -> reasons per row


class ModelScorer:
    """A ``PairScorer`` backed by a LightGBM ranker; ``version`` is the registry version.

    Scores and contributions come from the booster compiled to arrays (``compiled_trees``: the same raw scores
    bit for bit, LightGBM's TreeSHAP values to ~1e-15, 10–50× cheaper); a booster it does not cover, or
    ``use_compiled_trees = False``, keeps LightGBM's own ``predict``.
    """

    use_compiled_trees: bool = True

    def __init__(self, version: str, pipeline: FeaturePipeline, booster: Booster,
                 calibration: MonotoneCalibration, feature_names: list[str], n_reasons: int = 3,
                 min_contribution: float = 0.02) -> None:
        self.version = version
        self.pipeline = pipeline
        self.booster = booster
        self.calibration = calibration
        self.feature_names = list(feature_names)
        self.n_reasons = n_reasons
        self.min_contribution = min_contribution

    def bind_runtime(self, settings: Any) -> None:
        """Called by the registry after loading: embedding cache path, use_embeddings, today."""
        self.pipeline.bind_runtime(getattr(settings, "resolved_embedding_cache", None),
                                   bool(getattr(settings, "use_embeddings", True)), getattr(settings, "today", None))

    def bind_embedding_model(self, model: Any) -> None:
        """Hand over the sentence-embedding model the service loaded at start-up (no lazy load later)."""
        bind = getattr(self.pipeline, "bind_embedding_model", None)
        if bind is not None:
            bind(model)

    def warm_up(self) -> None:
        """Build what the first request would otherwise build (the tokenizer's dictionary, the compiled trees)."""
        warm = getattr(self.pipeline, "warm_up", None)
        if warm is not None:
            warm()
        _ = self.compiled

    @property
    def compiled(self) -> CompiledTrees | None:
        """The booster as compiled arrays, built on first use (None: LightGBM's own predict is used)."""
        value = self.__dict__.get("_compiled", _UNSET)
        if value is _UNSET:
            with _COMPILE_LOCK:
                value = self.__dict__.get("_compiled", _UNSET)
                if value is _UNSET:
                    value = None
                    if self.use_compiled_trees:
                        try:
                            value = compile_booster(self.booster)
                        except Exception:  # a model this cannot read is still served, by LightGBM
                            log.warning("booster not compiled; LightGBM's predict stays in use", exc_info=True)
                    if value is not None and value.n_features != len(self.feature_names):
                        value = None
                    self.__dict__["_compiled"] = value
        return value  # type: ignore[return-value]

    def _predict_contrib(self, x: np.ndarray) -> np.ndarray:
        compiled = self.compiled
        if compiled is not None and compiled.has_tables:
            return compiled.contributions(x)
        return np.asarray(self.booster.predict(x, pred_contrib=True), dtype=float)

    def enrich_projects(self, projects: pd.DataFrame) -> pd.DataFrame:
        return self.pipeline.enrich_projects(projects)

    def features(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
        return self.pipeline.transform(projects, products, pairs)[self.feature_names]

    def contributions(self, x: pd.DataFrame) -> np.ndarray:
        """Per-feature contributions (n, n_features + 1, last column the bias); rows sum to the raw score."""
        return self._predict_contrib(x.to_numpy(dtype=float))

    def score_pairs(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                    margins: dict[str, np.ndarray] | None = None) -> ScoredPairs:
        if len(pairs) == 0:
            return ScoredPairs(np.zeros(0), np.zeros(0), [])
        x = self.features(projects, products, pairs)
        contrib = self.contributions(x)
        score = contrib.sum(axis=1)
        probability = self.calibration(score)
        return ScoredPairs(score, probability, self.reasons(x, contrib[:, :-1]))

    def score_positions(self, projects: pd.DataFrame, products: pd.DataFrame, pi: np.ndarray,
                        qj: np.ndarray) -> PositionScores:
        """Scores of the pairs (projects row pi[k], products row qj[k]); reasons later, for shown rows only.

        The score is the booster's raw prediction (equal to the sum of the contributions); ``explain``
        runs ``pred_contrib`` on just the rows a view shows.
        """
        x = self.feature_matrix(projects, products, np.asarray(pi), np.asarray(qj))
        score = self.raw_scores(x)
        return PositionScores(score, self.calibration(score), lambda rows: self.explain_rows(x[rows]))

    def feature_matrix(self, projects: pd.DataFrame, products: pd.DataFrame, pi: np.ndarray,
                       qj: np.ndarray) -> np.ndarray:
        """The (n, features) float matrix in ``feature_names`` order."""
        by_position = getattr(self.pipeline, "transform_positions", None)
        if by_position is None:
            pairs = pd.DataFrame({"project_id": projects.index.to_numpy()[pi],
                                  "product_id": products.index.to_numpy()[qj]})
            return self.features(projects, products, pairs).to_numpy(dtype=float)
        x = by_position(projects, products, pi, qj)
        names = list(self.pipeline.feature_names_)
        return x if names == self.feature_names else x[:, [names.index(f) for f in self.feature_names]]

    def raw_scores(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0)
        compiled = self.compiled
        if compiled is not None:
            return compiled.raw_score(x)
        return np.asarray(self.booster.predict(x, raw_score=True), dtype=float).reshape(len(x))

    def explain_rows(self, x: np.ndarray) -> list[list[str]]:
        """Reasons of the given feature rows (one ``pred_contrib`` call)."""
        if len(x) == 0:
            return []
        contrib = self._predict_contrib(x)
        return self.reasons(x, contrib[:, :-1])

    def reasons(self, x: pd.DataFrame | np.ndarray, contrib: np.ndarray) -> list[list[str]]:
        """The top positive contributions of each pair, as short Chinese phrases (deduplicated)."""
        values = np.asarray(x, dtype=float)
        order = np.argsort(-contrib, axis=1)
        names, n_reasons, weak = self.feature_names, self.n_reasons, self.min_contribution
        worded: dict[tuple[int, float], str | None] = {}  # the phrase is a function of (feature, value)
        out: list[list[str]] = []
        for row_order, row_contrib, row_values in zip(order, contrib, values, strict=True):
            phrases: list[str] = []
            for j in row_order.tolist():
                c = row_contrib[j]
                if len(phrases) >= n_reasons or c <= 0:
                    break
                if c < weak and phrases:
                    break  # weak contributions only stand in when no strong one reads as a reason
                key = (j, float(row_values[j]))
                phrase = worded.get(key, "")
                if phrase == "":
                    phrase = worded[key] = self.pipeline.reason(names[j], key[1])
                if phrase and phrase not in phrases:
                    phrases.append(phrase)
            out.append(phrases)
        return out

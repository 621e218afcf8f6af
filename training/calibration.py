"""Calibrated match probability: P(pair reaches at least a meeting | ranker score).

Isotonic (default) or Platt, fitted on held-out scores; judged by a reliability curve and the
expected calibration error (ECE, equal-width bins, weighted by bin size).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from finmatch.matching.model_scorer import MonotoneCalibration


def fit_calibration(scores: np.ndarray, hit: np.ndarray, method: str = "isotonic") -> MonotoneCalibration:
    scores, hit = np.asarray(scores, dtype=float), np.asarray(hit, dtype=float)
    if method == "platt":
        lr = LogisticRegression(C=1e6).fit(scores.reshape(-1, 1), hit)
        return MonotoneCalibration(a=float(lr.coef_[0, 0]), b=float(lr.intercept_[0]), method="platt")
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(scores, hit)
    return MonotoneCalibration(x=np.asarray(iso.X_thresholds_, dtype=float),
                               y=np.asarray(iso.y_thresholds_, dtype=float), method="isotonic")


def reliability_curve(prob: np.ndarray, hit: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Per equal-width probability bin: count, mean predicted probability, observed frequency."""
    prob, hit = np.asarray(prob, dtype=float), np.asarray(hit, dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.digitize(prob, edges[1:-1], right=False), 0, n_bins - 1)
    frame = pd.DataFrame({"bin": idx, "prob": prob, "hit": hit})
    out = frame.groupby("bin").agg(count=("hit", "size"), mean_predicted=("prob", "mean"), observed=("hit", "mean"))
    out["lower"], out["upper"] = edges[out.index], edges[out.index + 1]
    return out.reset_index()


def expected_calibration_error(prob: np.ndarray, hit: np.ndarray, n_bins: int = 10) -> float:
    curve = reliability_curve(prob, hit, n_bins)
    if curve.empty:
        return float("nan")
    w = curve["count"] / curve["count"].sum()
    return float((w * (curve["mean_predicted"] - curve["observed"]).abs()).sum())

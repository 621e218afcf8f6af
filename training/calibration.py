"""Calibrated match probability: P(pair reaches at least a meeting | ranker score).

Fitted on held-out scores, judged by the expected calibration error (ECE, equal-width bins, weighted by
bin size) *and* by resolution: an officer ranks prospects on the probability, so it must not collapse
many different scores onto one value. Plain isotonic regression is a step function (the top 50
prospects of a product shared 5 values); here its blocks become knots at each block's mean score and
the map is linear in between, strictly increasing wherever the isotonic fit increases. Beyond the first
and last block the map follows a Platt (logistic) fit's slope, so the best prospects still differ.
``platt`` alone is the smooth alternative. Both are stored as a ``MonotoneCalibration`` (plain arrays).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from finmatch.matching.model_scorer import MonotoneCalibration

METHODS = ("isotonic", "platt", "isotonic_steps")
_EPS = 1e-4


def _platt(scores: np.ndarray, hit: np.ndarray) -> tuple[float, float]:
    if np.unique(hit).size < 2 or np.ptp(scores) == 0:
        return 0.0, float(np.log((hit.mean() + _EPS) / (1 - hit.mean() + _EPS)))
    lr = LogisticRegression(C=1e6).fit(scores.reshape(-1, 1), hit)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def _centre_knots(scores: np.ndarray, hit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Isotonic fit, then one knot per block: (mean score of the block, block probability)."""
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(scores, hit)
    fitted = iso.predict(scores)
    frame = pd.DataFrame({"s": scores, "p": np.round(fitted, 12)})
    blocks = frame.groupby("p", sort=True)["s"].mean()
    x, y = blocks.to_numpy(dtype=float), blocks.index.to_numpy(dtype=float)
    order = np.argsort(x, kind="stable")
    return x[order], y[order]


def _tails(x: np.ndarray, y: np.ndarray, scores: np.ndarray, a: float, b: float) -> tuple[np.ndarray, np.ndarray]:
    """Knots beyond the first and last block along the Platt slope (kept inside (0, 1), monotone)."""
    span = max(float(np.ptp(scores)), 1e-6)
    lo_x, hi_x = float(scores.min()) - span, float(scores.max()) + span
    slope = lambda s: max(a, 0.0) * (p := 1 / (1 + np.exp(-(a * s + b)))) * (1 - p)  # noqa: E731
    lo_y = max(_EPS, float(y[0]) - slope(x[0]) * (x[0] - lo_x))
    hi_y = min(1 - _EPS, float(y[-1]) + slope(x[-1]) * (hi_x - x[-1]))
    xs = np.concatenate([[lo_x], x, [hi_x]])
    ys = np.concatenate([[min(lo_y, float(y[0]))], y, [max(hi_y, float(y[-1]))]])
    return xs, ys


def fit_calibration(scores: np.ndarray, hit: np.ndarray, method: str = "isotonic") -> MonotoneCalibration:
    """Fit score → probability; ``isotonic`` (interpolated, default), ``platt``, or ``isotonic_steps``
    (the plain step function, kept for comparison)."""
    scores, hit = np.asarray(scores, dtype=float), np.asarray(hit, dtype=float)
    if method not in METHODS:
        raise ValueError(f"unknown calibration method {method!r}; use one of {METHODS}")
    a, b = _platt(scores, hit)
    if method == "platt":
        return MonotoneCalibration(a=a, b=b, method="platt")
    if method == "isotonic_steps":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(scores, hit)
        return MonotoneCalibration(x=np.asarray(iso.X_thresholds_, dtype=float),
                                   y=np.asarray(iso.y_thresholds_, dtype=float), method="isotonic")
    x, y = _centre_knots(scores, hit)
    if x.size == 1:  # a constant fit: let the Platt curve give the spread
        return MonotoneCalibration(a=a, b=b, method="platt")
    x, y = _tails(x, y, scores, a, b)
    return MonotoneCalibration(x=x, y=y, method="isotonic")


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


def resolution(prob: np.ndarray, decimals: int = 3) -> int:
    """Distinct probabilities as an officer reads them (``decimals=3`` is the pages' 76.0%)."""
    prob = np.asarray(prob, dtype=float)
    return int(np.unique(np.round(prob[np.isfinite(prob)], decimals)).size)

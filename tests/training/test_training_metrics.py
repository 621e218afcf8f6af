"""Metrics as plain DataFrame functions, checked against sklearn and by hand; labels; calibration."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import ndcg_score

from finmatch.schemas import Event, Outcome
from training.calibration import expected_calibration_error, fit_calibration, reliability_curve
from training.labels import attach_events, outcomes_frame, pair_labels
from training.metrics import coverage_at_k, map_at_k, ndcg_at_k, per_group_ndcg, recall_at_k


def _random_groups(seed: int, n_groups: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(n_groups):
        size = int(rng.integers(2, 25))
        labels = rng.choice([0, 0, 0, 1, 2, 3], size=size)
        scores = rng.normal(size=size) + 0.3 * labels  # continuous: no ties
        rows += [{"group": g, "label": int(lab), "score": float(s), "product_id": f"P{int(rng.integers(40))}"}
                 for lab, s in zip(labels, scores, strict=True)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("k", [5, 10])
def test_ndcg_matches_sklearn(k: int) -> None:
    df = _random_groups(7)
    ours = per_group_ndcg(df, k)
    ref = {g: ndcg_score([sub["label"].to_numpy()], [sub["score"].to_numpy()], k=k)
           for g, sub in df.groupby("group") if sub["label"].sum() > 0}
    assert len(ours) == len(ref)
    assert np.allclose([ours[g] for g in ref], list(ref.values()))
    assert ndcg_at_k(df, k) == pytest.approx(np.mean(list(ref.values())))


def test_map_recall_coverage_by_hand() -> None:
    df = pd.DataFrame({"group": [1, 1, 1, 1, 2, 2, 2], "label": [0, 2, 0, 1, 0, 0, 0],
                       "score": [0.9, 0.8, 0.7, 0.1, 0.5, 0.4, 0.3],
                       "product_id": ["a", "b", "c", "d", "a", "e", "f"]})
    # group 1: relevant at ranks 2 and 4 → AP@5 = (1/2 + 2/4) / 2; group 2 has no relevant item
    assert map_at_k(df, 5) == pytest.approx(0.5)
    assert recall_at_k(df, 2) == pytest.approx(0.5)
    assert recall_at_k(df, 10) == pytest.approx(1.0)
    assert coverage_at_k(df, 1) == pytest.approx(1 / 6)  # "a" tops both groups; six products were candidates
    assert coverage_at_k(df, 2, catalogue=10) == pytest.approx(3 / 10)


def test_labels_are_the_furthest_stage() -> None:
    day = dt.date(2025, 5, 1)
    ev = Event(event_id="E1", name="e", date=day, project_ids=["A"], product_ids=["P", "Q", "R"])
    recs = [("A", "P", "E1", "meeting"), ("A", "P", "E1", "rejected"), ("A", "Q", "E1", "signed"),
            ("A", "Q", "E1", "approved"), ("A", "R", None, "contacted")]
    outs = [Outcome(project_id=a, product_id=b, event_id=e, stage=s, date=day + dt.timedelta(days=3))
            for a, b, e, s in recs]
    frame = attach_events(outcomes_frame(outs), [ev])
    assert frame["event_id"].tolist() == ["E1"] * 5  # the missing event is the latest with both sides
    labels = pair_labels(frame)
    assert labels.loc[("E1", "A", "P"), "label"] == 1  # met, then rejected: the meeting still happened
    assert labels.loc[("E1", "A", "Q"), "label"] == 3
    assert labels.loc[("E1", "A", "R"), "label"] == 0
    assert labels.loc[("E1", "A", "R"), "relevance"] == 1  # contacted ranks above untouched in training


def test_calibration_and_ece() -> None:
    rng = np.random.default_rng(3)
    score = rng.normal(size=4000)
    p_true = 1 / (1 + np.exp(-2 * score))
    hit = rng.random(4000) < p_true
    assert expected_calibration_error(p_true, hit) < 0.03
    assert expected_calibration_error(np.full(4000, 0.95), hit) > 0.3
    for method in ("isotonic", "platt"):
        cal = fit_calibration(score, hit, method)
        prob = cal(np.sort(score))
        assert np.all(np.diff(prob) >= -1e-12)  # monotone
        assert expected_calibration_error(cal(score), hit) < 0.05
    curve = reliability_curve(p_true, hit, 10)
    assert curve["count"].sum() == 4000 and (curve["observed"].between(0, 1)).all()

"""The compiled trees give LightGBM's own numbers: raw scores bit for bit, TreeSHAP contributions to 1e-12.

Boosters are fitted here on random data with NaNs and zeros in the features, so every missing-value rule of
LightGBM's split decision is exercised (NaN as missing, zero as missing, NaN read as 0); a categorical model is
refused and larger trees fall back to traversal for scores and LightGBM for contributions.
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from finmatch.matching.compiled_trees import MAX_TABLE_SPLITS, compile_booster


def _data(seed: int, n: int = 3000, f: int = 8) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, f))
    x[rng.random((n, f)) < 0.15] = np.nan
    x[rng.random((n, f)) < 0.10] = 0.0
    x[:, 1] = np.round(x[:, 1])  # a feature with many ties at the thresholds
    y = np.nan_to_num(x[:, 0]) * 2 - np.nan_to_num(x[:, 2]) + np.isnan(x[:, 3]) + rng.normal(scale=0.3, size=n)
    return x, y


def _fit(x: np.ndarray, y: np.ndarray, **params: object) -> lgb.Booster:
    base = {"objective": "regression", "num_leaves": 7, "learning_rate": 0.1, "verbose": -1, "num_threads": 1,
            "min_data_in_leaf": 20, "seed": 1}
    return lgb.train({**base, **params}, lgb.Dataset(x, y), num_boost_round=60)


def _probe(x: np.ndarray, seed: int) -> np.ndarray:
    """Rows that sit on the thresholds, at ±0, NaN and far out, besides the training rows."""
    rng = np.random.default_rng(seed)
    extra = x[rng.integers(0, len(x), 400)].copy()
    extra[::3, :] = np.nan
    extra[1::5, :] = 0.0
    extra[2::7, :] = -0.0
    extra[3::11, :] = 1e300
    return np.vstack([x, extra])


@pytest.mark.parametrize("params", [
    {},
    {"use_missing": True, "zero_as_missing": True},
    {"use_missing": False},
    {"objective": "lambdarank"},
], ids=["nan-missing", "zero-missing", "no-missing", "lambdarank"])
def test_same_numbers_as_lightgbm(params: dict) -> None:
    x, y = _data(7)
    if params.get("objective") == "lambdarank":
        y = np.clip(np.round(y - y.min()), 0, 4).astype(int)
        ds = lgb.Dataset(x, y, group=[30] * 100)
        booster = lgb.train({"objective": "lambdarank", "num_leaves": 7, "verbose": -1, "num_threads": 1,
                             "min_data_in_leaf": 20}, ds, num_boost_round=60)
    else:
        booster = _fit(x, y, **params)
    compiled = compile_booster(booster)
    assert compiled is not None and compiled.has_tables
    if params.get("zero_as_missing"):
        assert (compiled.missing == 1).any()  # zero-as-missing splits are really exercised
    elif params.get("use_missing", True):
        assert (compiled.missing == 2).any()
    probe = _probe(x, 3)
    raw = booster.predict(probe, raw_score=True)
    assert np.array_equal(compiled.raw_score(probe), raw)  # bit for bit
    contrib = booster.predict(probe[:1500], pred_contrib=True)
    mine = compiled.contributions(probe[:1500])
    assert mine.shape == contrib.shape
    np.testing.assert_allclose(mine, contrib, rtol=0, atol=1e-12)
    assert np.array_equal(mine[:, -1], contrib[:, -1])  # the bias: the trees' expected values, same order


def test_single_leaf_trees_and_one_row() -> None:
    x, y = _data(11, n=200)
    booster = _fit(x, np.full(len(y), 3.0) + 1e-9 * np.arange(len(y)), min_data_in_leaf=150)
    compiled = compile_booster(booster)
    assert compiled is not None
    assert np.array_equal(compiled.raw_score(x[:1]), booster.predict(x[:1], raw_score=True))
    np.testing.assert_allclose(compiled.contributions(x[:3]), booster.predict(x[:3], pred_contrib=True), atol=1e-12)
    assert compiled.raw_score(x[:0]).shape == (0,)


def test_large_trees_score_by_traversal_and_keep_lightgbm_for_contributions() -> None:
    x, y = _data(5, n=4000)
    booster = _fit(x, y, num_leaves=MAX_TABLE_SPLITS + 8, min_data_in_leaf=5)
    compiled = compile_booster(booster)
    assert compiled is not None and not compiled.has_tables
    probe = _probe(x, 4)
    assert np.array_equal(compiled.raw_score(probe), booster.predict(probe, raw_score=True))
    with pytest.raises(ValueError):
        compiled.contributions(probe[:2])


def test_categorical_model_is_not_compiled() -> None:
    rng = np.random.default_rng(2)
    x = np.c_[rng.integers(0, 6, 2000), rng.normal(size=2000)].astype(float)
    y = (x[:, 0] == 3) * 2.0 + x[:, 1]
    booster = lgb.train({"objective": "regression", "verbose": -1, "num_leaves": 7, "num_threads": 1},
                        lgb.Dataset(x, y, categorical_feature=[0]), num_boost_round=20)
    assert compile_booster(booster) is None


def test_wrong_width_is_refused() -> None:
    x, y = _data(9, n=500)
    compiled = compile_booster(_fit(x, y))
    assert compiled is not None
    with pytest.raises(ValueError):
        compiled.raw_score(x[:, :-1])


def test_model_scorer_reasons_match_lightgbm_path(model_scorer, sample) -> None:
    """The engine's scores and reasons with the compiled trees equal those of LightGBM's own calls."""
    from finmatch.matching import MatchEngine
    from finmatch.matching.model_scorer import ModelScorer
    from tests.matching.conftest import TODAY

    plain = ModelScorer(model_scorer.version, model_scorer.pipeline, model_scorer.booster,
                        model_scorer.calibration, model_scorer.feature_names)
    plain.use_compiled_trees = False
    assert model_scorer.compiled is not None and plain.compiled is None
    projects = sample.projects.iloc[:120]
    fast = MatchEngine(model_scorer, today=TODAY).run(projects, sample.products)
    slow = MatchEngine(plain, today=TODAY).run(projects, sample.products)
    assert np.array_equal(fast.scores["score"].to_numpy(), slow.scores["score"].to_numpy())
    rows = np.arange(len(fast.scores))
    assert fast.reasons_at(rows) == slow.reasons_at(rows)

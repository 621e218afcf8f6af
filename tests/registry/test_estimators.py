"""Every fitted object follows scikit-learn's estimator contract (what the model file relies on).

``parametrize_with_checks`` needs estimators that take numeric arrays; ours take text series and
frames, so the applicable checks are written out: clone equality of parameters, get/set_params round
trip, NotFittedError before fit, fit returns self, learned state only in ``*_`` attributes, runtime
settings never among the parameters.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from features.bm25 import BM25Similarity
from features.pairs import PairFeatureBuilder
from features.sector import SectorClassifier
from features.semantic import EmbeddingSimilarity
from finmatch.artifact_state import fitted_attributes
from tests.registry.conftest import Saved

RUNTIME_WORDS = ("cache", "today", "progress", "embedder", "model", "path")


def fitted_objects(saved: Saved) -> dict[str, BaseEstimator]:
    builder = saved.scorer.pipeline
    return {"PairFeatureBuilder": builder, "BM25Similarity": builder.text_["bm25"],
            "EmbeddingSimilarity": builder.text_["embedding"], "SectorClassifier": builder.sector_classifier_}


NAMES = ["PairFeatureBuilder", "BM25Similarity", "EmbeddingSimilarity", "SectorClassifier"]


@pytest.mark.parametrize("name", NAMES)
def test_fitted_objects_are_estimators_that_clone_unfitted(saved: Saved, name: str) -> None:
    est = fitted_objects(saved)[name]
    assert isinstance(est, BaseEstimator)
    check_is_fitted(est)
    assert fitted_attributes(est), "learned state lives in *_ attributes"
    twin = clone(est)
    assert type(twin) is type(est) and twin is not est
    assert twin.get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(twin)
    assert not [p for p in est.get_params() if any(w in p for w in RUNTIME_WORDS)], est.get_params()


@pytest.mark.parametrize("name", NAMES)
def test_get_set_params_round_trip(saved: Saved, name: str) -> None:
    est = clone(fitted_objects(saved)[name])
    params = est.get_params()
    assert est.set_params(**params) is est and est.get_params() == params
    with pytest.raises(ValueError):
        est.set_params(no_such_parameter=1)


def test_binding_runtime_settings_changes_no_parameter(saved: Saved, tmp_path) -> None:
    builder = saved.scorer.pipeline
    before = builder.get_params()
    builder.bind_runtime(tmp_path / "other.sqlite", False, saved.settings.today)
    try:
        assert builder.get_params() == before
        assert "embedding_cosine" in builder.feature_names_
    finally:
        saved.scorer.bind_runtime(saved.settings)
    assert builder.get_params() == before


TEXTS = pd.Series({"A": "中试贷款 新材料", "B": "新能源 储能 基金", "C": "生物医药 保险"})
PAIRS = pd.DataFrame({"project_id": ["p"], "product_id": ["A"], "project_text": ["新材料中试"]})


def test_not_fitted_raises_before_fit() -> None:
    with pytest.raises(NotFittedError):
        BM25Similarity().transform(PAIRS)
    with pytest.raises(NotFittedError):
        BM25Similarity().score_matrix(pd.Series({"p": "新材料"}))
    with pytest.raises(NotFittedError):
        EmbeddingSimilarity().transform(PAIRS)
    with pytest.raises(NotFittedError):
        SectorClassifier().predict(["新材料"])
    with pytest.raises(NotFittedError):
        PairFeatureBuilder().transform(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(columns=["project_id", "product_id"]))


def test_fit_returns_self_and_leaves_parameters_alone() -> None:
    est = BM25Similarity(k1=1.2, b=0.5)
    params = est.get_params()
    assert est.fit(TEXTS) is est and est.get_params() == params
    check_is_fitted(est)
    assert list(est.get_feature_names_out()) == ["bm25", "bm25_norm"]
    assert est.transform(PAIRS).shape == (1, 2)
    clf = SectorClassifier(max_iter=500)
    labels = pd.Series(["advanced_materials", "new_energy_storage", "biomedicine"] * 2)
    assert clf.fit(pd.concat([TEXTS, TEXTS], ignore_index=True), labels) is clf
    assert clf.get_params()["max_iter"] == 500


def _estimators_in(value: object, found: list[BaseEstimator]) -> None:
    if isinstance(value, BaseEstimator):
        if any(value is f for f in found):
            return
        found.append(value)
        for attr in fitted_attributes(value).values():
            _estimators_in(attr, found)
    elif isinstance(value, dict):
        for v in value.values():
            _estimators_in(v, found)
    elif isinstance(value, list | tuple):
        for v in value:
            _estimators_in(v, found)


def test_every_fitted_object_inside_the_saved_builder_clones_and_is_fitted(saved: Saved) -> None:
    """Whatever estimators the builder holds now (or gains later), each follows the contract."""
    found: list[BaseEstimator] = []
    _estimators_in(saved.scorer.pipeline, found)
    assert len(found) >= 4
    for est in found:
        if type(est).__module__.split(".")[0] == "sklearn":
            continue  # scikit-learn's own (the sector pipeline): stored through skops
        check_is_fitted(est)
        twin = clone(est)
        assert twin.get_params() == est.get_params(), type(est).__name__
        with pytest.raises(NotFittedError):
            check_is_fitted(twin)

"""The pair feature matrix equals, bit for bit, the one the code before the speed work computed
(frozen in ``reference_features.py`` and the ``reference_*`` modules it uses).

On the sample (the generator's 300 projects × the 54 curated products, the catalogue the builder was fitted
on) and on ``benchmarks/_scale.py`` data (1,000 jittered products the builder was not fitted on, so the text
models are refitted at run time; fresh projects, some with a blank sector): the eligible pairs in engine
order, every pair shuffled with repeats (gathers not in frame order), one project at a time (the per-request
path), no pairs, a second call on the same frames (the cached product side), and the training path
(``transform`` as of a date, leaving an event out). Equal means ``np.array_equal(..., equal_nan=True)``
and the same bits wherever a value is not NaN (so -0.0 and 0.0 are told apart).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from tests.features.reference_features import enrich, reference_feature_matrix

TODAY = dt.date(2026, 11, 28)


@dataclass
class Data:
    builder: object
    projects: pd.DataFrame
    products: pd.DataFrame
    outcomes: pd.DataFrame


def assert_same(new: np.ndarray, old: np.ndarray, names: list[str]) -> None:
    assert new.shape == old.shape and new.dtype == old.dtype == np.float64
    same = np.isnan(new) == np.isnan(old)
    same &= np.isnan(old) | (new.view(np.uint64) == old.view(np.uint64))
    if not same.all():
        bad = sorted({names[c] for c in np.flatnonzero(~same.all(axis=0))})
        raise AssertionError(f"feature columns differ from the frozen reference: {bad}")
    assert np.array_equal(new, old, equal_nan=True)


@pytest.fixture(scope="module")
def fitted() -> Data:
    from features.pairs import PairFeatureBuilder
    from training.labels import attach_events, outcomes_frame
    from training.synthetic import generate_dataset, load_catalogue
    from training.synthetic.dataset import frames

    cat, doc = load_catalogue(), generate_dataset()
    projects, products = frames(doc, cat)
    outcomes = attach_events(outcomes_frame(doc.outcomes), doc.events)
    cities = {i.institution_id: i.city or "" for i in cat.institutions}
    builder = PairFeatureBuilder(use_embeddings=False).fit(projects, products, outcomes, cities)
    builder.bind_runtime(None, False, TODAY)
    return Data(builder, projects, products, outcomes)


@pytest.fixture(scope="module", params=["sample", "scale"])
def data(request: pytest.FixtureRequest, fitted: Data) -> Data:
    if request.param == "sample":
        return fitted
    from benchmarks._scale import scaled_products, scaled_projects

    projects = scaled_projects(90)
    projects.loc[projects.index[::7], "sector"] = np.nan  # more blank sectors: the inferred-sector path
    return Data(fitted.builder, projects, scaled_products(1000), fitted.outcomes)


def _eligible(data: Data, projects: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    from finmatch.matching.ranking import eligibility_of

    enriched = data.builder.enrich_projects(projects)  # type: ignore[attr-defined]
    return np.nonzero(eligibility_of(enriched, data.products, TODAY).eligible)


def test_eligible_pairs_in_engine_order(data: Data) -> None:
    b = data.builder
    pi, qj = _eligible(data, data.projects)
    assert len(pi) > 1000
    old = reference_feature_matrix(b, data.projects, data.products, pi, qj)
    for _ in range(2):  # the second call reads the cached product side
        new = b.transform_positions(data.projects, data.products, pi, qj)  # type: ignore[attr-defined]
        assert_same(new, old, b.feature_names_)  # type: ignore[attr-defined]
    enriched = b.enrich_projects(data.projects)  # type: ignore[attr-defined]
    assert_same(b.transform_positions(enriched, data.products, pi, qj), old, b.feature_names_)  # type: ignore[attr-defined]


def test_enriched_projects_equal_the_frozen_sector_understanding(data: Data) -> None:
    new = data.builder.enrich_projects(data.projects)  # type: ignore[attr-defined]
    old = enrich(data.builder, data.projects)
    assert new["sector"].isna().any()
    pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_shuffled_pairs_with_repeats(data: Data) -> None:
    b = data.builder
    n, m = len(data.projects), len(data.products)
    rng = np.random.default_rng(5)
    k = min(n * m, 40000)
    pi, qj = rng.integers(0, n, k), rng.integers(0, m, k)
    old = reference_feature_matrix(b, data.projects, data.products, pi, qj)
    assert_same(b.transform_positions(data.projects, data.products, pi, qj), old, b.feature_names_)  # type: ignore[attr-defined]


def test_one_project_at_a_time(data: Data) -> None:
    b = data.builder
    blank = np.flatnonzero(data.projects["sector"].isna().to_numpy())[:3]
    for i in [0, 1, 2, *blank.tolist()]:
        one = data.projects.iloc[i:i + 1]
        pi, qj = _eligible(data, one)
        old = reference_feature_matrix(b, one, data.products, pi, qj)
        assert_same(b.transform_positions(one, data.products, pi, qj), old, b.feature_names_)  # type: ignore[attr-defined]
        everything = np.zeros(len(data.products), dtype=np.int64), np.arange(len(data.products))
        old = reference_feature_matrix(b, one, data.products, *everything)
        assert_same(b.transform_positions(one, data.products, *everything), old, b.feature_names_)  # type: ignore[attr-defined]


def test_no_pairs(data: Data) -> None:
    b = data.builder
    none = np.zeros(0, dtype=np.int64)
    new = b.transform_positions(data.projects, data.products, none, none)  # type: ignore[attr-defined]
    assert_same(new, reference_feature_matrix(b, data.projects, data.products, none, none), b.feature_names_)  # type: ignore[attr-defined]


def test_training_path_as_of_a_date(fitted: Data) -> None:
    b = fitted.builder
    events = fitted.outcomes.dropna(subset=["event_id"])
    event, day = str(events["event_id"].iloc[0]), pd.to_datetime(events["date"]).dt.date.iloc[len(events) // 2]
    rng = np.random.default_rng(9)
    pi = rng.integers(0, len(fitted.projects), 5000)
    qj = rng.integers(0, len(fitted.products), 5000)
    pairs = pd.DataFrame({"project_id": fitted.projects.index.to_numpy()[pi],
                          "product_id": fitted.products.index.to_numpy()[qj]})
    for as_of, exclude in ((day, event), (day, None), (None, None)):
        old = reference_feature_matrix(b, fitted.projects, fitted.products, pi, qj, as_of, exclude)
        frame = b.transform(fitted.projects, fitted.products, pairs, as_of=as_of, exclude_event=exclude)  # type: ignore[attr-defined]
        assert list(frame.columns) == b.feature_names_  # type: ignore[attr-defined]
        assert_same(frame.to_numpy(dtype=float), old, b.feature_names_)  # type: ignore[attr-defined]
        new = b.transform_positions(fitted.projects, fitted.products, pi, qj, as_of, exclude)  # type: ignore[attr-defined]
        assert_same(new, old, b.feature_names_)  # type: ignore[attr-defined]


def test_column_order_matrix_is_the_same(data: Data) -> None:
    b = data.builder
    pi, qj = _eligible(data, data.projects)
    c = b.transform_positions(data.projects, data.products, pi, qj)  # type: ignore[attr-defined]
    f = b.transform_positions(data.projects, data.products, pi, qj, order="F")  # type: ignore[attr-defined]
    assert c.flags.c_contiguous and f.flags.f_contiguous
    assert_same(np.ascontiguousarray(f), c, b.feature_names_)  # type: ignore[attr-defined]

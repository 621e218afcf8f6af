"""Sample data and one small trained scorer for the engine and batch tests (built once per session).

The catalogue is ``data_samples/catalogue.json`` and the projects are the generator's default set
(seed 20251, 300 projects, the same as ``data_samples/generated.json``); the model is a LambdaRank
fit on that history with embeddings off (about 5 s), so the tests do not need the sentence model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

TODAY = dt.date(2026, 11, 28)


@dataclass
class Sample:
    projects: pd.DataFrame
    products: pd.DataFrame
    outcomes: pd.DataFrame
    institution_cities: dict[str, str]


@pytest.fixture(scope="session")
def sample() -> Sample:
    from training.labels import attach_events, outcomes_frame
    from training.synthetic import generate_dataset, load_catalogue
    from training.synthetic.dataset import frames

    cat, doc = load_catalogue(), generate_dataset()
    projects, products = frames(doc, cat)
    outcomes = attach_events(outcomes_frame(doc.outcomes), doc.events)
    cities = {i.institution_id: i.city or "" for i in cat.institutions}
    sample = Sample(projects, products, outcomes, cities)
    sample.events = doc.events  # type: ignore[attr-defined]
    return sample


@pytest.fixture(scope="session")
def model_scorer(sample: Sample):
    from features.pairs import PairFeatureBuilder
    from finmatch.matching.model_scorer import ModelScorer, MonotoneCalibration
    from training.dataset import TrainingData, build_groups
    from training.fit import fit_ranker, load_config

    data = TrainingData(sample.projects, sample.products, sample.events, sample.outcomes,  # type: ignore[attr-defined]
                        sample.institution_cities)
    builder = PairFeatureBuilder(use_embeddings=False).fit(sample.projects, sample.products, sample.outcomes,
                                                           sample.institution_cities)
    builder.bind_runtime(None, False, TODAY)
    groups = build_groups(data, builder, progress=False)
    model, _ = fit_ranker(groups, list(builder.feature_names_), load_config(), n_estimators=150)
    knots = np.quantile(model.predict(groups[builder.feature_names_].to_numpy(dtype=float)), [0.0, 0.5, 1.0])
    calibration = MonotoneCalibration(x=knots, y=np.array([0.05, 0.35, 0.9]))
    return ModelScorer("test-model", builder, model.booster_, calibration, list(builder.feature_names_))


@pytest.fixture(scope="session")
def prior_scorer(sample: Sample):
    from features.cold_start import ColdStartText
    from finmatch.matching import PriorScorer

    text = ColdStartText().fit(sample.projects)
    return PriorScorer(text_similarity=text.similarity, sector_inferer=text.infer)


@pytest.fixture(scope="session")
def big_products() -> pd.DataFrame:
    """300 products: the catalogue and jittered copies (a catalogue the model was not fitted on)."""
    from benchmarks._scale import scaled_products

    return scaled_products(300, seed=3)

"""One small trained scorer written as a model version (seeded data, embeddings on, 30 trees).

Built once per session: a real PairFeatureBuilder (BM25, sector classifier, e5 product vectors,
history), a LightGBM ranker and an isotonic calibration, saved through ``training.registry_writer``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from finmatch.matching.model_scorer import ModelScorer
from finmatch.settings import Settings

VERSION = "20260101T000000Z-abcdef"


@dataclass
class Saved:
    scorer: ModelScorer
    settings: Settings
    folder: Path
    projects: pd.DataFrame
    products: pd.DataFrame
    pairs: pd.DataFrame


@pytest.fixture(scope="session")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Saved:
    from features.pairs import PairFeatureBuilder
    from training.calibration import fit_calibration
    from training.dataset import build_groups, training_data_from_document
    from training.fit import fit_ranker, load_config, predict
    from training.registry_writer import write_version
    from training.synthetic import generate_dataset, load_catalogue

    root = tmp_path_factory.mktemp("registry")
    cache = root / "embeddings.sqlite"
    data = training_data_from_document(generate_dataset(n_projects=60, seed=11), load_catalogue())
    builder = PairFeatureBuilder(use_embeddings=True).bind_runtime(cache, True)
    builder.fit(data.projects, data.products, data.outcomes, data.institution_cities)
    groups = build_groups(data, builder, progress=False)
    features = list(builder.feature_names_)
    model, _ = fit_ranker(groups, features, load_config(), n_estimators=30)
    calibration = fit_calibration(predict(model, groups, features), (groups["label"] >= 1).astype(float))
    scorer = ModelScorer(VERSION, builder, model.booster_, calibration, features)
    write_version(root / "models", VERSION, scorer, {"note": "test"}, {})
    settings = Settings(data_dir=root / "var", model_dir=root / "models", embedding_cache=cache,
                        today=dt.date(2026, 11, 28), database_url=f"sqlite:///{root / 'unused.db'}",
                        model_version=None)
    scorer.bind_runtime(settings)
    pairs = groups[["project_id", "product_id"]].drop_duplicates().head(400).reset_index(drop=True)
    return Saved(scorer, settings, root / "models" / VERSION, data.projects, data.products, pairs)

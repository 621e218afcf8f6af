"""With the demo's (synthetic) history the model beats the prior on the time split and does not lose to
it on the independent set, which is unlike the training data."""

from __future__ import annotations

from pathlib import Path

import pytest

from finmatch.io.importer import import_paths
from finmatch.runtime import open_database
from finmatch.settings import Settings
from finmatch.storage import Repository
from training.dataset import load_training_data
from training.evaluate import headline
from training.fit import load_config
from training.independent import day_one_scorer, ranking_report
from training.pipeline import run_training

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo")
    settings = Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'finmatch.db'}", use_embeddings=False)
    db = open_database(settings)
    try:
        import_paths([ROOT / "data_samples" / "catalogue.json", ROOT / "data_samples" / "generated.json"],
                     db.factory, actor="test")
        with db.factory() as session:
            data = load_training_data(Repository(session))
    finally:
        db.dispose()
    config = load_config()
    config.training["cv_folds"] = 2  # the time split is what this test reads; keep GroupKFold short
    result = run_training(data, config, False, None, min_groups=30, final_fit=True, progress=False)
    assert result is not None
    return result


def test_model_beats_prior_on_the_time_split(trained) -> None:
    h = headline(trained.table, "time")
    print(f"\ntime split NDCG@5: model {h['lambdarank']['ndcg@5']:.4f}, prior {h['prior']['ndcg@5']:.4f}")
    assert "prior_score" in trained.features
    assert h["lambdarank"]["ndcg@5"] > h["prior"]["ndcg@5"]


def test_model_does_not_lose_to_prior_on_the_independent_set(trained) -> None:
    table = ranking_report({"prior": day_one_scorer(False, None), "model": trained.scorer("test")})
    ndcg = table.set_index("scorer")["ndcg@5"]
    print(f"\nindependent NDCG@5: model {ndcg['model']:.4f}, prior {ndcg['prior']:.4f}")
    assert ndcg["model"] >= ndcg["prior"]

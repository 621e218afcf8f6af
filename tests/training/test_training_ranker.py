"""The trained model on the default sample data: beats the baselines, artifact, serving, reasons."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select

from features.artifact_types import artifact_types
from finmatch.matching import MatchEngine, PriorScorer
from finmatch.matching.model_scorer import ModelScorer
from finmatch.registry import MODEL_FILE
from finmatch.registry import load_scorer as _load_scorer
from finmatch.runtime import open_database
from finmatch.storage import Repository
from finmatch.storage.orm import ModelVersionRow
from tests.training.conftest import Trained


def load_scorer(settings, **kw):
    """What the composition roots do: the features allow-list handed to the core's reader."""
    return _load_scorer(settings, types=artifact_types(), **kw)

ROOT = Path(__file__).resolve().parents[2]


def _metrics(t: Trained) -> dict:
    return json.loads((t.settings.resolved_model_dir / t.version / "metrics.json").read_text("utf-8"))


def test_lambdarank_beats_every_non_oracle_baseline_on_the_time_split(trained: Trained) -> None:
    table = _metrics(trained)["time_split"]
    model = table["lambdarank"]["ndcg@5"]
    baselines = {k: v["ndcg@5"] for k, v in table.items() if k not in ("lambdarank", "oracle")}
    assert {"random", "prior", "bm25", "embedding", "logreg"} <= set(baselines)
    assert all(model > v for v in baselines.values()), (model, baselines)
    assert "oracle" in table and table["oracle"]["ndcg@5"] >= model * 0.95
    assert 0.85 < _metrics(trained)["model_oracle_ratio_ndcg@5"] <= 1.05
    assert table["lambdarank"]["groups"] >= 100


def test_artifact_holds_model_report_and_index_row(trained: Trained) -> None:
    folder = trained.settings.resolved_model_dir / trained.version
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", trained.version)
    for name in (MODEL_FILE, "metrics.json", "meta.json", "report.md", "metrics_vs_baselines.png",
                 "feature_importance.png", "reliability.png", "ndcg_by_family.png"):
        assert (folder / name).stat().st_size > 0, name
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    assert {"features", "params", "data_hash", "library_versions", "timestamp", "n_groups"} <= set(meta)
    assert meta["use_embeddings"] is True and "embedding_cosine" in meta["features"]
    assert trained.version.endswith(meta["data_hash"][:6])
    metrics = _metrics(trained)
    assert set(metrics["by_family"]["time"]) == {"equity", "loan", "guarantee", "insurance", "subsidy"}
    assert metrics["calibration"]["ece_time_split"] < 0.1
    assert "ECE" in (folder / "report.md").read_text("utf-8")
    db = open_database(trained.settings)
    with db.factory() as session:
        row = session.scalar(select(ModelVersionRow).where(ModelVersionRow.version == trained.version))
    db.dispose()
    assert row is not None and row.data_hash == meta["data_hash"]


def test_loaded_scorer_ranks_with_version_probability_and_chinese_reasons(trained: Trained) -> None:
    scorer, info = load_scorer(trained.settings)
    assert isinstance(scorer, ModelScorer) and scorer.version == trained.version == info.version
    db = open_database(trained.settings)
    with db.factory() as session:
        repo = Repository(session)
        projects, products = repo.projects_frame(), repo.products_frame()
    db.dispose()
    result = MatchEngine(scorer, today=trained.settings.today).run(projects.iloc[:12], products)
    out = result.to_output(5)
    assert out["model"] == trained.version
    assert "inferred_sector" in result.projects.columns
    scores = result.scores
    assert len(scores) > 20 and scores["probability"].between(0, 1).all()
    with_reasons = [r for r in result.reasons_at(range(len(scores))) if r]  # reasons are computed on demand
    assert len(with_reasons) > 0.5 * len(scores)
    assert all(re.search(r"[\u4e00-\u9fff]", p) for r in with_reasons for p in r)
    # pred_contrib rows sum to the raw prediction the booster gives
    pairs = scores[["project_id", "product_id"]].head(30)
    x = scorer.features(result.projects, products, pairs)
    assert np.allclose(scorer.contributions(x).sum(axis=1), scorer.booster.predict(x.to_numpy(dtype=float)))


def test_unseen_product_and_embeddings_off_still_score(trained: Trained) -> None:
    scorer, _ = load_scorer(trained.settings)
    db = open_database(trained.settings)
    with db.factory() as session:
        repo = Repository(session)
        projects, products = repo.projects_frame(), repo.products_frame()
    db.dispose()
    new = products.iloc[[0]].copy()
    new.index = pd.Index(["P-NEW-001"], name="product_id")
    new["product_id"] = "P-NEW-001"
    new["description"] = "全新的中试贷款产品，支持新材料中试线建设与设备购置。"
    catalogue = pd.concat([products, new])
    pairs = pd.DataFrame({"project_id": [projects.index[0]] * 2, "product_id": ["P-NEW-001", products.index[0]]})
    scored = scorer.score_pairs(scorer.enrich_projects(projects.iloc[:1]), catalogue, pairs)
    assert np.isfinite(scored.score).all() and len(scored.reasons) == 2
    scorer.pipeline.bind_runtime(trained.settings.resolved_embedding_cache, False, trained.settings.today)
    x = scorer.features(scorer.enrich_projects(projects.iloc[:3]), products,
                        pd.DataFrame({"project_id": projects.index[:3], "product_id": products.index[:3]}))
    assert x["embedding_cosine"].isna().all()
    assert np.isfinite(scorer.score_pairs(projects.iloc[:3], products, pd.DataFrame(
        {"project_id": projects.index[:3], "product_id": products.index[:3]})).score).all()


def test_cold_start_writes_nothing_and_prior_is_used(trained_copy: Trained, capsys) -> None:
    from training.command import train_command

    settings = trained_copy.settings.model_copy(update={"min_training_groups": 10**6,
                                                        "model_dir": trained_copy.root / "empty_models"})
    assert train_command(settings, progress=False) is None
    assert "prior" in capsys.readouterr().out
    assert not (trained_copy.root / "empty_models").exists()
    scorer, info = load_scorer(settings)
    assert isinstance(scorer, PriorScorer) and scorer.version == "prior" and info is None


def test_scorer_runtime_imports_neither_features_nor_training() -> None:
    tree = ast.parse((ROOT / "finmatch" / "matching" / "model_scorer.py").read_text("utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [m for m in names if m.split(".")[0] in ("features", "training")]

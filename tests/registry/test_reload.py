"""``POST /models/reload`` loads only verified artifacts: a tampered version is refused, the old model stays."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from finmatch.artifact import MODEL_DIR
from finmatch.settings import Settings
from tests.api.conftest import seed
from tests.registry.conftest import VERSION, Saved


def test_reload_refuses_a_tampered_model_and_keeps_serving_the_verified_one(saved: Saved, sqlite_settings: Settings,
                                                                          tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(saved.folder.parent, models)
    cfg = sqlite_settings.model_copy(update={"use_embeddings": False, "model_dir": models,
                                             "embedding_cache": saved.settings.resolved_embedding_cache})
    keys = seed(cfg)
    admin = {"X-API-Key": keys["admin"]}
    with TestClient(create_app(cfg)) as client:
        assert client.get("/models", headers=admin).json()["version"] == VERSION
        booster = models / VERSION / MODEL_DIR / "booster.txt"
        booster.write_text(booster.read_text("utf-8").replace("tree", "tree ", 1), "utf-8")
        r = client.post("/models/reload", headers=admin)
        assert r.status_code == 503
        assert r.json()["code"] == "model_artifact_invalid" and "校验值不符" in r.json()["message"]
        assert client.get("/models", headers=admin).json()["version"] == VERSION  # the verified one serves on

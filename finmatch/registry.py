"""Reading the model registry: ``<model_dir>/<version>/`` directories written by ``finmatch train``.

Each version directory holds ``scorer.joblib`` (a pickled object implementing
``finmatch.matching.PairScorer``, carrying its fitted feature builders), ``metrics.json``,
``meta.json`` and ``report.md``. Versions sort by name (they start with a UTC timestamp).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finmatch.exceptions import ModelUnavailableError
from finmatch.matching.scorer import PairScorer, PriorScorer
from finmatch.settings import Settings

log = logging.getLogger(__name__)
SCORER_FILE = "scorer.joblib"


@dataclass
class ModelInfo:
    version: str
    path: Path
    metrics: dict[str, Any]
    meta: dict[str, Any]


def list_versions(model_dir: Path) -> list[str]:
    if not model_dir.exists():
        return []
    return sorted(p.name for p in model_dir.iterdir() if (p / SCORER_FILE).exists())


def _read_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def model_info(model_dir: Path, version: str) -> ModelInfo:
    path = model_dir / version
    if not (path / SCORER_FILE).exists():
        raise ModelUnavailableError(f"模型版本 {version} 不存在 / model version not found", field="version")
    return ModelInfo(version, path, _read_json(path / "metrics.json"), _read_json(path / "meta.json"))


def current_version(settings: Settings) -> str | None:
    versions = list_versions(settings.resolved_model_dir)
    if settings.model_version:
        if settings.model_version not in versions:
            raise ModelUnavailableError(f"指定的模型版本 {settings.model_version} 不存在 / pinned model not found")
        return settings.model_version
    return versions[-1] if versions else None


def load_scorer(settings: Settings,
                prior: Callable[[Settings], PairScorer] | None = None) -> tuple[PairScorer, ModelInfo | None]:
    """The pinned or newest model; the transparent prior when none has been trained (cold start).

    ``prior`` builds the cold-start scorer (the composition root passes one with text similarity and
    sector inference from ``features``); the default is the plain structured prior.
    """
    version = current_version(settings)
    if version is None:
        log.info("no trained model in %s; using the prior scorer", settings.resolved_model_dir)
        return (prior(settings) if prior is not None else PriorScorer()), None
    info = model_info(settings.resolved_model_dir, version)
    import joblib

    try:
        scorer = joblib.load(info.path / SCORER_FILE)
    except Exception as exc:
        raise ModelUnavailableError(f"模型 {version} 加载失败：{exc} / cannot load model") from exc
    bind = getattr(scorer, "bind_runtime", None)
    if bind is not None:
        bind(settings)
    log.info("loaded model %s", version)
    return scorer, info

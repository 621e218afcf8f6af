"""Writing a model version: ``<model_dir>/<version>/`` with ``model/`` (the verified artifact of
:mod:`finmatch.artifact`), metrics.json, meta.json, report.md and plots, built in a hidden temporary
folder and renamed into place, so a reader (the API reloading) never sees half a version. Versions
start with a UTC timestamp, so they sort by time.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from features.artifact_types import artifact_types
from finmatch.artifact import MODEL_DIR, write_model
from finmatch.artifact import library_versions as library_versions
from finmatch.matching.model_scorer import ModelScorer
from finmatch.registry import list_versions

VERSION_FORMAT = "%Y%m%dT%H%M%SZ"


def new_version(model_dir: Path, data_hash: str, now: dt.datetime | None = None) -> str:
    """``20261128T153012Z-<hash6>``, strictly later than every version already there."""
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    existing = list_versions(model_dir)
    if existing:
        try:
            last = dt.datetime.strptime(existing[-1].split("-")[0], VERSION_FORMAT).replace(tzinfo=dt.UTC)
            now = max(now, last + dt.timedelta(seconds=1))
        except ValueError:
            pass
    return f"{now.strftime(VERSION_FORMAT)}-{data_hash[:6]}"


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str, allow_nan=True)


def write_version(model_dir: Path, version: str, scorer: ModelScorer, metrics: dict[str, Any], meta: dict[str, Any],
                  write_report: Callable[[Path], None] | None = None) -> Path:
    """Write everything into ``.tmp-<version>`` then rename it to ``<version>``; returns the final path."""
    model_dir.mkdir(parents=True, exist_ok=True)
    tmp = model_dir / f".tmp-{version}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    (tmp / "metrics.json").write_text(_json(metrics), "utf-8")
    (tmp / "meta.json").write_text(_json(meta), "utf-8")
    if write_report is not None:
        write_report(tmp)
    manifest = write_model(tmp / MODEL_DIR, scorer, artifact_types())
    meta = {**meta, "feature_schema_hash": manifest["feature_schema_hash"]}
    (tmp / "meta.json").write_text(_json(meta), "utf-8")
    final = model_dir / version
    tmp.rename(final)
    return final


def record_version(session: Any, version: str, path: Path, metrics: dict[str, Any], data_hash: str,
                   created_at: dt.datetime) -> None:
    """Upsert the ``model_versions`` row (the registry index the API lists)."""
    from finmatch.storage.orm import ModelVersionRow

    session.merge(ModelVersionRow(version=version, created_at=created_at, path=str(path),
                                  metrics=json.loads(json.dumps(metrics, default=str)), data_hash=data_hash))

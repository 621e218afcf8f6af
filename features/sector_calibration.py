"""Re-fit the shipped sector-understanding weights: ``python -m features.sector_calibration [FILE]``.

Fits ``a`` (lexicon) and ``b`` (prototype z-score) by maximum likelihood on the labelled projects of a v1
file — by default the generator's sample ``data_samples/generated.json`` — and writes
``features/resources/sector_calibration.json``. Never point it at ``tests/data/validation``: that set
measures the result and must stay unseen.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from features.sector import CALIBRATION_PATH, SectorUnderstanding
from features.text import project_text

DEV_PATH = Path(__file__).resolve().parent / "resources" / "sector_dev.json"
DEFAULT_SOURCE = Path(__file__).resolve().parent.parent / "data_samples" / "generated.json"


def calibrate(source: Path = DEFAULT_SOURCE, embedding_cache: str | None = None) -> dict:
    if "validation" in source.parts:
        raise SystemExit("不能用独立验证集校准 / the validation set is never fitted on")
    doc = json.loads(source.read_text("utf-8"))
    projects = pd.DataFrame([p for p in doc["projects"] if p.get("sector")])
    dev = [(k, t) for k, texts in json.loads(DEV_PATH.read_text("utf-8")).items() if not k.startswith("_")
           for t in texts]
    texts = list(project_text(projects)) + [t for _, t in dev]
    names = list(projects["name"]) + [None] * len(dev)
    sectors = list(projects["sector"]) + [k for k, _ in dev]
    # half the weight on the generator's text, half on the hand-written (often cross-sector) dev texts
    weight = np.r_[np.full(len(projects), 0.5 / len(projects)), np.full(len(dev), 0.5 / len(dev))]
    und = SectorUnderstanding(use_embeddings=True, embedding_cache=embedding_cache).fit(
        texts, sectors, names, sample_weight=weight)
    return {"_about": "softmax(a·lexicon_score + b·prototype_zscore); fitted by features.sector_calibration",
            "fitted_on": f"{source.name}: {len(projects)} projects with a stated sector (weight 0.5) + "
                         f"resources/sector_dev.json: {len(dev)} hand-written dev texts (weight 0.5)",
            "fitted_at": dt.date.today().isoformat(),
            "with_embeddings": {"a": round(und.a_, 4), "b": round(und.b_, 4)},
            "lexicon_only": {"a": round(und.a_lexicon_, 4)}}


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    cache = sys.argv[2] if len(sys.argv) > 2 else "var/embeddings.sqlite"
    result = calibrate(src, cache)
    CALIBRATION_PATH.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", "utf-8")
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")  # the script's output

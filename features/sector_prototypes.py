"""Zero-shot sector similarity: e5 cosine between a text and per-sector prototype descriptions.

The prototypes (``resources/sector_prototypes.json``) are embedded once per process and embedding cache
(the e5 ``passage`` role); project and product texts are embedded in the ``query`` role through the
persistent cache, so a text seen before costs a SQLite read. Cosines of e5 sit in a narrow band
(0.75–0.90), so the per-text z-score across the 11 sectors is what the combination uses.
"""

from __future__ import annotations

import json
import threading
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from features.sector_lexicon import SECTORS
from finmatch.enums import Sector

if TYPE_CHECKING:  # the e5 stack (torch, sentence-transformers) loads only when embeddings are used
    from features.embedding_cache import Embedder

PROTOTYPES_PATH = Path(str(resources.files("features") / "resources" / "sector_prototypes.json"))
_lock = threading.Lock()
_vectors: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # cache path -> (vectors, owner sector index)


def prototype_texts() -> list[tuple[str, str]]:
    """(sector code, prototype text) pairs in file order."""
    raw = json.loads(PROTOTYPES_PATH.read_text("utf-8"))
    return [(Sector.parse(k).value, t) for k, texts in raw.items() if not k.startswith("_") for t in texts]


def _prototype_vectors(embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    key = f"{embedder.cache_path}|{embedder.model_id}"
    with _lock:
        if key not in _vectors:
            pairs = prototype_texts()
            vecs = embedder.encode_passages([t for _, t in pairs])
            owner = np.array([SECTORS.index(s) for s, _ in pairs])
            _vectors[key] = (vecs, owner)
        return _vectors[key]


def prototype_similarity(texts: list[str], embedder: Embedder) -> np.ndarray:
    """``(n, 11)``: per sector, the best cosine between the text and that sector's prototypes."""
    if not texts:
        return np.zeros((0, len(SECTORS)))
    protos, owner = _prototype_vectors(embedder)
    q = embedder.encode_queries(texts)
    cos = q @ protos.T
    out = np.full((len(texts), len(SECTORS)), -1.0)
    for j in range(len(SECTORS)):
        cols = owner == j
        if cols.any():
            out[:, j] = cos[:, cols].max(axis=1)
    return out


def zscore(sim: np.ndarray) -> np.ndarray:
    """Per-row standardisation across sectors (0 where a row is constant)."""
    if sim.size == 0:
        return sim
    mu = sim.mean(axis=1, keepdims=True)
    sd = sim.std(axis=1, keepdims=True)
    return np.where(sd > 1e-9, (sim - mu) / np.where(sd > 1e-9, sd, 1.0), 0.0)


def make_embedder(cache_path: str | Path | None, model: Any | None = None) -> Embedder:
    from features.embedding_cache import Embedder

    return Embedder(model=model, cache_path=cache_path)

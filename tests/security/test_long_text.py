"""Long texts: refused past the schema limit, cut before the embedding model, one computation per text
for concurrent requests (single flight), and embedded in the background after an import."""

from __future__ import annotations

import threading
import time

import numpy as np

from features.embedding_cache import MAX_EMBED_CHARS, Embedder
from features.embedding_job import EmbeddingJob
from finmatch.schemas import DESCRIPTION_MAX


class CountingModel:
    """A stand-in for the e5 model that records what reaches it (and is slow, like the real one)."""

    def __init__(self, delay: float = 0.2) -> None:
        self.calls: list[str] = []
        self.delay = delay
        self.lock = threading.Lock()

    def encode(self, texts, prompt_name=None, batch_size=None, convert_to_numpy=True, show_progress_bar=False):  # type: ignore[no-untyped-def]
        with self.lock:
            self.calls.extend(texts)
        time.sleep(self.delay)
        rng = np.random.default_rng(len(texts))
        v = rng.normal(size=(len(texts), 384)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_api_refuses_descriptions_past_the_limit(sec) -> None:
    body = {"project_id": "XM-LONG", "enterprise_id": "E0001", "name": "长文本", "stage": "pilot",
            "funding_need_wan": 10, "description": "长" * (DESCRIPTION_MAX + 1)}
    r = sec.post("admin", "/projects", json=body)
    assert r.status_code == 422 and r.json()["field"] == "description" and "最多" in r.json()["message"]
    r = sec.post("admin", "/match", json={"projects": [body]})
    assert r.status_code == 422


def test_only_the_capped_text_reaches_the_model(tmp_path) -> None:
    model = CountingModel(delay=0)
    emb = Embedder(model=model, cache_path=tmp_path / "c.sqlite", model_id="test")
    emb.encode_queries(["长" * 1_000_000])  # the probe's 1 MB description
    assert [len(t) for t in model.calls] == [MAX_EMBED_CHARS]


def test_concurrent_requests_share_one_computation(tmp_path) -> None:
    model = CountingModel(delay=0.3)
    emb = Embedder(model=model, cache_path=tmp_path / "c.sqlite", model_id="test")
    text = "同一段一万字的产品说明" * 1000
    out: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: out.append(emb.encode_passages([text]))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(model.calls) == 1 and len(out) == 4
    assert all(np.array_equal(out[0], o) for o in out)


def test_background_job_fills_the_cache_with_progress(tmp_path) -> None:
    model = CountingModel(delay=0)
    emb = Embedder(model=model, cache_path=tmp_path / "c.sqlite", model_id="test")
    job = EmbeddingJob(emb, batch=7)
    texts = [f"项目 {i} 的简介" for i in range(30)]
    job.start(texts, ["产品说明"]).join(10)
    assert job.progress() == {"total": 31, "done": 31, "running": False, "error": None}
    model.calls.clear()
    emb.encode_queries(texts[:5])  # the first page view: all from the cache
    assert model.calls == []

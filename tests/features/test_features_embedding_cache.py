"""The embedding cache: identical vectors without calling the model again, misses only, persistence."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sentence_transformers import SentenceTransformer

from features.embedding_cache import Embedder, EmbeddingCache, text_key
from features.embeddings import MODEL_ID, load_sentence_model
from features.semantic import EmbeddingSimilarity

TEXTS = ["固态电池中试线", "碳酸钙表面改性", "生物医药GMP车间", "首台套数控机床", "海洋牧场智能投喂"]


class CountingModel:
    """Wraps the real SentenceTransformer and counts texts sent to ``encode``."""

    def __init__(self, inner: SentenceTransformer) -> None:
        self.inner = inner
        self.calls: list[tuple[list[str], str]] = []

    def encode(self, texts: list[str], prompt_name: str, **kwargs: Any) -> np.ndarray:
        self.calls.append((list(texts), prompt_name))
        return self.inner.encode(texts, prompt_name=prompt_name, **kwargs)

    @property
    def n_texts(self) -> int:
        return sum(len(t) for t, _ in self.calls)


@pytest.fixture(scope="module")
def st_model() -> SentenceTransformer:
    return load_sentence_model()


@pytest.fixture
def spy(st_model: SentenceTransformer) -> CountingModel:
    return CountingModel(st_model)


def test_cache_returns_identical_vectors_without_calling_model(tmp_path: Path, spy: CountingModel) -> None:
    emb = Embedder(model=spy, cache_path=tmp_path / "cache.sqlite", batch_size=2)
    first = emb.encode_queries(TEXTS)
    assert spy.n_texts == 5 and len(spy.calls) == 3  # batches of 2, 2, 1
    second = emb.encode_queries(TEXTS)
    assert spy.n_texts == 5  # no new calls
    assert np.array_equal(first, second)
    # a fresh Embedder on the same file (another process, say) also never calls the model
    other_spy = CountingModel(spy.inner)
    again = Embedder(model=other_spy, cache_path=tmp_path / "cache.sqlite").encode_queries(TEXTS[::-1])
    assert other_spy.calls == [] and np.array_equal(again, first[::-1])


def test_only_misses_are_computed_and_roles_do_not_collide(tmp_path: Path, spy: CountingModel) -> None:
    emb = Embedder(model=spy, cache_path=tmp_path / "c.sqlite")
    emb.encode_queries(TEXTS[:2])
    out = emb.encode_queries(TEXTS[:3] + [TEXTS[0]])
    assert spy.calls[-1] == ([TEXTS[2]], "query")
    assert np.array_equal(out[0], out[3])
    passages = emb.encode_passages(TEXTS[:1])
    assert spy.calls[-1] == ([TEXTS[0]], "passage")
    assert not np.allclose(passages[0], out[0], atol=1e-3)
    direct = spy.inner.encode_query(TEXTS[:3])
    assert np.allclose(out[:3], direct, atol=1e-6)


def test_cache_store_is_keyed_by_model_id(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    vec = np.arange(384, dtype=np.float32)
    key = text_key("query: ", "储能")
    EmbeddingCache(path, MODEL_ID).put_many({key: vec})
    assert np.array_equal(EmbeddingCache(path, MODEL_ID).get_many([key, "missing"])[key], vec)
    assert EmbeddingCache(path, "other/model").get_many([key]) == {}
    assert len(EmbeddingCache(path, MODEL_ID)) == 1
    assert key != text_key("passage: ", "储能")
    memory = EmbeddingCache(None)
    memory.put_many({key: vec})
    assert list(memory.get_many([key])) == [key]


def test_embedder_pickles_without_the_model(tmp_path: Path, spy: CountingModel) -> None:
    emb = Embedder(model=spy, cache_path=tmp_path / "p.sqlite")
    vecs = emb.encode_passages(TEXTS[:2])
    clone = pickle.loads(pickle.dumps(emb))
    assert clone.model is None and clone.cache_path == emb.cache_path
    assert np.array_equal(clone.encode_passages(TEXTS[:2]), vecs)  # served from the file, no model load
    assert clone.model is None


def test_embedding_similarity_fit_score_and_pickle(tmp_path: Path, spy: CountingModel) -> None:
    products = pd.Series({"FUND_ES": "科技成果转化基金子基金。投资新能源及储能、钠离子电池、固态电池",
                          "LOAN_BIO": "科创贷。支持创新药、中药和医疗器械企业GMP车间建设",
                          "INS_SEA": "海洋经济保险。覆盖深远海养殖网箱与海洋牧场风险"})
    projects = pd.Series({"p1": "固态电池电芯中试线", "p2": "中药配方颗粒GMP中试车间"})
    est = EmbeddingSimilarity().set_embedder(Embedder(model=spy, cache_path=tmp_path / "s.sqlite")).fit(products)
    assert est.product_vectors_.shape == (3, 384)
    scores = est.score_matrix(projects)
    assert list(scores.index) == ["p1", "p2"] and list(scores.columns) == list(products.index)
    assert scores.loc["p1"].idxmax() == "FUND_ES" and scores.loc["p2"].idxmax() == "LOAN_BIO"
    clone = pickle.loads(pickle.dumps(est))
    n = spy.n_texts
    pairs = pd.DataFrame({"project_id": ["p1", "p2"], "product_id": ["FUND_ES", "INS_SEA"],
                          "project_text": [projects["p1"], projects["p2"]]})
    out = clone.transform(pairs)
    assert out.shape == (2, 1) and spy.n_texts == n  # cached project vectors, model never reloaded
    assert out[0, 0] == pytest.approx(scores.loc["p1", "FUND_ES"], abs=1e-6)

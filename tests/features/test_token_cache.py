"""The token cache gives the uncached tokens, as a fresh list each call; BM25 scores a repeated text alike."""

from __future__ import annotations

import pandas as pd

from features.bm25 import BM25Similarity
from features.tokenize import _tokenize, clear_token_cache, tokenize

TEXT = "本项目开展首台套保险支持的中试熟化，建设年产 500 吨生物基材料中试线。"


def test_cached_tokens_equal_uncached_and_are_a_copy() -> None:
    clear_token_cache()
    for search in (False, True):
        first = tokenize(TEXT, search=search)
        assert first == _tokenize(TEXT, search) and first
        first.append("被改动")
        assert tokenize(TEXT, search=search) == _tokenize(TEXT, search)
    assert tokenize(None) == [] and tokenize(float("nan")) == []


def test_bm25_scores_a_repeated_text_like_a_single_one() -> None:
    products = pd.Series({"Q1": "首台套保险 保费补贴", "Q2": "中试熟化 贷款", "Q3": "生物基材料 股权投资"})
    bm25 = BM25Similarity().fit(products)
    single = bm25.score_matrix(pd.Series({"P1": TEXT}))
    repeated = bm25.score_matrix(pd.Series({"P1": TEXT, "P2": "其他", "P3": TEXT}))
    assert (single.loc["P1"] > 0).any()
    pd.testing.assert_series_equal(repeated.loc["P1"], single.loc["P1"])
    pd.testing.assert_series_equal(repeated.loc["P3"], single.loc["P1"], check_names=False)

"""BM25 between project texts (queries) and product texts (documents), on scipy.sparse.

Tokens come from jieba's search mode with the domain dictionary, so 首台套保险 also yields 首台套 and 保险
and a project that says 首台套 still meets the product. IDF is the Lucene form
``log(1 + (N - df + 0.5) / (df + 0.5))``, never negative even for terms in most products.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted

from features.text import PairScoringMixin, catalogue_fingerprint
from features.tokenize import tokenize


class BM25Similarity(PairScoringMixin):
    """Fit on the catalogue's product texts; score project texts against every product."""

    feature_names_ = ("bm25", "bm25_norm")

    def __init__(self, k1: float = 1.5, b: float = 0.75, search_mode: bool = True) -> None:
        self.k1 = k1
        self.b = b
        self.search_mode = search_mode

    def _tokens(self, text: object) -> list[str]:
        return tokenize(None if text is None else str(text), search=self.search_mode)

    def _counts(self, texts: pd.Series, grow: bool) -> sp.csr_matrix:
        indptr, indices, data = [0], [], []
        counted: dict[str, Counter[str]] = {}  # each distinct text is tokenised once per call
        for text in texts:
            key = None if text is None else str(text)
            counts = counted.get(key) if key is not None else None
            if counts is None:
                counts = Counter(self._tokens(text))
                if key is not None:
                    counted[key] = counts
            for tok, n in counts.items():
                j = self.vocabulary_.get(tok)
                if j is None and grow:
                    j = self.vocabulary_[tok] = len(self.vocabulary_)
                if j is not None:
                    indices.append(j)
                    data.append(n)
            indptr.append(len(indices))
        return sp.csr_matrix((np.asarray(data, dtype=np.float64), indices, indptr),
                             shape=(len(texts), len(self.vocabulary_)))

    def _presence(self, texts: pd.Series) -> sp.csr_matrix:
        """Rows of 1.0 at the known terms of each text (a BM25 query counts each term once).

        The same matrix as ``_counts(texts, grow=False)`` with its data set to 1.0, entries in the same
        order (first occurrence of each term, so the sparse product sums in the same order), built with
        C-level ``map``/``dict.fromkeys`` instead of a Counter and a Python loop per term.
        """
        vocab_get = self.vocabulary_.get
        indptr, indices = [0], []
        rows: dict[str, list[int | None]] = {}  # each distinct text is tokenised once per call
        for text in texts:
            key = None if text is None else str(text)
            row = rows.get(key) if key is not None else None
            if row is None:
                first = dict.fromkeys(map(vocab_get, self._tokens(text)))  # term ids, first occurrence order
                first.pop(None, None)  # tokens outside the vocabulary
                row = list(first)
                if key is not None:
                    rows[key] = row
            indices.extend(row)
            indptr.append(len(indices))
        return sp.csr_matrix((np.ones(len(indices), dtype=np.float64), indices, indptr),
                             shape=(len(texts), len(self.vocabulary_)))

    def fit(self, product_texts: pd.Series, y: object = None) -> BM25Similarity:
        self.vocabulary_: dict[str, int] = {}
        product_texts = pd.Series(product_texts)
        tf = self._counts(product_texts, grow=True)
        n_docs = tf.shape[0]
        df = np.bincount(tf.indices, minlength=tf.shape[1])
        self.idf_ = np.log1p((n_docs - df + 0.5) / (df + 0.5))
        doc_len = np.asarray(tf.sum(axis=1)).ravel()
        self.avgdl_ = float(doc_len.mean()) if n_docs else 0.0
        norm = self.k1 * (1 - self.b + self.b * doc_len / max(self.avgdl_, 1e-9))
        w = tf.tocoo()
        vals = self.idf_[w.col] * w.data * (self.k1 + 1) / (w.data + norm[w.row])
        self.doc_weights_ = sp.csr_matrix((vals, (w.row, w.col)), shape=tf.shape)
        self.product_ids_ = pd.Index(product_texts.index)
        self.fingerprint_ = catalogue_fingerprint(product_texts)
        return self

    def score_matrix(self, project_texts: pd.Series, normalise: bool = False) -> pd.DataFrame:
        """Raw BM25 (projects × products); ``normalise=True`` divides each row by its maximum → [0, 1]."""
        check_is_fitted(self)
        q = self._presence(project_texts)  # each distinct query term counts once
        scores = np.asarray((q @ self.doc_weights_.T).todense(), dtype=float)
        if normalise:
            top = scores.max(axis=1, keepdims=True)
            scores = np.divide(scores, top, out=np.zeros_like(scores), where=top > 0)
        return pd.DataFrame(scores, index=pd.Index(project_texts.index), columns=self.product_ids_)

    def score_matrices(self, project_texts: pd.Series) -> dict[str, pd.DataFrame]:
        raw = self.score_matrix(project_texts)
        top = raw.max(axis=1).replace(0.0, np.nan)
        return {"bm25": raw, "bm25_norm": raw.div(top, axis=0).fillna(0.0)}

"""Cosine similarity of e5 embeddings between project texts and the product catalogue.

Product vectors are computed in ``fit`` (once per catalogue version) and travel in the model artifact
as an array; project vectors go through the ``Embedder`` cache at scoring time. The embedder is a
runtime handle (model, cache file), set with :meth:`EmbeddingSimilarity.set_embedder`, never a
parameter: ``clone()`` and the model file carry only what was learned.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from features.embedding_cache import Embedder
from features.text import PairScoringMixin, catalogue_fingerprint


class EmbeddingSimilarity(PairScoringMixin):
    """Fit on product texts (``passage:``), score project texts (``query:``) by cosine."""

    feature_names_ = ("embedding_cosine",)
    _embedder_handle: Embedder | None = None  # runtime, not a parameter nor fitted state

    def set_embedder(self, embedder: Embedder | None) -> EmbeddingSimilarity:
        """Use this embedder (model + cache) from now on; returns self."""
        self._embedder_handle = embedder
        return self

    @property
    def embedder(self) -> Embedder | None:
        return self._embedder_handle

    def _embedder(self) -> Embedder:
        if self._embedder_handle is None:
            self._embedder_handle = Embedder()
        return self._embedder_handle

    def fit(self, product_texts: pd.Series, y: object = None) -> EmbeddingSimilarity:
        product_texts = pd.Series(product_texts)
        self.product_ids_ = pd.Index(product_texts.index)
        self.fingerprint_ = catalogue_fingerprint(product_texts)
        self.model_id_ = self._embedder().model_id
        self.product_vectors_ = self._embedder().encode_passages(list(product_texts.astype(str)))
        return self

    def encode_projects(self, project_texts: pd.Series) -> np.ndarray:
        return self._embedder().encode_queries(list(project_texts.astype(str)))

    def score_matrix(self, project_texts: pd.Series) -> pd.DataFrame:
        """Cosine (vectors are unit length) of every project against every fitted product."""
        check_is_fitted(self)
        q = self.encode_projects(project_texts)
        return pd.DataFrame(q @ self.product_vectors_.T, index=pd.Index(project_texts.index),
                            columns=self.product_ids_).astype(float)

    def score_matrices(self, project_texts: pd.Series) -> dict[str, pd.DataFrame]:
        return {"embedding_cosine": self.score_matrix(project_texts)}

    def __sklearn_clone__(self) -> Any:  # a clone keeps the runtime embedder, not the fitted vectors
        return super().__sklearn_clone__().set_embedder(self._embedder_handle)

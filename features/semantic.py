"""Cosine similarity of e5 embeddings between project texts and the product catalogue.

Product vectors are computed in ``fit`` (once per catalogue version) and travel with the pickled
estimator; project vectors go through the ``Embedder`` cache at scoring time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.embedding_cache import Embedder
from features.text import PairScoringMixin, catalogue_fingerprint


class EmbeddingSimilarity(PairScoringMixin):
    """Fit on product texts (``passage:``), score project texts (``query:``) by cosine."""

    feature_names_ = ("embedding_cosine",)

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder

    def _embedder(self) -> Embedder:
        if self.embedder is None:
            self.embedder = Embedder()
        return self.embedder

    def fit(self, product_texts: pd.Series, y: object = None) -> EmbeddingSimilarity:
        self.product_ids_ = pd.Index(product_texts.index)
        self.fingerprint_ = catalogue_fingerprint(product_texts)
        self.model_id_ = self._embedder().model_id
        self.product_vectors_ = self._embedder().encode_passages(list(product_texts.astype(str)))
        return self

    def encode_projects(self, project_texts: pd.Series) -> np.ndarray:
        return self._embedder().encode_queries(list(project_texts.astype(str)))

    def score_matrix(self, project_texts: pd.Series) -> pd.DataFrame:
        """Cosine (vectors are unit length) of every project against every fitted product."""
        q = self.encode_projects(project_texts)
        return pd.DataFrame(q @ self.product_vectors_.T, index=pd.Index(project_texts.index),
                            columns=self.product_ids_).astype(float)

    def score_matrices(self, project_texts: pd.Series) -> dict[str, pd.DataFrame]:
        return {"embedding_cosine": self.score_matrix(project_texts)}

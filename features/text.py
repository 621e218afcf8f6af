"""The texts each side is judged by, and the pair-scoring plumbing shared by BM25 and embeddings.

Project text = name + description; product text = kind + name + description (a fund that states its
focus only in its description is still found). Both similarity builders fit on the product catalogue
and score project texts against it; ``transform`` turns that into one column per pair.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

PAIR_COLUMNS = ("project_id", "product_id", "project_text")


def _join(*parts: Any) -> str:
    out = []
    for p in parts:
        if p is None or (isinstance(p, float) and np.isnan(p)):
            continue
        s = str(p).strip()
        if s and s not in out:
            out.append(s)
    return "。".join(out)


def project_text(projects: pd.DataFrame) -> pd.Series:
    """Name + description per project (index kept)."""
    names = projects.get("name", pd.Series(None, index=projects.index))
    descs = projects.get("description", pd.Series(None, index=projects.index))
    return pd.Series([_join(n, d) for n, d in zip(names, descs, strict=True)], index=projects.index,
                     name="project_text", dtype=object)


def product_text(products: pd.DataFrame) -> pd.Series:
    """Kind + name + description per product (index kept)."""
    idx = products.index
    kinds = products.get("kind", pd.Series(None, index=idx))
    names = products.get("name", pd.Series(None, index=idx))
    descs = products.get("description", pd.Series(None, index=idx))
    return pd.Series([_join(k, n, d) for k, n, d in zip(kinds, names, descs, strict=True)], index=idx,
                     name="product_text", dtype=object)


def catalogue_fingerprint(product_texts: pd.Series) -> str:
    """Hash of (product id, text) pairs: product-side work is redone only when this changes."""
    h = hashlib.sha256()
    for pid, text in zip(product_texts.index, product_texts, strict=True):
        h.update(f"{pid}\x1f{text}\x1e".encode())
    return h.hexdigest()


class PairScoringMixin(TransformerMixin, BaseEstimator, ABC):
    """``transform(pairs)`` for estimators that implement ``score_matrices(project_texts)``.

    A scikit-learn transformer: ``fit(product_texts)`` learns the product side, ``transform(pairs)``
    gives one column per name in ``feature_names_``. ``pairs`` has columns ``project_id``, ``product_id``
    and ``project_text``; products must be those the estimator was fitted on (refit on a catalogue
    change — fitting is product-side only and cheap). Before ``fit`` every scoring call raises
    ``NotFittedError``.
    """

    feature_names_: tuple[str, ...]
    fingerprint_: str

    def is_current(self, product_texts: pd.Series) -> bool:
        """True when fitted on exactly these products and texts (else refit: the catalogue changed)."""
        return getattr(self, "fingerprint_", None) == catalogue_fingerprint(product_texts)

    @abstractmethod
    def score_matrices(self, project_texts: pd.Series) -> dict[str, pd.DataFrame]:
        """Named projects × products similarity matrices (one per output column)."""

    def score_pairs(self, pairs: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self)
        missing = [c for c in PAIR_COLUMNS if c not in pairs.columns]
        if missing:
            raise ValueError(f"配对表缺少列 {missing}")
        texts = pairs.drop_duplicates("project_id").set_index("project_id")["project_text"]
        mats = self.score_matrices(texts)
        first = next(iter(mats.values()))
        unknown = sorted(set(pairs["product_id"]) - set(first.columns))
        if unknown:
            raise KeyError(f"产品未参与拟合，请在产品目录变更后重新拟合：{unknown[:5]}")
        rows = first.index.get_indexer(pairs["project_id"])
        cols = first.columns.get_indexer(pairs["product_id"])
        out = {name: m.to_numpy()[rows, cols] for name, m in mats.items()}
        return pd.DataFrame(out, index=pairs.index)

    def transform(self, pairs: pd.DataFrame) -> np.ndarray:
        return self.score_pairs(pairs).to_numpy(dtype=float)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(self.feature_names_, dtype=object)

"""Product-side state of one catalogue frame: structured columns and positions in the text models.

Built once per products frame object and kept by the feature builder as runtime state (never fitted
state, never in the model file): a service keeps one catalogue frame per data version, a batch job
one per run, so every request or partition after the first reads these arrays instead of rebuilding
them. A frame changed in place is not noticed; the services build a new frame on every data change.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from features.pair_columns import ProductColumns, product_columns
from features.pair_history import HistoryTables, history_tables


@dataclass
class ProductSide:
    frame: weakref.ref  # the products frame these arrays were built from
    models: dict[str, Any]  # the text models used (fitted or refit on this catalogue)
    ids: np.ndarray  # product ids (str objects)
    columns: ProductColumns
    text_col: np.ndarray  # column of each product in the BM25 matrices (-1: not fitted)
    embedding_col: np.ndarray  # column in the embedding similarity (-1: none)
    affinity_row: np.ndarray  # row in the sector-affinity table (-1: none)
    _history: tuple[dict[str, Any], HistoryTables] | None = None
    _focused: pd.DataFrame | None = None

    def focused(self, products: pd.DataFrame) -> pd.DataFrame:
        """The catalogue with ``focus_sectors`` (stated or read from the text), inferred once per frame:
        the prior-score feature would otherwise infer it again on every call."""
        if "focus_sectors" in products.columns:
            return products
        if self._focused is None:
            from features.sector import infer_product_focus

            self._focused = infer_product_focus(products)
        return self._focused

    def history(self, stats: dict[str, Any], keep: bool) -> HistoryTables:
        """The history rates of ``stats`` for this catalogue; kept when ``keep`` (the serving snapshot)."""
        if self._history is not None and self._history[0] is stats:
            return self._history[1]
        tables = history_tables(stats, self.columns.institution, list(self.ids))
        if keep:
            self._history = (stats, tables)
        return tables

    @classmethod
    def build(cls, products: pd.DataFrame, models: dict[str, Any], rate_median: dict[str, float],
              institution_city: dict[str, str]) -> ProductSide:
        ids = pd.Index(products.index.astype(str) if len(products) else products.index)
        text_col = models["bm25"].product_ids_.get_indexer(products.index)
        emb = models.get("embedding")
        emb_col = (emb.product_ids_.get_indexer(products.index) if emb is not None
                   else np.full(len(products), -1, dtype=np.int64))
        aff = models.get("sector_affinity")
        aff_row = (aff.index.get_indexer(products.index) if aff is not None
                   else np.full(len(products), -1, dtype=np.int64))
        return cls(weakref.ref(products), models, np.asarray(ids, dtype=object),
                   product_columns(products, rate_median, institution_city),
                   np.asarray(text_col, dtype=np.int64), np.asarray(emb_col, dtype=np.int64),
                   np.asarray(aff_row, dtype=np.int64))

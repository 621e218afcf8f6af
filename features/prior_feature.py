"""The knowledge-based prior's score as a feature of the learned ranker.

With thin history the ranker can lean on this one column and so degrades to the prior rather than
below it; with rich history it learns where the prior is wrong. The text term uses the builder's own
``bm25_norm`` (the same BM25 the cold-start prior uses), the product focus comes from the lexicon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.sector import infer_product_focus
from finmatch.eligibility.values import FrameColumns
from finmatch.matching.prior import PriorScorer
from finmatch.matching.prior_arrays import finite

_PRIOR = PriorScorer(product_enricher=infer_product_focus)


def prior_feature(projects: pd.DataFrame, products: pd.DataFrame, pi: np.ndarray, qj: np.ndarray,
                  bm25_norm: np.ndarray | None = None, columns: FrameColumns | None = None) -> np.ndarray:
    """The prior's score of the pairs given as row positions (projects must already be enriched).

    Product-side work (the inferred focus, purpose tags, family rules) is done once per catalogue frame
    object and cached by the prior: pass the same frame on every call (not a fresh ``iloc`` subset).
    ``columns``: the projects' columns as the caller already read them."""
    if len(pi) == 0:
        return np.zeros(0)
    text = None
    if bm25_norm is not None:
        text = finite(bm25_norm)
        np.clip(text, 0, 1, out=text)
    comp = _PRIOR.terms_at(projects, _PRIOR.enrich_products(products), pi, qj, text, columns)
    return PriorScorer.combine(comp)

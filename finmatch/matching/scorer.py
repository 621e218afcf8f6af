"""The scorer interface the matching engine ranks with (the knowledge-based prior is in ``prior.py``).

A scorer sees only eligible pairs. The learned scorer (LightGBM ranker loaded from the model
registry) implements the same protocol; ``finmatch`` never imports the code that fitted it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

PRIOR_VERSION = "prior"
# (projects, products, pairs) -> one similarity in [0, 1] per pair
TextSimilarity = Callable[[pd.DataFrame, pd.DataFrame, pd.DataFrame], np.ndarray]
# projects -> projects with inferred_sector / sector_confidence for blank sectors
SectorInferer = Callable[[pd.DataFrame], pd.DataFrame]


@dataclass
class ScoredPairs:
    """Scores for a list of (project, product) pairs, aligned with the input pairs frame."""

    score: np.ndarray  # higher is better; comparable within a project
    probability: np.ndarray  # calibrated probability that the pair reaches at least a meeting
    reasons: list[list[str]] = field(default_factory=list)  # short Chinese reasons per pair


@runtime_checkable
class PairScorer(Protocol):
    version: str

    def score_pairs(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                    margins: dict[str, np.ndarray] | None = None) -> ScoredPairs:
        """``pairs`` has columns project_id, product_id (eligible pairs only)."""
        ...


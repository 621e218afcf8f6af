"""Text for the cold-start prior: BM25 similarity and sector inference before any model is trained.

A new deployment has a catalogue and projects but no outcomes. The transparent prior
(``finmatch.matching.PriorScorer``) still weighs text similarity and needs blank sectors inferred;
this module supplies both, fitted on what the database holds, and is wired in by the composition
roots (CLI, API) through ``finmatch.registry.load_scorer(settings, prior=cold_start_prior)``.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
import pandas as pd

from features.bm25 import BM25Similarity
from features.sector import SectorClassifier, infer_sectors
from features.text import catalogue_fingerprint, product_text, project_text
from finmatch.matching import PriorScorer
from finmatch.runtime import open_database
from finmatch.settings import Settings
from finmatch.storage import Repository

log = logging.getLogger(__name__)
MIN_LABELLED = 10  # fewer stated sectors than this: no classifier, blank sectors stay blank


class ColdStartText:
    """BM25 over whatever catalogue is scored (refit when it changes) and a sector classifier."""

    def __init__(self, min_labelled: int = MIN_LABELLED) -> None:
        self.min_labelled = min_labelled
        self._lock = threading.Lock()
        self._bm25: BM25Similarity | None = None
        self._fingerprint: str | None = None

    def fit(self, labelled_projects: pd.DataFrame) -> ColdStartText:
        """Train sector inference on projects with a stated sector (when there are enough of them)."""
        self.classifier_: SectorClassifier | None = None
        if len(labelled_projects) == 0:
            return self
        stated = labelled_projects[labelled_projects["sector"].map(lambda v: isinstance(v, str) and bool(v))]
        if len(stated) >= self.min_labelled and stated["sector"].nunique() >= 2:
            self.classifier_ = SectorClassifier().fit(project_text(stated), stated["sector"])
        return self

    def infer(self, projects: pd.DataFrame) -> pd.DataFrame:
        classifier = getattr(self, "classifier_", None)
        if classifier is None or "inferred_sector" in projects.columns:
            return projects
        return infer_sectors(projects, classifier)

    def _index(self, products: pd.DataFrame) -> BM25Similarity:
        texts = product_text(products)
        fingerprint = catalogue_fingerprint(texts)
        with self._lock:
            if self._bm25 is None or self._fingerprint != fingerprint:
                self._bm25 = BM25Similarity().fit(texts)
                self._fingerprint = fingerprint
            return self._bm25

    def similarity(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
        """Per pair, BM25 of the project's text against the product's, divided by the project's best."""
        wanted = projects.loc[pd.unique(pairs["project_id"])]
        matrix = self._index(products).score_matrix(project_text(wanted), normalise=True)
        rows = matrix.index.get_indexer(pairs["project_id"])
        cols = matrix.columns.get_indexer(pairs["product_id"])
        return matrix.to_numpy()[rows, cols]


def cold_start_prior(settings: Settings) -> PriorScorer:
    """The prior with text similarity and sector inference trained on the stored projects."""
    db = open_database(settings)
    try:
        with db.factory() as session:
            projects = Repository(session).projects_frame()
    finally:
        db.dispose()
    text = ColdStartText().fit(projects)
    log.info("cold-start prior: sector inference %s", "on" if text.classifier_ is not None else "off")
    return PriorScorer(text_similarity=text.similarity, sector_inferer=text.infer)

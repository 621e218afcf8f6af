"""The day-one scorer: the knowledge-based prior with text similarity, sector understanding and product focus.

A new deployment has a catalogue and projects but no outcomes. The prior
(``finmatch.matching.PriorScorer``) needs blank sectors inferred, a product's focus read from its prose
when ``sectors`` is empty, and BM25 text similarity; this module supplies all three and is wired in by
the composition roots (CLI, API) through ``finmatch.registry.load_scorer(settings, prior=cold_start_prior)``.

Sector inference is :class:`features.sector.SectorUnderstanding` (lexicon + prototype embeddings, no data
needed). When the database holds enough projects with a stated sector, and they are not only the
generator's sample (ids ``XM0001`` …), a TF-IDF classifier trained on them is blended in with a weight
that grows with their number (at most 0.5): it can sharpen the house vocabulary, never replace the
out-of-the-box understanding.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from features.bm25 import BM25Similarity
from features.sector import SectorClassifier, SectorUnderstanding, infer_product_focus, understand_sectors
from features.text import catalogue_fingerprint, product_text, project_text
from finmatch.matching import PriorScorer
from finmatch.runtime import open_database
from finmatch.settings import Settings
from finmatch.storage import Repository

log = logging.getLogger(__name__)
MIN_LABELLED = 50  # stated sectors needed before a classifier on stored projects is blended in
BLEND_HALF = 200  # blend weight = n / (n + BLEND_HALF), capped at 0.5
GENERATED_ID = r"XM\d{4,}"


class ColdStartText:
    """BM25 over whatever catalogue is scored (refit when it changes), sector understanding, product focus."""

    def __init__(self, use_embeddings: bool = False, embedding_cache: str | Path | None = None,
                 min_labelled: int = MIN_LABELLED) -> None:
        self.use_embeddings = use_embeddings
        self.embedding_cache = embedding_cache
        self.min_labelled = min_labelled
        self._lock = threading.Lock()
        self._bm25: BM25Similarity | None = None
        self._fingerprint: str | None = None

    def fit(self, labelled_projects: pd.DataFrame) -> ColdStartText:
        """Build the understanding; train the blended classifier when stored projects allow it."""
        self.understanding_ = SectorUnderstanding(
            use_embeddings=self.use_embeddings,
            embedding_cache=None if self.embedding_cache is None else str(self.embedding_cache))
        self.classifier_: SectorClassifier | None = None
        self.classifier_weight_ = 0.0
        if len(labelled_projects) == 0 or "sector" not in labelled_projects:
            return self
        stated = labelled_projects[labelled_projects["sector"].map(lambda v: isinstance(v, str) and bool(v))]
        generated_only = bool(len(stated)) and bool(stated.index.astype(str).str.fullmatch(GENERATED_ID).all())
        if len(stated) >= self.min_labelled and stated["sector"].nunique() >= 2 and not generated_only:
            self.classifier_ = SectorClassifier().fit(project_text(stated), stated["sector"])
            self.classifier_weight_ = min(0.5, len(stated) / (len(stated) + BLEND_HALF))
        return self

    @property
    def classifier(self) -> SectorClassifier | None:
        return getattr(self, "classifier_", None)

    def infer(self, projects: pd.DataFrame) -> pd.DataFrame:
        if "inferred_sector" in projects.columns:
            return projects
        if not hasattr(self, "understanding_"):
            self.fit(projects.iloc[:0])
        return understand_sectors(projects, self.understanding_, self.classifier, self.classifier_weight_)

    def focus(self, products: pd.DataFrame) -> pd.DataFrame:
        if not hasattr(self, "understanding_"):
            self.fit(pd.DataFrame())
        return infer_product_focus(products, self.understanding_)

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


def prior_scorer(text: ColdStartText) -> PriorScorer:
    """The prior wired to one fitted :class:`ColdStartText`."""
    return PriorScorer(text_similarity=text.similarity, sector_inferer=text.infer, product_enricher=text.focus)


def cold_start_prior(settings: Settings) -> PriorScorer:
    """The prior with text similarity, sector understanding (blended with stored projects) and product focus."""
    db = open_database(settings)
    try:
        with db.factory() as session:
            projects = Repository(session).projects_frame()
    finally:
        db.dispose()
    text = ColdStartText(use_embeddings=settings.use_embeddings,
                         embedding_cache=settings.resolved_embedding_cache).fit(projects)
    log.info("cold-start prior: sector understanding %s, stored-project classifier %s",
             "with embeddings" if settings.use_embeddings else "lexicon only",
             f"blended at {text.classifier_weight_:.2f}" if text.classifier is not None else "off")
    return prior_scorer(text)

"""The cold-start prior for batch jobs: the same scorer as the CLI's, but sendable to Dask workers.

``features.cold_start.ColdStartText`` keeps a lock and a BM25 cache; worker processes get a copy
without them (a new lock, the BM25 index rebuilt there on first use).
"""

from __future__ import annotations

import threading
from typing import Any

from features.cold_start import ColdStartText
from finmatch.matching import PriorScorer
from finmatch.settings import Settings


class PortableColdStartText(ColdStartText):
    """The cold-start text model, sendable to Dask worker processes (its lock and BM25 cache stay here)."""

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_lock", None)
        state["_bm25"], state["_fingerprint"] = None, None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


def batch_prior(settings: Settings) -> PriorScorer:
    """The cold-start prior as ``features.cold_start.cold_start_prior`` builds it, but portable."""
    from finmatch.runtime import open_database
    from finmatch.storage import Repository

    db = open_database(settings)
    try:
        with db.factory() as session:
            projects = Repository(session).projects_frame()
    finally:
        db.dispose()
    text = PortableColdStartText().fit(projects)
    return PriorScorer(text_similarity=text.similarity, sector_inferer=text.infer)



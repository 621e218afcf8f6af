"""What the app keeps between requests (``app.state.finmatch``): database, model, caches.

Everything here is created in the lifespan, never at import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from finmatch.auth import Principal
from finmatch.runtime import Database
from finmatch.services.catalogue import DataCaches
from finmatch.services.matching import MatchCache
from finmatch.services.serving_model import ModelHolder
from finmatch.settings import Settings


@dataclass
class AppState:
    settings: Settings
    db: Database
    models: ModelHolder
    caches: DataCaches = field(default_factory=DataCaches)
    responses: MatchCache = field(default_factory=MatchCache)  # encoded JSON of match views
    principals: dict[str, tuple[Principal, float]] = field(default_factory=dict)  # key hash -> (who, expiry)

    def data_changed(self) -> None:
        """Called after this process writes: frames and cached rankings are rebuilt on next use."""
        self.caches.bump()
        self.responses.clear()

"""Embed imported texts in the background, so the first page view after an import finds them cached.

One daemon thread per job walks the texts in batches through the cache-first :class:`Embedder`
(texts already cached cost a lookup) and reports progress (``done``/``total``); a new job for the
same embedder waits for the running one to finish rather than competing for the CPU.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

from features.embedding_cache import Embedder

log = logging.getLogger(__name__)


@dataclass
class EmbeddingJob:
    embedder: Embedder
    batch: int = 64
    total: int = 0
    done: int = 0
    error: str | None = None
    _thread: threading.Thread | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def progress(self) -> dict[str, object]:
        return {"total": self.total, "done": self.done, "running": self.running, "error": self.error}

    def start(self, queries: Sequence[str], passages: Sequence[str] = ()) -> threading.Thread:
        """Embed these project (query) and product (passage) texts in a daemon thread."""
        previous = self._thread

        def run() -> None:
            if previous is not None:
                previous.join()
            with self._lock:
                self.total, self.done, self.error = len(queries) + len(passages), 0, None
            try:
                for texts, encode in ((list(queries), self.embedder.encode_queries),
                                      (list(passages), self.embedder.encode_passages)):
                    for i in range(0, len(texts), self.batch):
                        part = texts[i:i + self.batch]
                        encode(part)
                        with self._lock:
                            self.done += len(part)
                log.info("background embedding done: %d texts", self.total)
            except Exception as exc:  # the page view then embeds what is missing itself
                self.error = f"{type(exc).__name__}: {exc}"
                log.warning("background embedding failed: %s", self.error)

        thread = threading.Thread(target=run, name="finmatch-embedding-job", daemon=True)
        self._thread = thread
        thread.start()
        return thread


def stored_texts(factory) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """The project (query) and product (passage) texts of the stored catalogue, as matching embeds them."""
    from features.text import product_text, project_text
    from finmatch.storage import Repository

    with factory() as session:
        repo = Repository(session)
        projects, products = repo.projects_frame(), repo.products_frame()
    return list(project_text(projects).astype(str)), list(product_text(products).astype(str))


def start_for_database(job: EmbeddingJob, factory) -> threading.Thread:  # type: ignore[no-untyped-def]
    """Read the stored texts in the job's own thread (an import returns at once), then embed them."""
    holder: dict[str, threading.Thread] = {}

    def read_then_embed() -> None:
        queries, passages = stored_texts(factory)
        holder["t"] = job.start(queries, passages)
        holder["t"].join()

    thread = threading.Thread(target=read_then_embed, name="finmatch-embedding-read", daemon=True)
    thread.start()
    return thread

"""The serving model: loaded once (app lifespan or CLI), swapped atomically on reload.

Requests read ``holder.current`` once and keep that object for the whole computation, so a reload
in the middle of a request never mixes two models.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from finmatch.exceptions import ModelUnavailableError
from finmatch.matching import PRIOR_VERSION, PairScorer
from finmatch.registry import ModelInfo, load_scorer
from finmatch.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedModel:
    scorer: PairScorer
    info: ModelInfo | None
    loaded_at: dt.datetime
    embedding_model: Any | None = None

    @property
    def version(self) -> str:
        if self.info is not None and getattr(self.info, "served", "model") != PRIOR_VERSION:
            return self.info.version
        return getattr(self.scorer, "version", PRIOR_VERSION)

    @property
    def served_text(self) -> str:
        """Which ranking is in use, in words a bank officer reads (for /models and the dashboard)."""
        if self.info is None:
            return "当前使用知识先验排序：尚无足够的对接历史训练模型，按融资意向、领域、阶段、额度和资金用途排序。"
        if getattr(self.info, "served", "model") == PRIOR_VERSION:
            return (f"当前使用知识先验排序：最新模型 {self.info.version} 在留出的最近一批活动上不如知识先验，"
                    "因此暂不启用。")
        return (f"当前使用学习模型 {self.info.version} 排序：它在留出的最近一批活动上优于知识先验"
                "（以知识先验得分为基础，再从对接历史中学习）。")

    def describe(self) -> dict[str, Any]:
        created = None
        if self.info is not None:
            created = self.info.meta.get("created_at")
            if created is None and self.info.path.exists():
                created = dt.datetime.fromtimestamp(self.info.path.stat().st_mtime, dt.UTC).isoformat()
        return {"version": self.version, "is_prior": self.version == PRIOR_VERSION,
                "served": "prior" if self.version == PRIOR_VERSION else "model", "served_text": self.served_text,
                "trained_version": self.info.version if self.info else None,
                "metrics": self.info.metrics if self.info else {},
                "meta": self.info.meta if self.info else {}, "created_at": created,
                "loaded_at": self.loaded_at.isoformat(), "embedding_model_loaded": self.embedding_model is not None}


class ModelHolder:
    """Holds the current scorer (and the embedding model); ``reload`` swaps both under a lock."""

    def __init__(self, settings: Settings, embedding_loader: Callable[[], Any] | None = None,
                 loader: Callable[[Settings], tuple[PairScorer, ModelInfo | None]] = load_scorer) -> None:
        self.settings = settings
        self.embedding_loader = embedding_loader
        self.loader = loader
        self.current: LoadedModel | None = None
        self.error: str | None = None
        self._lock = threading.Lock()

    def reload(self) -> LoadedModel:
        """Load the pinned or newest model (the prior when none is trained); keep the old one on failure."""
        with self._lock:
            try:
                scorer, info = self.loader(self.settings)
                embedding = self.current.embedding_model if self.current else None
                if embedding is None and self.embedding_loader is not None:
                    embedding = self.embedding_loader()
                bind = getattr(scorer, "bind_embedding_model", None)
                if bind is not None and embedding is not None:
                    bind(embedding)
                warm_up = getattr(scorer, "warm_up", None)
                if warm_up is not None:  # tokenizer and indexes ready before the first request
                    warm_up()
            except ModelUnavailableError as exc:
                self.error = exc.message
                log.error("model load failed: %s", exc.message)
                raise
            self.current = LoadedModel(scorer, info, dt.datetime.now(dt.UTC), embedding)
            self.error = None
            log.info("serving model %s", self.current.version)
            return self.current

    def require(self) -> LoadedModel:
        current = self.current
        if current is None:
            raise ModelUnavailableError(f"模型尚未加载：{self.error or '服务正在启动'}", field="model")
        return current

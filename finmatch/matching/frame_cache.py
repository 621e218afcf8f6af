"""Product-side work kept per catalogue frame object.

The services build a new products frame on every catalogue change, so a frame's identity is the
catalogue version: caches keyed on it (by weak reference, so a dropped catalogue frees its entry)
need no fingerprinting. A frame changed in place is not noticed. Runtime state only: owners drop these
caches when they are pickled.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

import pandas as pd

V = TypeVar("V")


class FrameCache(Generic[V]):
    """The value built from each of the last ``size`` frames; ``build`` runs outside the lock."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._entries: list[tuple[weakref.ref, V]] = []
        self._lock = threading.Lock()

    def _find(self, frame: pd.DataFrame) -> tuple[bool, V | None]:
        for ref, value in self._entries:
            if ref() is frame:
                return True, value
        return False, None

    def get(self, frame: pd.DataFrame, build: Callable[[pd.DataFrame], V]) -> V:
        with self._lock:
            found, value = self._find(frame)
        if found:
            return value  # type: ignore[return-value]
        built = build(frame)
        with self._lock:
            found, value = self._find(frame)  # another thread may have built it meanwhile: keep one
            if found:
                return value  # type: ignore[return-value]
            live = [(r, v) for r, v in self._entries if r() is not None]
            self._entries = [(weakref.ref(frame), built), *live[:self.size - 1]]
        return built

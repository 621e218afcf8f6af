"""The per-catalogue-frame cache behind the engine's and the prior's product-side work."""

from __future__ import annotations

import gc

import pandas as pd

from finmatch.matching.frame_cache import FrameCache


def test_builds_once_per_frame_object_and_forgets_dropped_frames() -> None:
    calls: list[int] = []
    cache: FrameCache[int] = FrameCache(size=2)

    def build(frame: pd.DataFrame) -> int:
        calls.append(len(frame))
        return len(frame)

    a, b = pd.DataFrame({"x": [1]}), pd.DataFrame({"x": [1, 2]})
    assert cache.get(a, build) == 1 and cache.get(a, build) == 1
    assert cache.get(b, build) == 2
    assert calls == [1, 2]
    assert cache.get(pd.DataFrame({"x": [1]}), build) == 1  # an equal but new frame is a new version
    assert calls == [1, 2, 1]
    del a, b
    gc.collect()
    assert all(ref() is None for ref, _ in cache._entries[1:])
    assert len(cache._entries) <= 2

"""Failed sign-ins and failed key checks, limited per client address and per key prefix.

A small in-process limiter (one server process holds the counters; a restart forgets them): after
``limit`` failures inside ``window_s`` a bucket is locked, first for ``window_s``, doubling with
every further failure up to ``MAX_LOCK_S``. A success does not clear the address bucket, so one
valid key cannot be used to keep guessing others. Answers are 429 with ``Retry-After``.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

from finmatch.exceptions import RateLimitedError

MAX_LOCK_S = 15 * 60.0
MAX_BUCKETS = 100_000  # the table of counters cannot grow without bound


@dataclass
class _Bucket:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0
    lock_s: float = 0.0


class FailureLimiter:
    def __init__(self, limit: int = 10, window_s: float = 60.0) -> None:
        self.limit, self.window_s = limit, window_s
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def check(self, *keys: str) -> None:
        """Raise RateLimitedError while any of these buckets is locked."""
        now = time.monotonic()
        with self._lock:
            waits = [b.locked_until - now for k in keys if (b := self._buckets.get(k)) and b.locked_until > now]
        if waits:
            wait = max(waits)
            raise RateLimitedError(f"失败次数过多，请 {max(1, round(wait))} 秒后再试", retry_after_s=wait)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > MAX_BUCKETS:
                self._prune(now)
            for k in keys:
                b = self._buckets.setdefault(k, _Bucket())
                if b.lock_s and now - b.locked_until > MAX_LOCK_S:
                    b.lock_s = 0.0  # quiet for long enough: the back-off starts over
                while b.failures and b.failures[0] < now - self.window_s:
                    b.failures.popleft()
                b.failures.append(now)
                if len(b.failures) >= self.limit:
                    b.lock_s = min(MAX_LOCK_S, b.lock_s * 2 if b.lock_s else self.window_s)
                    b.locked_until = now + b.lock_s
                    b.failures.clear()

    def _prune(self, now: float) -> None:
        stale = [k for k, b in self._buckets.items()
                 if b.locked_until < now and (not b.failures or b.failures[-1] < now - self.window_s)]
        for k in stale:
            del self._buckets[k]

"""Failed key checks and sign-ins are limited per address and per key prefix: 429 in Chinese."""

from __future__ import annotations

import time

import pytest

from api.ratelimit import FailureLimiter
from finmatch.exceptions import RateLimitedError
from tests.security.conftest import HTML, csrf_of


def test_wrong_keys_get_429_with_retry_after(sqlite_sec) -> None:
    c, limit = sqlite_sec.client, sqlite_sec.settings.login_attempts
    codes = [c.get("/projects", headers={"X-API-Key": f"fm_{i:012x}_wrongwrongwrong"}).status_code
             for i in range(limit + 2)]
    assert codes[:limit] == [401] * limit and codes[-1] == 429
    r = c.get("/projects", headers={"X-API-Key": "fm_aaaaaaaaaaaa_other"})
    assert r.status_code == 429 and "失败次数过多" in r.json()["message"] and int(r.headers["retry-after"]) >= 1


def test_wrong_sign_ins_get_429(sqlite_sec) -> None:
    c = sqlite_sec.client
    statuses = []
    for i in range(sqlite_sec.settings.login_attempts + 1):
        r = c.post("/login", data={"api_key": f"fm_{i:012x}_nope", "csrf": csrf_of(c), "next": "/"}, headers=HTML)
        statuses.append(r.status_code)
    assert statuses[0] == 401 and statuses[-1] == 429
    assert "失败次数过多" in r.text


def test_one_key_prefix_is_limited_across_addresses() -> None:
    limiter = FailureLimiter(limit=3, window_s=60)
    for addr in ("a", "b", "c"):
        limiter.failed(f"addr:{addr}", "key:fm_0123")
    with pytest.raises(RateLimitedError):
        limiter.check("addr:d", "key:fm_0123")
    limiter.check("addr:d", "key:fm_other")  # other prefixes from a fresh address pass


def test_back_off_doubles() -> None:
    limiter = FailureLimiter(limit=2, window_s=0.05)
    for _ in range(2):
        limiter.failed("k")
    first = limiter._buckets["k"].lock_s
    time.sleep(0.06)
    for _ in range(2):
        limiter.failed("k")
    assert limiter._buckets["k"].lock_s == pytest.approx(2 * first)

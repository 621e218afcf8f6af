"""Sort, filter and search only on what the role may read; q is text, not a pattern; /health."""

from __future__ import annotations

import inspect

from api.routes import health
from finmatch.schemas import CONTACT_FIELDS


def test_institution_cannot_sort_by_hidden_fields(sec) -> None:
    for field in CONTACT_FIELDS:
        for sort in (field, f"-{field}"):
            r = sec.get("bank", "/enterprises", params={"sort": sort})
            assert r.status_code == 422 and r.json()["field"] == "sort", (sort, r.text)
            assert sec.get("admin", "/enterprises", params={"sort": sort}).status_code == 200


def test_q_is_literal_and_nul_is_refused(sec) -> None:
    r = sec.get("admin", "/projects", params={"q": "\x00"})
    assert r.status_code == 422 and r.json()["field"] == "q"
    everything = sec.get("admin", "/projects").json()["total"]
    assert everything > 0
    for pattern in ("%", "_", "%%", "X_0"):
        r = sec.get("admin", "/projects", params={"q": pattern})
        assert r.status_code == 200 and r.json()["total"] == 0, pattern  # no id or name holds % or _
    assert sec.get("admin", "/projects", params={"q": "XM0001"}).json()["total"] == 1


def test_health_runs_on_the_event_loop_without_the_database(sqlite_sec) -> None:
    assert inspect.iscoroutinefunction(health.health)
    state = sqlite_sec.client.app.state.finmatch
    real = state.db.engine

    class Broken:
        def connect(self):  # type: ignore[no-untyped-def]
            raise RuntimeError("database down")

    state.db.engine = Broken()
    try:
        assert sqlite_sec.client.get("/health").json() == {"status": "ok"}
        r = sqlite_sec.client.get("/ready")
        assert r.status_code == 503 and r.json()["database"] is False
    finally:
        state.db.engine = real

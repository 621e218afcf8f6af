"""Request time limit: a request still running past ``request_timeout_s`` is answered 503 in Chinese,
while the event loop keeps serving."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from api.main import create_app
from tests.api.conftest import seed


def test_slow_request_gets_503_and_health_still_answers(sqlite_settings) -> None:
    cfg = sqlite_settings.model_copy(update={"use_embeddings": False, "request_timeout_s": 0.5})
    seed(cfg)
    app = create_app(cfg)

    def slow() -> dict:  # a sync route: runs in a worker thread that cannot be interrupted
        time.sleep(2)
        return {"ok": True}

    app.add_api_route("/_slow", slow, methods=["GET"])
    with TestClient(app) as client:
        t0 = time.perf_counter()
        r = client.get("/_slow")
        assert r.status_code == 503 and r.json()["code"] == "timeout" and "秒" in r.json()["message"]
        assert time.perf_counter() - t0 < 5
        assert client.get("/health").status_code == 200

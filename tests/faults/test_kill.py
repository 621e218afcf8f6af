"""kill -9 of an import and of the server under writes, on both databases: an import is all or
nothing (then a clean re-import), and every write the server acknowledged is there after a restart."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from finmatch.runtime import open_database
from finmatch.settings import Settings
from finmatch.storage.orm import EnterpriseRow, ProjectRow
from tests.api.conftest import seed

ROOT = Path(__file__).resolve().parents[2]
N_ENTERPRISES = 4000


def _env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "FINMATCH_DATABASE_URL": settings.resolved_database_url,
            "FINMATCH_DATA_DIR": str(settings.data_dir), "FINMATCH_USE_EMBEDDINGS": "false",
            "FINMATCH_TODAY": "2026-11-28", "OMP_NUM_THREADS": "1"}


def _count(settings: Settings, row: type) -> int:
    db = open_database(settings, migrate=False)
    try:
        with db.factory() as s:
            return int(s.scalar(select(func.count()).select_from(row)) or 0)
    finally:
        db.dispose()


def test_kill_9_during_import_writes_nothing_then_reimport_is_clean(settings: Settings, tmp_path: Path) -> None:
    doc = {"format": "finmatch/v1", "enterprises": [
        {"enterprise_id": f"E-K{i:05d}", "name": f"企业 {i}", "city": "南宁"} for i in range(N_ENTERPRISES)]}
    path = tmp_path / "bulk.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    cmd = [sys.executable, "-m", "app.cli", "import", str(path)]
    for delay in (1.0, 2.5):  # before and during the write transaction (the CLI takes ~2-5 s to start and validate)
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert _count(settings, EnterpriseRow) in (0, N_ENTERPRISES)  # all or nothing
        if _count(settings, EnterpriseRow):
            break
    done = subprocess.run(cmd, cwd=ROOT, env=_env(settings), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _count(settings, EnterpriseRow) == N_ENTERPRISES


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(settings: Settings, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=_env(settings))
    deadline = time.monotonic() + 120  # a loaded CI machine can take a while to import everything
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("server did not start")


def _post(port: int, key: str, body: dict) -> int:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/projects", data=json.dumps(body).encode(), method="POST",
                                 headers={"X-API-Key": key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0  # connection reset by the kill: not acknowledged


def test_kill_9_of_the_server_under_writes_loses_no_acknowledged_write(settings: Settings) -> None:
    keys = seed(settings.model_copy(update={"use_embeddings": False}))
    port = _free_port()
    proc = _serve(settings, port)
    acked: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def writer(w: int) -> None:
        i = 0
        while not stop.is_set():
            pid = f"XM-W{w}-{i:05d}"
            body = {"project_id": pid, "enterprise_id": "E0001", "name": f"写入 {pid}", "stage": "pilot",
                    "funding_need_wan": 1}
            if _post(port, keys["admin"], body) == 201:
                with lock:
                    acked.append(pid)
            i += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    time.sleep(3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    stop.set()
    for t in threads:
        t.join(15)
    assert len(acked) > 10  # the server was really writing
    db = open_database(settings, migrate=False)
    try:
        with db.factory() as s:
            stored = set(s.scalars(select(ProjectRow.project_id).where(ProjectRow.project_id.like("XM-W%"))))
    finally:
        db.dispose()
    assert set(acked) <= stored, f"lost {len(set(acked) - stored)} acknowledged writes"
    proc = _serve(settings, port)  # and it starts again on the same database
    try:
        assert _post(port, keys["admin"], {"project_id": "XM-AFTER", "enterprise_id": "E0001", "name": "重启后",
                                            "stage": "pilot", "funding_need_wan": 1}) == 201
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def test_sigterm_stops_the_server_promptly(settings: Settings) -> None:
    """``finmatch serve`` exits on SIGTERM even with a request still computing (graceful 10 s)."""
    keys = seed(settings.model_copy(update={"use_embeddings": False}))
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT,
                            env=_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    body = {"projects": [{"project_id": f"XM-T{i}", "enterprise_id": "E0001", "name": "长文本", "stage": "pilot",
                          "funding_need_wan": 1, "description": "中试" * 4000} for i in range(50)]}
    req = urllib.request.Request(f"http://127.0.0.1:{port}/match", data=json.dumps(body).encode(), method="POST",
                                 headers={"X-API-Key": keys["admin"], "Content-Type": "application/json"})
    threading.Thread(target=lambda: _quiet(req), daemon=True).start()
    time.sleep(1)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert time.monotonic() - t0 < 30 and proc.returncode is not None


def _quiet(req: urllib.request.Request) -> None:
    with contextlib.suppress(OSError):
        urllib.request.urlopen(req, timeout=60).read()

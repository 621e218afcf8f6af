"""``finmatch batch`` end to end: worker processes on a LocalCluster, and an external ``dask scheduler``."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from app.cli import app
from finmatch.matching import MatchEngine

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data_samples"
DASK = Path(sys.executable).with_name("dask")


@pytest.fixture
def catalogue_db(sqlite_settings):
    from finmatch.io import import_paths
    from finmatch.runtime import open_database

    db = open_database(sqlite_settings)
    try:
        import_paths([SAMPLES / "catalogue.json"], db.factory)
    finally:
        db.dispose()
    return sqlite_settings


@pytest.fixture
def projects_file(tmp_path: Path) -> Path:
    doc = json.loads((SAMPLES / "generated.json").read_text("utf-8"))
    projects = doc["projects"][:40]
    wanted = {p["enterprise_id"] for p in projects}
    small = {"format": doc["format"], "enterprises": [e for e in doc["enterprises"] if e["enterprise_id"] in wanted],
             "projects": projects}
    path = tmp_path / "projects.json"
    path.write_text(json.dumps(small, ensure_ascii=False), "utf-8")
    return path


def _expected(settings, projects_file: Path) -> pd.DataFrame:
    from app.batch_cli import _frames_from_db, _frames_from_file
    from app.batch_prior import batch_prior

    projects, _ = _frames_from_file(projects_file, None, settings)
    products = _frames_from_db(settings, False)[1]
    result = MatchEngine(batch_prior(settings), today=settings.effective_today()).run(projects, products)
    return pd.DataFrame([{"project_id": pid, "product_id": m.product_id, "rank": m.rank, "score": m.score,
                          "reasons": m.reasons} for pid in projects.index for m in result.ranked(pid, 5)])


def _matches(out: Path) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(f) for f in sorted((out / "matches").glob("part-*.parquet"))],
                     ignore_index=True)


def _check(out: Path, expected: pd.DataFrame) -> dict:
    got = _matches(out)
    assert got["product_id"].tolist() == expected["product_id"].tolist()
    assert got["project_id"].tolist() == expected["project_id"].tolist()
    assert (got["score"] - expected["score"]).abs().max() < 1e-12
    assert [list(r) for r in got["reasons"]] == expected["reasons"].tolist()
    assert list((out / "prospects").glob("part-*.parquet"))
    return json.loads((out / "summary.json").read_text("utf-8"))


def test_batch_on_local_worker_processes(catalogue_db, projects_file, tmp_path) -> None:
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["batch", "--projects", str(projects_file), "--output", str(out), "--workers", "2",
                                 "--partition-size", "16"])
    assert r.exit_code == 0, r.output
    summary = _check(out, _expected(catalogue_db, projects_file))
    assert summary["workers"] == 2 and summary["n_partitions"] == 3 and summary["n_projects"] == 40
    assert "批量匹配完成" in r.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"dask scheduler not listening on {port}")


def test_batch_on_an_external_dask_scheduler(catalogue_db, projects_file, tmp_path) -> None:
    port = _free_port()
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    started = []
    try:
        started.append(subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                         "--no-dashboard"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL))
        _wait_for(port)
        started.append(subprocess.Popen([str(DASK), "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                                         "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"], cwd=ROOT,
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        with Client(f"tcp://127.0.0.1:{port}", timeout="30s") as c:
            c.wait_for_workers(1, timeout=60)
        out = tmp_path / "out"
        r = CliRunner().invoke(app, ["batch", "--projects", str(projects_file), "--output", str(out),
                                     "--scheduler", f"tcp://127.0.0.1:{port}", "--partition-size", "25"])
        assert r.exit_code == 0, r.output
        summary = _check(out, _expected(catalogue_db, projects_file))
        assert summary["workers"] == 1 and summary["n_partitions"] == 2
    finally:
        for proc in reversed(started):
            proc.terminate()
        for proc in reversed(started):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

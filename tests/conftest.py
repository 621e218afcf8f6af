"""Shared fixtures: every storage and API test runs against SQLite and PostgreSQL, each isolated.

PostgreSQL: one schema per test worker (migrated once with Alembic), tables truncated before each
test. SQLite: a migrated template file copied per test. Set FINMATCH_TEST_PG_URL to point
elsewhere, or FINMATCH_TEST_SKIP_PG=1 to run SQLite only on a machine without the server.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import text

from finmatch.runtime import Database
from finmatch.settings import Settings, get_settings
from finmatch.storage import make_engine, session_factory, upgrade_schema
from finmatch.storage.orm import Base

# CI explores the same examples every run (a failure there reproduces); locally hypothesis keeps searching.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

PG_BASE_URL = os.environ.get("FINMATCH_TEST_PG_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data_samples"
BACKENDS = ["sqlite"] if os.environ.get("FINMATCH_TEST_SKIP_PG") else ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    schema = f"fmtest_{worker}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_BASE_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_BASE_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade_schema(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _fresh_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Database]:
    if backend == "sqlite":
        path = tmp_path / "finmatch.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
    else:
        url = request.getfixturevalue("pg_url")
        engine = make_engine(url)
        names = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return url, Database(engine, session_factory(engine))


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    _, db = _fresh_database(request.param, request, tmp_path)
    yield db
    db.dispose()


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings (and FINMATCH_* environment for the CLI) pointing at a fresh database of each backend."""
    url, db = _fresh_database(request.param, request, tmp_path)
    db.dispose()
    monkeypatch.setenv("FINMATCH_DATABASE_URL", url)
    monkeypatch.setenv("FINMATCH_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("FINMATCH_TODAY", "2026-11-28")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def sqlite_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_template: Path) -> Iterator[Settings]:
    """SQLite only, for tests whose subject is not storage."""
    path = tmp_path / "finmatch.db"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("FINMATCH_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("FINMATCH_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("FINMATCH_TODAY", "2026-11-28")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()

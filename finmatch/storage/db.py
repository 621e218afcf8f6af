"""Engine and session factory; the schema is owned by Alembic (``finmatch/migrations``)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_S = 30.0  # a writer waits this long for another writer (a CLI import) before failing
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str, **kwargs: object) -> Engine:
    """An engine for SQLite (foreign keys on, file directory created) or PostgreSQL (psycopg 3)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        _owner_only_file(Path(url[len("sqlite:///"):].split("?", 1)[0]))
    # A pool larger than the server's worker threads (40): a request never waits for a connection.
    options: dict[str, object] = {"pool_size": 10, "max_overflow": 40, "pool_pre_ping": True}
    if url == "sqlite:///:memory:":
        options = {}
    elif url.startswith("sqlite"):
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
    engine = create_engine(url, future=True, **{**options, **kwargs})  # type: ignore[arg-type]
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, nor it them
            cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
            cur.close()
    return engine


def _owner_only_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (it holds key hashes and contact details);
    SQLite gives its -wal and -shm files the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        if os.stat(path).st_uid == os.getuid():
            os.chmod(path, 0o600)
    except OSError as exc:  # a read-only location: SQLite reports its own error on connect
        log.warning("could not restrict permissions of %s: %s", path, exc)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def upgrade_schema(engine: Engine) -> None:
    """Bring the database to the newest Alembic revision (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    log.debug("schema at head for %s", engine.url.render_as_string(hide_password=True))

"""Opening the configured database; shared by the CLI and the API lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from finmatch.settings import Settings
from finmatch.storage import make_engine, session_factory, upgrade_schema


@dataclass
class Database:
    engine: Engine
    factory: sessionmaker[Session]

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(settings: Settings, migrate: bool = True) -> Database:
    engine = make_engine(settings.resolved_database_url)
    if migrate:
        upgrade_schema(engine)
    return Database(engine, session_factory(engine))

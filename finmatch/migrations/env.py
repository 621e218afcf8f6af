"""Alembic environment: runs on the connection handed over by ``upgrade_schema`` or on the settings URL."""

from __future__ import annotations

from alembic import context

from finmatch.storage.orm import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from finmatch.settings import get_settings
    from finmatch.storage.db import make_engine

    engine = make_engine(get_settings().resolved_database_url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()

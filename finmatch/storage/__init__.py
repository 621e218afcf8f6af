"""Persistence: SQLAlchemy tables, Alembic-managed schema, and the repository."""

from finmatch.storage.db import make_engine, session_factory, transaction, upgrade_schema
from finmatch.storage.repository import Repository

__all__ = ["Repository", "make_engine", "session_factory", "transaction", "upgrade_schema"]

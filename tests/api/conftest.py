"""API fixtures: the app on a fresh database of each backend, the small sample document, and one key per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from finmatch.auth import create_key
from finmatch.runtime import open_database
from finmatch.schemas import Document
from finmatch.settings import Settings
from finmatch.storage import Repository, transaction
from tests.storage.sample_doc import small_document


@dataclass
class Api:
    client: TestClient
    keys: dict[str, str]
    settings: Settings

    def h(self, who: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[who]}

    def get(self, who: str, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(url, headers=self.h(who), **kw)

    def post(self, who: str, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.post(url, headers=self.h(who), **kw)

    def put(self, who: str, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.put(url, headers=self.h(who), **kw)

    def patch(self, who: str, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.patch(url, headers=self.h(who), **kw)

    def delete(self, who: str, url: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.delete(url, headers=self.h(who), **kw)


def seed(settings: Settings, doc: dict | None = None) -> dict[str, str]:
    """Load a document and create keys: admin, organiser, bank (I-BANK-01), fund (I-FUND-01)."""
    db = open_database(settings)
    try:
        with transaction(db.factory) as session:
            Repository(session, actor="test").import_document(Document.model_validate(doc or small_document()))
        return {"admin": create_key(db.factory, role="admin"),
                "organiser": create_key(db.factory, role="organiser"),
                "bank": create_key(db.factory, role="institution", institution_id="I-BANK-01"),
                "fund": create_key(db.factory, role="institution", institution_id="I-FUND-01")}
    finally:
        db.dispose()


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    """Both backends (the ``settings`` fixture is parametrised over SQLite and PostgreSQL)."""
    cfg = settings.model_copy(update={"use_embeddings": False})
    keys = seed(cfg)
    with TestClient(create_app(cfg)) as client:
        yield Api(client, keys, cfg)


@pytest.fixture
def sqlite_api(sqlite_settings: Settings) -> Iterator[Api]:
    """SQLite only, for tests whose subject is not storage."""
    cfg = sqlite_settings.model_copy(update={"use_embeddings": False})
    keys = seed(cfg)
    with TestClient(create_app(cfg)) as client:
        yield Api(client, keys, cfg)

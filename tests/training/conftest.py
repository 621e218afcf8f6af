"""One seeded dataset in one SQLite database and one trained model for every training test.

The default sample data (``generate_dataset()``, seed 20251, 300 projects) is imported once, embeddings
go to a session-wide cache, and ``finmatch train`` runs once; tests that change data copy the folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from finmatch.runtime import open_database
from finmatch.schemas import Document
from finmatch.settings import Settings
from finmatch.storage import Repository

TODAY = dt.date(2026, 11, 28)


@dataclass
class Trained:
    settings: Settings
    version: str
    root: Path
    document: Document


def make_settings(root: Path, cache: Path, **kw: object) -> Settings:
    return Settings(data_dir=root / "var", database_url=f"sqlite:///{root / 'finmatch.db'}",
                    embedding_cache=cache, today=TODAY, model_version=None, **kw)


@pytest.fixture(scope="session")
def embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("embeddings") / "embeddings.sqlite"


@pytest.fixture(scope="session")
def sample_document() -> Document:
    from training.synthetic import generate_dataset, load_catalogue

    cat, doc = load_catalogue(), generate_dataset()
    return Document(institutions=cat.institutions, products=cat.products, enterprises=doc.enterprises,
                    projects=doc.projects, events=doc.events, outcomes=doc.outcomes)


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory, sample_document: Document, embedding_cache: Path) -> Trained:
    from training.command import train_command

    root = tmp_path_factory.mktemp("trained")
    settings = make_settings(root, embedding_cache)
    db = open_database(settings)
    with db.factory() as session:
        Repository(session).import_document(sample_document)
        session.commit()
    db.dispose()
    version = train_command(settings, progress=False)
    assert version is not None
    return Trained(settings, version, root, sample_document)


@pytest.fixture
def trained_copy(trained: Trained, tmp_path: Path, embedding_cache: Path) -> Iterator[Trained]:
    """The trained database and registry copied, for tests that write."""
    root = tmp_path / "copy"
    shutil.copytree(trained.root, root)
    yield Trained(make_settings(root, embedding_cache), trained.version, root, trained.document)

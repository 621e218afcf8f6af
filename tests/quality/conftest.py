"""Shared, session-scoped inputs for the quality tests: the independent validation set, read once.

Embedding the set is the slow part (~5 texts/s on a loaded 2-core machine), so the vectors go to a
persistent cache beside the repository's other runtime files (``var/test-embeddings.sqlite``, ignored
by git; ``FINMATCH_TEST_EMBEDDING_CACHE`` points elsewhere): a second run reads them back.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from training.independent import ValidationSet, load_validation_set

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def validation() -> ValidationSet:
    return load_validation_set()


@pytest.fixture(scope="session")
def embedding_cache() -> str:
    path = Path(os.environ.get("FINMATCH_TEST_EMBEDDING_CACHE", ROOT / "var" / "test-embeddings.sqlite"))
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)

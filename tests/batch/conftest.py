"""The batch tests share the engine tests' sample data and trained scorer (built once per session)."""

from __future__ import annotations

import pytest

from tests.matching.conftest import TODAY, big_products, model_scorer, prior_scorer, sample  # noqa: F401


@pytest.fixture(scope="session")
def dask_client():
    """Two in-process workers (threads): the fast way to run the real Dask job in tests."""
    from finmatch.batch.job import open_client

    client, cluster = open_client(workers=2, processes=False)
    yield client
    client.close()
    cluster.close()


__all__ = ["TODAY"]

"""The Dask job gives what the single-process engine gives, partition boundaries or not, and restarts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finmatch.batch import BatchOptions, run_batch
from finmatch.exceptions import FinmatchError
from finmatch.matching import MatchEngine
from tests.matching.conftest import TODAY

TOP, PROSPECTS, PART = 5, 20, 64


def read(path: Path) -> pd.DataFrame:
    files = sorted(path.glob("part-*.parquet"))
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


@pytest.fixture(scope="module")
def job(tmp_path_factory, sample, model_scorer, dask_client):
    out = tmp_path_factory.mktemp("batch") / "out"
    projects = sample.projects.iloc[:200]
    options = BatchOptions(out, top_k=TOP, prospects=PROSPECTS, partition_size=PART, today=TODAY)
    summary = run_batch(projects, sample.products, model_scorer, options, dask_client)
    single = MatchEngine(model_scorer, today=TODAY).run(projects, sample.products)
    return out, options, summary, single, projects


def test_matches_equal_the_single_process_engine(job) -> None:
    out, _, summary, single, projects = job
    assert summary.n_partitions == 4 and summary.n_skipped == 0 and summary.workers == 2
    got = read(out / "matches")
    expected = pd.DataFrame([{"project_id": pid, "product_id": m.product_id, "rank": m.rank, "score": m.score,
                              "probability": m.probability, "reasons": m.reasons}
                             for pid in projects.index for m in single.ranked(pid, TOP)])
    # a project that states funding types lists only those families, so some have fewer than TOP
    assert len(got) == len(expected) > 2 * len(projects)
    assert got["project_id"].tolist() == expected["project_id"].tolist()
    assert got["product_id"].tolist() == expected["product_id"].tolist()
    assert got["rank"].tolist() == expected["rank"].tolist()
    np.testing.assert_allclose(got["score"], expected["score"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(got["probability"], expected["probability"], rtol=0, atol=1e-12)
    assert [list(r) for r in got["reasons"]] == expected["reasons"].tolist()
    assert any(len(r) for r in got["reasons"])


def test_prospect_lists_equal_the_engine(job) -> None:
    out, _, summary, single, _ = job
    got = read(out / "prospects")
    assert summary.n_prospects == len(got)
    for product_id, lst in got.groupby("product_id", sort=False):
        ref = single.prospects(product_id).head(PROSPECTS)
        assert lst["rank"].tolist() == list(range(1, len(ref) + 1))
        np.testing.assert_allclose(lst["score"], ref["score"], rtol=0, atol=1e-12)
        reasons = dict(zip(ref["project_id"], ref["reasons"], strict=True))
        full = single.prospects(product_id)
        cut = ref["score"].min()
        for pid, r, s in zip(lst["project_id"], lst["reasons"], lst["score"], strict=True):
            if pid in reasons:
                assert list(r) == reasons[pid]
            else:  # only a tie at the cut may swap who is last on the list
                assert abs(s - cut) < 1e-12 and pid in set(full["project_id"])
    assert set(got["product_id"]) == {p for p in single.products.index if len(single.prospects(p))}


def test_rerun_skips_written_partitions_and_refuses_other_inputs(job, sample, model_scorer, dask_client) -> None:
    out, options, _, _, projects = job
    before = read(out / "matches")
    (out / "matches" / "part-00002.parquet").unlink()
    again = run_batch(projects, sample.products, model_scorer, options, dask_client)
    assert again.n_skipped == 3 and again.n_eligible > 0
    pd.testing.assert_frame_equal(read(out / "matches"), before)
    with pytest.raises(FinmatchError, match="另一批次"):
        run_batch(projects.iloc[:150], sample.products, model_scorer, options, dask_client)

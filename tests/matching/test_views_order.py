"""The result views read arrays instead of pandas rows: the same rows, order and values as the pandas code.

``ranked_rows`` sorts with ``np.argsort(-score, kind="stable")`` where it used pandas' stable descending
``sort_values``; ``sector`` / ``requested_families`` read column lists instead of ``.loc`` / ``.at``;
``open_rows``, ``failed_fields`` and ``prospects`` use position dicts and codes instead of ``get_indexer``,
list scans and a full-column comparison. The pandas versions are kept here as the reference.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from finmatch.eligibility import CLAUSE_FIELDS, FAIL, UNKNOWN
from finmatch.matching import MatchEngine
from finmatch.matching.ranking import MatchResult, ProjectSector
from tests.matching.conftest import TODAY


def pandas_order(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).sort_values(ascending=False, kind="stable").index.to_numpy()


def test_numpy_descending_stable_sort_is_the_pandas_one() -> None:
    rng = np.random.default_rng(5)
    special = np.array([np.nan, 0.0, -0.0, np.inf, -np.inf, 1.0, 1.0, -1.0])
    for n in (0, 1, 2, 7, 50, 300):
        for pool in (special, rng.normal(size=4), rng.normal(size=n + 1)):
            values = rng.choice(pool, size=n)  # many ties, NaN, signed zeros, infinities
            np.testing.assert_array_equal(np.argsort(-values, kind="stable"), pandas_order(values))


# -- the views as they were (pandas) -------------------------------------------------------------
def ref_open_rows(res: MatchResult) -> np.ndarray:
    if "_ref_open" in vars(res):  # computed once per result (the test asks for it per project)
        return vars(res)["_ref_open"]
    if res.scores.empty:
        return np.zeros(0, dtype=bool)
    ii = pd.Index(res.eligibility.project_ids).get_indexer(res.scores["project_id"])
    jj = pd.Index(res.eligibility.product_ids).get_indexer(res.scores["product_id"])
    out = np.zeros(len(ii), dtype=bool)
    for f in CLAUSE_FIELDS:
        out |= res.eligibility.status[f][ii, jj] == UNKNOWN
    vars(res)["_ref_open"] = out
    return out


def ref_ranked_rows(res: MatchResult, pid: str, top_k: int | None = None,
                    families: set[str] | None = None) -> np.ndarray:
    if "_ref_pids" not in vars(res):
        vars(res)["_ref_pids"] = res.scores["project_id"].to_numpy(dtype=object)
    rows = np.flatnonzero(vars(res)["_ref_pids"] == pid)
    if families:
        rows = rows[res.scores["family"].iloc[rows].isin(families).to_numpy()]
    rows = rows[pandas_order(res.scores["score"].to_numpy(dtype=float)[rows])]
    rows = rows[~ref_open_rows(res)[rows]]
    return rows if top_k is None else rows[:top_k]


def ref_requested(res: MatchResult, pid: str) -> frozenset[str]:
    if "funding_types" not in res.projects.columns or pid not in res.projects.index:
        return frozenset()
    value = res.projects.at[pid, "funding_types"]
    if not isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        return frozenset()
    return frozenset(str(getattr(f, "value", f)) for f in value if isinstance(f, str) and f)


def ref_match_rows(res: MatchResult, pid: str, top_k: int | None = None, families: set[str] | None = None,
                   other: bool = False) -> np.ndarray:
    rows = ref_ranked_rows(res, pid, None, families)
    wanted = ref_requested(res, pid)
    if wanted:
        inside = np.isin(res.scores["family"].iloc[rows].to_numpy(dtype=object), list(wanted))
        rows = rows[~inside if other else inside]
    elif other:
        rows = rows[:0]
    return rows if top_k is None else rows[:top_k]


def ref_sector(res: MatchResult, pid: str) -> ProjectSector:
    row = res.projects.loc[pid]
    if isinstance(row["sector"], str):
        return ProjectSector(row["sector"], False, None)
    inferred = row.get("inferred_sector")
    if isinstance(inferred, str):
        conf = float(row.get("sector_confidence", math.nan))
        i = res.eligibility.project_ids.index(str(pid))
        second, second_conf = row.get("sector_second"), row.get("sector_second_confidence")
        return ProjectSector(inferred, True, conf, bool(res.eligibility.project_arrays.sector_unconfirmed[i]),
                             second if isinstance(second, str) else None,
                             None if second_conf is None or pd.isna(second_conf) else float(second_conf))
    return ProjectSector(None, False, None)


def ref_failed_fields(res: MatchResult, pid: str) -> dict[str, list[str]]:
    i = res.eligibility.project_ids.index(pid)
    return {qid: [f for f in CLAUSE_FIELDS if res.eligibility.status[f][i, j] == FAIL]
            for j, qid in enumerate(res.eligibility.product_ids) if not res.eligibility.eligible[i, j]}


def same_sector(a: ProjectSector, b: ProjectSector) -> bool:
    return all(x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
               for x, y in zip(vars(a).values(), vars(b).values(), strict=True)) and a.reason() == b.reason()


CASES = [("prior", "sample"), ("model", "sample"), ("model", "big")]


@pytest.fixture(scope="module", params=CASES, ids=["-".join(c) for c in CASES])
def result(request: pytest.FixtureRequest) -> MatchResult:
    scorer_name, catalogue = request.param
    sample = request.getfixturevalue("sample")
    scorer = request.getfixturevalue(f"{scorer_name}_scorer")
    products = sample.products if catalogue == "sample" else request.getfixturevalue("big_products")
    projects = sample.projects.iloc[:120] if catalogue == "big" else sample.projects
    return MatchEngine(scorer, today=TODAY).run(projects, products)


def test_rows_and_order_are_the_pandas_ones(result: MatchResult) -> None:
    res = result
    np.testing.assert_array_equal(res.open_rows, ref_open_rows(res))
    assert res.open_rows.any()
    families = sorted(set(res.scores["family"]))
    some_requested = 0
    for pid in res.projects.index:
        for top_k, fams in ((None, None), (3, None), (None, set(families[:1])), (2, set(families[1:3])),
                            (None, {"no-such-family"})):
            np.testing.assert_array_equal(res.ranked_rows(pid, top_k, fams), ref_ranked_rows(res, pid, top_k, fams))
            for other in (False, True):
                np.testing.assert_array_equal(res.match_rows(pid, top_k, fams, other),
                                              ref_match_rows(res, pid, top_k, fams, other))
        assert res.requested_families(pid) == ref_requested(res, pid)
        some_requested += bool(res.requested_families(pid))
    assert some_requested and res.requested_families("no-such-project") == frozenset()


def test_sector_failed_fields_and_prospects_are_the_pandas_ones(result: MatchResult) -> None:
    res = result
    inferred = 0
    for pid in res.projects.index:
        assert same_sector(res.sector(pid), ref_sector(res, pid)), pid
        inferred += res.sector(pid).sector_inferred
        assert res.failed_fields(pid) == ref_failed_fields(res, pid)
        for m in res.ranked(pid, 5):
            assert m.unknown == res.eligibility.unknown_fields(pid, m.product_id) == []
    assert inferred
    with pytest.raises(KeyError):
        res.sector("no-such-project")
    with pytest.raises(ValueError):
        res.failed_fields("no-such-project")
    for qid in [*res.products.index[:40], "no-such-product"]:
        rows = np.flatnonzero((res.scores["product_id"] == qid).to_numpy() & res.prospect_mask)
        sub = res.scores.iloc[rows].assign(_row=rows).sort_values("score", ascending=False).reset_index(drop=True)
        sub["reasons"] = res.reasons_at(sub.pop("_row").to_numpy())
        sub["rank"] = np.arange(1, len(sub) + 1)
        pd.testing.assert_frame_equal(res.prospects(qid), sub)

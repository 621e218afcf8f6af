"""One partition of a batch job: the projects of the partition against the whole catalogue.

Runs on a Dask worker with the broadcast scorer and catalogue. The result is exactly what the
single-process engine gives for these projects (``MatchResult.ranked`` for the top K, with the same
reasons), plus each product's best projects of the partition as candidates for its prospect list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finmatch.matching import MatchEngine, PairScorer

MATCH_COLUMNS = ("project_id", "product_id", "rank", "score", "probability", "family", "institution_id", "reasons")
CANDIDATE_COLUMNS = ("product_id", "project_id", "score", "probability", "order")


@dataclass
class PartitionResult:
    matches: pd.DataFrame  # MATCH_COLUMNS, projects in input order, rank 1..K each
    candidates: pd.DataFrame  # CANDIDATE_COLUMNS: per product its best ``prospects`` projects here
    n_projects: int
    n_eligible: int


def _top_rows_per_project(result, top_k: int) -> np.ndarray:
    rows = [result.match_rows(pid, top_k) for pid in result.projects.index]
    return np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)


def score_partition(projects: pd.DataFrame, products: pd.DataFrame, scorer: PairScorer, today: dt.date | None,
                    top_k: int, prospects: int, offset: int = 0) -> PartitionResult:
    """Score one partition; ``offset`` is the partition's first row in the whole input (for tie order)."""
    result = MatchEngine(scorer, today=today).run(projects, products)
    rows = _top_rows_per_project(result, top_k)
    result.reasons_at(rows)  # one explain call for the whole partition
    items = [(pid, m) for pid in result.projects.index for m in result.ranked(pid, top_k, eligibility_reasons=False)]
    matches = pd.DataFrame({
        "project_id": [pid for pid, _ in items], "product_id": [m.product_id for _, m in items],
        "rank": np.array([m.rank for _, m in items], dtype=np.int32),
        "score": np.array([m.score for _, m in items], dtype=float),
        "probability": np.array([m.probability for _, m in items], dtype=float),
        "family": [m.family for _, m in items], "institution_id": [m.institution_id for _, m in items],
        "reasons": [list(m.reasons) for _, m in items]}, columns=list(MATCH_COLUMNS))
    s = result.scores
    position = pd.Index(result.projects.index).get_indexer(s["project_id"]) + offset
    cand = pd.DataFrame({"product_id": s["product_id"].to_numpy(dtype=object),
                         "project_id": s["project_id"].to_numpy(dtype=object),
                         "score": s["score"].to_numpy(dtype=float), "probability": s["probability"].to_numpy(dtype=float),
                         "order": position.astype(np.int64)})
    cand = cand[result.prospect_mask]
    cand = cand.sort_values(["product_id", "score", "order"], ascending=[True, False, True], kind="stable")
    cand = cand.groupby("product_id", sort=False).head(prospects).reset_index(drop=True)
    return PartitionResult(matches, cand[list(CANDIDATE_COLUMNS)], len(projects), len(s))


def prospect_reasons(projects: pd.DataFrame, products: pd.DataFrame, scorer: PairScorer, today: dt.date | None,
                     pairs: pd.DataFrame) -> list[list[str]]:
    """The model's reasons (as ``MatchResult.prospects`` gives them) of (project_id, product_id) pairs.

    A model scorer computes just these pairs' feature rows (each feature of a pair depends on its project,
    its product and the whole catalogue, never on the other pairs); another scorer re-runs the engine on
    the pairs' projects against the whole catalogue.
    """
    wanted = projects.loc[pd.unique(pairs["project_id"])]
    features, explain = getattr(scorer, "feature_matrix", None), getattr(scorer, "explain_rows", None)
    if features is not None and explain is not None:  # the listed pairs' feature rows only, no re-ranking
        enrich = getattr(scorer, "enrich_projects", None)
        wanted = enrich(wanted) if enrich is not None else wanted
        pi = wanted.index.get_indexer(pairs["project_id"])
        qj = products.index.get_indexer(pairs["product_id"])
        return explain(features(wanted, products, pi, qj))
    result = MatchEngine(scorer, today=today).run(wanted, products)
    s = result.scores
    key = pd.MultiIndex.from_arrays([s["project_id"], s["product_id"]])
    rows = key.get_indexer(pd.MultiIndex.from_arrays([pairs["project_id"], pairs["product_id"]]))
    if (rows < 0).any():
        raise ValueError("prospect pair no longer eligible: inputs changed between the two passes")
    return result.reasons_at(rows)

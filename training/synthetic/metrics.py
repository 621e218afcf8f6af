"""A tiny NDCG helper for the synthetic-data note (the ranker's metrics module is the real one)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from finmatch.schemas import Event, Outcome
from training.synthetic.outcomes import furthest_grade


def ndcg_at_k(scores: np.ndarray, relevance: np.ndarray, k: int = 5) -> float:
    """NDCG@k with gain 2^rel − 1; NaN when the group has no relevant item."""
    rel = np.asarray(relevance, dtype=float)
    ideal = np.sort(rel)[::-1][:k]
    gains = (2.0 ** ideal - 1.0) / np.log2(np.arange(2, len(ideal) + 2))
    idcg = gains.sum()
    if idcg <= 0:
        return float("nan")
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:k]
    dcg = ((2.0 ** rel[order] - 1.0) / np.log2(np.arange(2, len(order) + 2))).sum()
    return float(dcg / idcg)


def event_groups(events: Sequence[Event], outcomes: Sequence[Outcome],
                 eligible: Mapping[str, pd.DataFrame]) -> list[tuple[str, str, list[str], np.ndarray]]:
    """(event, project, eligible candidate products, graded relevance) for each participation with an outcome."""
    grade = furthest_grade(outcomes)
    touched = {(e, p) for e, p, _ in grade}
    groups = []
    for ev in events:
        frame = eligible[ev.event_id]
        for pid in ev.project_ids:
            if (ev.event_id, pid) not in touched or pid not in frame.index:
                continue
            row = frame.loc[pid]
            cands = [q for q in ev.product_ids if q in row.index and bool(row[q])]
            rel = np.array([grade.get((ev.event_id, pid, q), 0) for q in cands], dtype=float)
            groups.append((ev.event_id, pid, cands, rel))
    return groups


def mean_ndcg(groups: Sequence[tuple[str, str, list[str], np.ndarray]],
              score: Callable[[str, str, list[str]], np.ndarray], k: int = 5) -> float:
    """Mean NDCG@k over groups, scoring each group's candidates with `score(event, project, products)`."""
    vals = [ndcg_at_k(score(e, p, c), r, k) for e, p, c, r in groups]
    return float(np.nanmean(vals))

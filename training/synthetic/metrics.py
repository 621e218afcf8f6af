"""Outcome groups of the generated events and their mean NDCG, for the synthetic-data note."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from finmatch.schemas import Event, Outcome
from training.metrics import GROUP, LABEL, SCORE, ndcg_at_k
from training.synthetic.outcomes import furthest_grade


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
    """Mean NDCG@k over groups, scoring each group's candidates with `score(event, project, products)`.

    Gain 2^grade − 1 (grades contacted 1 … signed 5), computed by the ranker's metrics module with
    that gain as the label; groups without any outcome are left out.
    """
    frames = [pd.DataFrame({GROUP: i, LABEL: 2.0 ** np.asarray(r, dtype=float) - 1.0,
                            SCORE: np.asarray(score(e, p, c), dtype=float)})
              for i, (e, p, c, r) in enumerate(groups)]
    return ndcg_at_k(pd.concat(frames, ignore_index=True), k) if frames else float("nan")

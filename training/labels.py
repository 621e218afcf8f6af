"""Graded relevance labels from recorded outcomes.

A (event, project, product) pair's label is the furthest stage it reached:
signed 3 · approved / due_diligence 2 · meeting 1 · recommended / contacted / withdrawn / rejected 0.
The label is the *maximum* over the pair's records, so a pair that met and was later rejected keeps
1: the meeting happened, which is what the match probability ("reaches at least a meeting") predicts.
A pair with no record at all (eligible, on offer, never contacted) is 0.

The ranker *trains* on a finer relevance that also uses the first step of the funnel: a pair the two
sides got in touch about (contacted, or rejected / withdrawn without a meeting) ranks above a pair
nobody touched: relevance = label + 1 when label > 0, 1 when contacted, else 0. Metrics, the
calibrated probability and everything reported use the label above.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import pandas as pd

from finmatch.enums import OUTCOME_GRADE, OUTCOME_RELEVANCE
from finmatch.schemas import Event, Outcome

LABEL_OF_STAGE: dict[str, int] = OUTCOME_GRADE
RELEVANCE_OF_STAGE: dict[str, int] = OUTCOME_RELEVANCE
MEETING_LABEL = 1  # "reaches at least a meeting" for the calibrated probability


def outcomes_frame(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """Outcomes as a frame: project_id, product_id, event_id (None when absent), stage, date, label."""
    rows = [{"project_id": o.project_id, "product_id": o.product_id, "event_id": o.event_id,
             "stage": o.stage.value if hasattr(o.stage, "value") else str(o.stage), "date": o.date}
            for o in outcomes]
    frame = pd.DataFrame(rows, columns=["project_id", "product_id", "event_id", "stage", "date"])
    frame["label"] = frame["stage"].map(LABEL_OF_STAGE).fillna(0).astype(int)
    frame["relevance"] = frame["stage"].map(RELEVANCE_OF_STAGE).fillna(0).astype(int)
    return frame


def attach_events(outcomes: pd.DataFrame, events: Sequence[Event]) -> pd.DataFrame:
    """Fill a missing event_id with the latest event on or before the outcome's date that had both sides."""
    missing = outcomes["event_id"].isna() | (outcomes["event_id"].astype(str) == "")
    if not missing.any():
        return outcomes
    ordered = sorted(events, key=lambda e: (e.date, e.event_id))
    dates = [e.date for e in ordered]
    members = [(set(e.project_ids), set(e.product_ids)) for e in ordered]
    out = outcomes.copy()
    for idx in out.index[missing]:
        row = out.loc[idx]
        k = bisect.bisect_right(dates, row["date"])
        for pos in range(k - 1, -1, -1):
            if row["project_id"] in members[pos][0] and row["product_id"] in members[pos][1]:
                out.at[idx, "event_id"] = ordered[pos].event_id
                break
    return out


def pair_labels(outcomes: pd.DataFrame) -> pd.DataFrame:
    """``label`` and ``relevance`` per (event_id, project_id, product_id): the furthest stage reached."""
    known = outcomes.dropna(subset=["event_id"])
    return known.groupby(["event_id", "project_id", "product_id"])[["label", "relevance"]].max()

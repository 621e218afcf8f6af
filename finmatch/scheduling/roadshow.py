"""Roadshow order for the stage pitches ("8+7": 8 min pitch, 7 min Q&A).

Projects are grouped by sector so institutions interested in one field can come for one block;
groups and projects inside a group go most-wanted first, while the room is fullest. A project's
``demand`` is the number of institutions that want it: those with an eligible product scoring at
least ``want_threshold`` (default: the median of all eligible scores of the event).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

UNKNOWN_SECTOR = "未分类"


def roadshow_order(scores: pd.DataFrame, project_sectors: dict[str, str], pitch_minutes: int = 8,
                   qa_minutes: int = 7, start: datetime | None = None,
                   want_threshold: float | None = None) -> pd.DataFrame:
    """Columns order (1-based), project_id, sector, demand, interest, start, end.

    ``interest`` (sum of eligible scores) breaks ties in demand. ``start``/``end`` are datetimes when
    ``start`` is given, else ``pd.Timedelta`` offsets from the start of the roadshow.
    """
    values = scores.to_numpy(dtype=float)
    eligible = values[~np.isnan(values)]
    threshold = float(np.median(eligible)) if want_threshold is None and eligible.size else (want_threshold or 0.0)
    filled = np.nan_to_num(values, nan=-1.0)
    frame = pd.DataFrame({
        "project_id": [str(p) for p in scores.index],
        "demand": (filled >= threshold).sum(axis=1).astype(int) if values.size else 0,
        "interest": np.nansum(np.where(np.isnan(values), 0.0, values), axis=1) if values.size else 0.0,
    })
    frame["sector"] = [project_sectors.get(p) or UNKNOWN_SECTOR for p in frame["project_id"]]
    groups = frame.groupby("sector").agg(g_demand=("demand", "mean"), g_interest=("interest", "mean"))
    groups["unknown"] = groups.index == UNKNOWN_SECTOR
    frame = frame.join(groups, on="sector")
    frame = frame.sort_values(["unknown", "g_demand", "g_interest", "sector", "demand", "interest", "project_id"],
                              ascending=[True, False, False, True, False, False, True], kind="mergesort")
    frame = frame.reset_index(drop=True)
    step = pd.Timedelta(minutes=pitch_minutes + qa_minutes)
    offsets = [step * k for k in range(len(frame))]
    origin = pd.Timestamp(start) if start is not None else None
    frame["start"] = [origin + o if origin is not None else o for o in offsets]
    frame["end"] = [s + step for s in frame["start"]]
    frame.insert(0, "order", range(1, len(frame) + 1))
    return frame[["order", "project_id", "sector", "demand", "interest", "start", "end"]]

"""Shared instance builders for the scheduling tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from finmatch.scheduling import ScheduleRequest


def make_request(seed: int, n_projects: int, n_institutions: int, slots: int, tables: int, cap_p: int, cap_i: int,
                 nan_share: float = 0.4, n_must: int = 0, n_blocked: int = 0, unavailable_share: float = 0.0,
                 time_limit_s: float = 5.0) -> ScheduleRequest:
    """A seeded random instance; must-meets are drawn from all pairs, so some hit NaN scores."""
    rng = np.random.default_rng(seed)
    values = rng.random((n_projects, n_institutions)).round(3)
    values[rng.random(values.shape) < nan_share] = np.nan
    projects = [f"XM{k:04d}" for k in range(n_projects)]
    institutions = [f"I-{k:02d}" for k in range(n_institutions)]
    scores = pd.DataFrame(values, index=projects, columns=institutions)
    pairs = [(p, i) for p in projects for i in institutions]
    pick = lambda n: [pairs[k] for k in rng.choice(len(pairs), size=min(n, len(pairs)), replace=False)]  # noqa: E731
    must = pick(n_must)
    blocked = [pr for pr in pick(n_blocked) if pr not in must]
    unavailable = {}
    for who in projects + institutions:
        if slots and rng.random() < unavailable_share:
            unavailable[who] = sorted(int(s) for s in rng.choice(slots, size=rng.integers(1, slots + 1), replace=False))
    return ScheduleRequest(event_id=f"T{seed}", scores=scores, slots=slots, tables=tables,
                           max_meetings_per_project=cap_p, max_meetings_per_institution=cap_i, must_meet=must,
                           blocked=blocked, unavailable=unavailable, time_limit_s=time_limit_s, num_workers=1)


@st.composite
def requests(draw: st.DrawFn, max_projects: int = 8, max_institutions: int = 5, max_slots: int = 5,
             constrained: bool = True) -> ScheduleRequest:
    return make_request(
        seed=draw(st.integers(0, 2**31 - 1)),
        n_projects=draw(st.integers(1, max_projects)),
        n_institutions=draw(st.integers(1, max_institutions)),
        slots=draw(st.integers(1, max_slots)),
        tables=draw(st.integers(1, 4)),
        cap_p=draw(st.integers(0 if constrained else 1, 4)),
        cap_i=draw(st.integers(0 if constrained else 1, 6)),
        nan_share=draw(st.sampled_from([0.0, 0.3, 0.6])),
        n_must=draw(st.integers(0, 4)) if constrained else 0,
        n_blocked=draw(st.integers(0, 4)) if constrained else 0,
        unavailable_share=draw(st.sampled_from([0.0, 0.2, 0.5])) if constrained else 0.0,
    )

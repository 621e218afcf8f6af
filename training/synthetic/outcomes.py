"""Simulated event outcomes (contacted → meeting → due_diligence → approved → signed, or rejected /
withdrawn) drawn from the hidden utility plus noise, capacity limits per event and product budgets.

Only pairs the eligibility engine passed ever get a row: an ineligible pair is never contacted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from tqdm import tqdm

from finmatch.enums import OUTCOME_FUNNEL, OutcomeStage
from finmatch.schemas import Event, Outcome

# per family: (meeting threshold, due-diligence threshold, approval threshold, P(sign | approved))
THRESHOLDS: dict[str, tuple[float, float, float, float]] = {
    "equity": (0.6, 2.7, 4.1, 0.85), "loan": (0.5, 2.3, 3.7, 0.9), "guarantee": (0.4, 2.1, 3.5, 0.9),
    "insurance": (0.2, 1.9, 3.2, 0.95), "subsidy": (0.1, 1.8, 3.1, 0.95)}
PAIR_NOISE_SD, STEP_NOISE_SD = 1.0, 0.7
TABLES_PER_INSTITUTION_MAX = 3  # an institution staffs one table per product line at the event, at most 3
CONTACT_BASE, CONTACT_POISSON = 2, 2.0
P_REJECT_AFTER_MEETING, P_WITHDRAW_AFTER_MEETING = 0.55, 0.15
P_REJECT_AFTER_DD = 0.8
# days after the event: (low, high) for each stage, drawn cumulatively
STAGE_DAYS = {"contacted": (0, 3), "meeting": (0, 14), "due_diligence": (14, 35), "approved": (21, 50),
              "signed": (10, 40)}
GRADE = {stage: step for step, stage in enumerate(OUTCOME_FUNNEL) if step}  # contacted 1 … signed 5


def _top_k_mask(score: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Row-wise mask of the k highest finite scores."""
    order = np.argsort(-score, axis=1)
    ranks = np.empty_like(order)
    rows = np.arange(score.shape[0])[:, None]
    ranks[rows, order] = np.arange(score.shape[1])[None, :]
    return (ranks < k[:, None]) & np.isfinite(score)


def _cap_columns(mask: np.ndarray, score: np.ndarray, groups: np.ndarray, caps: Mapping[str, int]) -> np.ndarray:
    """Keep at most `caps[group]` True cells (best score first) across the columns of each group."""
    out = mask.copy()
    for g in np.unique(groups):
        cols = np.flatnonzero(groups == g)
        sub = np.where(mask[:, cols], score[:, cols], -np.inf)
        flat = sub.ravel()
        n_true = int(np.isfinite(flat).sum())
        if n_true > caps[g]:
            drop = np.argsort(-flat)[caps[g]:n_true]
            r, c = np.unravel_index(drop, sub.shape)
            out[r, cols[c]] = False
    return out


def _amount(family: str, need: float, hi: float, rng: np.random.Generator) -> float:
    base = min(need, hi) if hi == hi else need
    if family == "subsidy":
        return round(min(need * 0.03, 300.0) * rng.uniform(0.5, 1.0), 1)
    lo = 0.3 if family == "insurance" else 0.5
    return round(base * rng.uniform(lo, 1.0), -1) or round(base, 1)


def simulate_outcomes(utility: pd.DataFrame, events: Sequence[Event], projects_df: pd.DataFrame,
                      products_df: pd.DataFrame, eligible: pd.DataFrame | Mapping[str, pd.DataFrame],
                      rng: np.random.Generator, progress: bool = False) -> list[Outcome]:
    """Outcome rows, one per stage reached, for every event; `eligible` is one bool frame or one per event id."""
    budget_left = pd.to_numeric(products_df["budget_wan"], errors="coerce").fillna(np.inf).to_dict()
    rows: list[Outcome] = []
    ordered = sorted(events, key=lambda e: (e.date, e.event_id))
    for ev in tqdm(ordered, desc="对接结果", disable=not progress, unit="场"):
        elig_frame = eligible[ev.event_id] if isinstance(eligible, Mapping) else eligible
        pids = [p for p in ev.project_ids if p in utility.index and p in elig_frame.index]
        qids = [q for q in ev.product_ids if q in utility.columns and q in elig_frame.columns]
        if not pids or not qids:
            continue
        u = utility.loc[pids, qids].to_numpy()
        elig = elig_frame.loc[pids, qids].to_numpy(dtype=bool)
        fam = products_df.loc[qids, "family"].astype(str).to_numpy()
        inst = products_df.loc[qids, "institution_id"].astype(str).to_numpy()
        th = np.array([THRESHOLDS[f] for f in fam])  # (M, 4)
        n, m = u.shape
        contact_score = np.where(elig, u + rng.gumbel(size=(n, m)), -np.inf)
        k = np.minimum(elig.sum(axis=1), CONTACT_BASE + rng.poisson(CONTACT_POISSON, n))
        contacted = _top_k_mask(contact_score, k) & elig
        s = u + rng.normal(0.0, PAIR_NOISE_SD, (n, m))
        want = contacted & (s > th[None, :, 0])
        meet = _top_k_mask(np.where(want, s, -np.inf), np.full(n, ev.max_meetings_per_project)) & want
        tables = {g: min(TABLES_PER_INSTITUTION_MAX, int((inst == g).sum())) for g in np.unique(inst)}
        meet = _cap_columns(meet, s, inst, {g: t * ev.max_meetings_per_institution for g, t in tables.items()})
        dd = meet & (s + rng.normal(0.0, STEP_NOISE_SD, (n, m)) > th[None, :, 1])
        approved = dd & (s + rng.normal(0.0, STEP_NOISE_SD, (n, m)) > th[None, :, 2])
        sign_draw = rng.random((n, m)) < th[None, :, 3]
        fate = rng.random((n, m))
        days = {st: rng.integers(lo, hi + 1, (n, m)) for st, (lo, hi) in STAGE_DAYS.items()}
        for i, j in zip(*np.nonzero(contacted), strict=True):
            pid, qid = pids[i], qids[j]
            offset = 0
            reached: list[tuple[str, int]] = []
            for stage, flag in (("contacted", True), ("meeting", meet[i, j]), ("due_diligence", dd[i, j]),
                                ("approved", approved[i, j])):
                if not flag:
                    break
                offset += int(days[stage][i, j])
                reached.append((stage, offset))
            last = reached[-1][0]
            amount = None
            end: str | None = None
            if last == "approved":
                amount = _amount(fam[j], float(projects_df.at[pid, "funding_need_wan"]),
                                 float(products_df.at[qid, "amount_max_wan"] or np.nan), rng)
                if not sign_draw[i, j]:
                    end = "withdrawn"
                elif amount > budget_left[qid]:
                    end = "rejected"
                else:
                    budget_left[qid] -= amount
                    end = "signed"
            elif last == "due_diligence":
                end = "rejected" if fate[i, j] < P_REJECT_AFTER_DD else "withdrawn"
            elif last == "meeting":
                end = ("rejected" if fate[i, j] < P_REJECT_AFTER_MEETING else
                       "withdrawn" if fate[i, j] < P_REJECT_AFTER_MEETING + P_WITHDRAW_AFTER_MEETING else None)
            if end is not None:
                offset += int(days["signed"][i, j])
                reached.append((end, offset))
            for stage, off in reached:
                rows.append(Outcome.model_construct(
                    project_id=pid, product_id=qid, event_id=ev.event_id, stage=OutcomeStage(stage),
                    amount_wan=amount if stage == "signed" else None, date=ev.date + dt.timedelta(days=off), extra={}))
    return rows


def furthest_grade(outcomes: Sequence[Outcome]) -> dict[tuple[str, str, str], int]:
    """(event, project, product) -> furthest positive stage grade (contacted 1 … signed 5)."""
    out: dict[tuple[str, str, str], int] = {}
    for o in outcomes:
        g = GRADE.get(o.stage.value, 0)
        key = (o.event_id or "", o.project_id, o.product_id)
        if g > out.get(key, 0):
            out[key] = g
    return out

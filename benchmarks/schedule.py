"""Benchmark: CP-SAT agenda vs the greedy baseline on a provincial-event-sized instance.

Default instance: 100 projects x 25 institutions x 12 slots x 10 tables, scores Beta(2,5) with ~40%
NaN (no eligible product), caps 4 per project / 8 per institution. Prints solve time, objective,
bound, gap and the greedy objective with the ratio CP-SAT / greedy.

    .venv/bin/python benchmarks/schedule.py [--seed 0] [--time-limit 30] [--workers 2]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from finmatch.scheduling import ScheduleRequest, check_agenda, solve


def instance(seed: int, projects: int = 100, institutions: int = 25, slots: int = 12, tables: int = 10,
             nan_share: float = 0.4, time_limit: float = 30, workers: int = 2,
             constrained: bool = False) -> ScheduleRequest:
    """``constrained`` adds what organisers send: 20 must-meets, 30 blocked pairs, a quarter of the
    participants away for 1-4 slots, and tighter institution caps (5)."""
    rng = np.random.default_rng(seed)
    values = rng.beta(2, 5, size=(projects, institutions))
    values[rng.random(values.shape) < nan_share] = np.nan
    scores = pd.DataFrame(values, index=[f"XM{k:04d}" for k in range(projects)],
                          columns=[f"I-{k:02d}" for k in range(institutions)])
    req = ScheduleRequest(event_id=f"bench-{seed}", scores=scores, slots=slots, tables=tables,
                          max_meetings_per_project=4, max_meetings_per_institution=8,
                          time_limit_s=time_limit, num_workers=workers)
    if constrained:
        pairs = [(p, i) for p in scores.index for i in scores.columns]
        picks = [pairs[k] for k in rng.choice(len(pairs), size=50, replace=False)]
        req.must_meet, req.blocked = picks[:20], picks[20:]
        req.max_meetings_per_institution = 5
        for who in [*scores.index, *scores.columns]:
            if rng.random() < 0.25:
                req.unavailable[who] = sorted(int(s) for s in rng.choice(slots, size=rng.integers(1, 5), replace=False))
    return req


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--time-limit", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--institutions", type=int, default=25)
    parser.add_argument("--slots", type=int, default=12)
    parser.add_argument("--tables", type=int, default=10)
    parser.add_argument("--scenario", choices=["plain", "constrained"], nargs="+", default=["plain", "constrained"])
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    print(f"{args.projects} projects x {args.institutions} institutions x {args.slots} slots x {args.tables} tables,"
          f" time limit {args.time_limit:g}s, {args.workers} workers")
    print(f"{'scenario':>11} {'seed':>4} {'seconds':>8} {'status':>10} {'objective':>10} {'bound':>10} {'gap':>7} "
          f"{'greedy':>10} {'ratio':>7} {'met':>7} {'greedy met':>10} {'errors':>6} {'impossible':>10}")
    for scenario, seed in [(sc, sd) for sc in args.scenario for sd in args.seeds]:
        req = instance(seed, args.projects, args.institutions, args.slots, args.tables,
                       time_limit=args.time_limit, workers=args.workers, constrained=scenario == "constrained")
        t0 = time.perf_counter()
        agenda = solve(req)
        seconds = time.perf_counter() - t0
        errors = check_agenda(req, agenda)
        ratio = agenda.objective / agenda.greedy_objective if agenda.greedy_objective else float("nan")
        bound = f"{agenda.bound:10.3f}" if agenda.bound is not None else f"{'-':>10}"
        gap = f"{agenda.gap:7.2%}" if agenda.gap is not None else f"{'-':>7}"
        print(f"{scenario:>11} {seed:>4} {seconds:8.2f} {agenda.status:>10} {agenda.objective:10.3f} {bound} {gap} "
              f"{agenda.greedy_objective:10.3f} {ratio:7.4f} "
              f"{agenda.projects_met:>3}/{agenda.projects_coverable:<3} {agenda.greedy_projects_met:>10} "
              f"{len(errors):>6} {len(agenda.impossible):>10}")


if __name__ == "__main__":
    main()

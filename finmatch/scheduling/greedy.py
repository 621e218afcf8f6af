"""Greedy baseline: best-score-first, in fairness rounds.

Must-meets go first (fewest free slots first). Then three passes over the candidate pairs sorted by
score, best first: pass 1 only gives projects their first meeting, pass 2 their second, pass 3 fills
up to the caps. Every pair goes to its earliest slot where both sides and a table are free. The
rounds make the baseline obey the same fairness rule as the CP-SAT model, so the two are comparable,
and its solution is a valid hint for CP-SAT.
"""

from __future__ import annotations

import time
from collections import defaultdict

from finmatch.scheduling.problem import Agenda, Prepared, ScheduleRequest, fairness_key, prepare, unmet_must
from finmatch.scheduling.table_numbers import assign_tables


def greedy_choice(prep: Prepared) -> list[tuple[str, str, int]]:
    """The greedy (project, institution, slot) triples; tables are assigned afterwards."""
    busy_p: dict[str, set[int]] = defaultdict(set)
    busy_i: dict[str, set[int]] = defaultdict(set)
    count_p: dict[str, int] = defaultdict(int)
    count_i: dict[str, int] = defaultdict(int)
    used = list(prep.open_tables)
    for m in prep.fixed:
        count_p[m.project_id] += 1  # held meetings count for the fairness rounds; caps use cap_left
    new_p: dict[str, int] = defaultdict(int)
    chosen: list[tuple[str, str, int]] = []
    met: set[tuple[str, str]] = set()

    def place(pair: tuple[str, str]) -> bool:
        p, i = pair
        if pair in met or new_p[p] >= prep.cap_left_p[p] or count_i[i] >= prep.cap_left_i[i]:
            return False
        for s in prep.candidates[pair]:
            if used[s] > 0 and s not in busy_p[p] and s not in busy_i[i]:
                used[s] -= 1
                busy_p[p].add(s)
                busy_i[i].add(s)
                new_p[p] += 1
                count_p[p] += 1
                count_i[i] += 1
                met.add(pair)
                chosen.append((p, i, s))
                return True
        return False

    for pair in sorted(prep.must_active, key=lambda pr: (len(prep.candidates[pr]), -prep.score[pr], pr)):
        place(pair)
    ranked = sorted(prep.candidates, key=lambda pr: (-prep.score[pr], pr))
    cap = int(prep.request.max_meetings_per_project)
    for limit in (1, 2, cap):
        for pair in ranked:
            if count_p[pair[0]] < limit:
                place(pair)
    return chosen


def solve_greedy(request: ScheduleRequest, prep: Prepared | None = None) -> Agenda:
    """Best-score-first baseline agenda (see module docstring)."""
    t0 = time.perf_counter()
    prep = prep or prepare(request)
    meetings = assign_tables(prep, greedy_choice(prep))
    _, covered, _ = fairness_key(prep, meetings)
    return Agenda(meetings=meetings, objective=sum(m.score for m in meetings), bound=None, gap=None,
                  solver="greedy", status="heuristic", solve_seconds=time.perf_counter() - t0,
                  impossible=unmet_must(prep, meetings), greedy_objective=None, event_id=request.event_id,
                  slot_minutes=request.slot_minutes, start=request.start, projects_met=covered,
                  projects_coverable=len(prep.coverable), greedy_projects_met=covered)

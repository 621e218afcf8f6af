"""CP-SAT agenda solver with a lexicographic fairness objective.

Formulation (after ``prepare`` has removed fixed meetings, unavailable/past slots, blocked and
ineligible pairs): one Boolean ``x[p,i,s]`` per candidate pair (p, i) and slot s where both are free
and a table is left.

Hard constraints
  * each pair meets at most once:                 sum_s x[p,i,s] <= 1
  * nobody is in two places at once:              sum_i x[p,i,s] <= 1,  sum_p x[p,i,s] <= 1
  * tables:                                       sum_{p,i} x[p,i,s] <= tables - fixed meetings in s
  * caps (less what fixed meetings used):         sum x[p,·,·] <= cap_p',  sum x[·,i,·] <= cap_i'
  * ``n[p] = sum_{i,s} x[p,i,s]`` (integer, so the row stays in the LP) and ``covered[p] <= n[p]``
    for each project with >= 1 candidate and no fixed meeting.

Objective, lexicographic, solved in two phases
  1. maximise  W * MUST + COVER,  MUST = honoured must-meets, COVER = sum covered[p],
     W = (#coverable projects + 1), so one must-meet outweighs every coverage gain;
  2. add  W * MUST + COVER >= (phase-1 value)  and maximise  SCORE = sum round(1000 * score) * x.
     2a. first on the slot-free relaxation (``decompose.select_pairs``: one Boolean per pair, caps
         cut to each side's number of free slots, total <= free tables), whose bound is valid for
         the full model; then ``decompose.schedule_pairs`` gives the chosen pairs slots. When that
         works and the relaxation was proved optimal, the agenda is optimal (the usual case).
     2b. otherwise the full slot-indexed model, hinted with the best agenda so far, for the time
         left; bound = min(relaxation bound, full-model bound).
  When phase 1 is already at its maximum, MUST and COVER are posted as hard rows (n[p] >= 1, each
  must-meet == 1) instead of the weighted sum.

Phase 1 is skipped when the greedy hint already reaches its trivial upper bound (every must-meet
honoured, every coverable project met) - the usual case. Why this is the fairness rule: at the
phase-1 optimum every project that can have a meeting has one whenever that is achievable at all,
so no project gets a third (or second) meeting at the expense of a project left with none; when
full coverage is impossible, extra meetings are allowed rather than wasting tables. The bound and
gap reported are phase 2's: bound = fixed scores + best bound / 1000, gap = (bound - obj) / bound
on the new meetings' integer scores (so ``objective``, an exact float sum, may exceed ``bound`` by
rounding, at most 0.0005 per meeting).
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from typing import Any

from ortools.sat.python import cp_model

from finmatch.exceptions import FinmatchError
from finmatch.scheduling.check import check_agenda
from finmatch.scheduling.decompose import Fairness, schedule_pairs, select_pairs
from finmatch.scheduling.greedy import greedy_choice, solve_greedy
from finmatch.scheduling.problem import (
    SCALE,
    Agenda,
    Prepared,
    ScheduleRequest,
    fairness_key,
    prepare,
    unmet_must,
)
from finmatch.scheduling.table_numbers import assign_tables

log = logging.getLogger(__name__)
Triple = tuple[str, str, int]


class _Model:
    """The CP-SAT model of one prepared request."""

    def __init__(self, prep: Prepared, fair_target: int | None) -> None:
        self.prep = prep
        m = self.model = cp_model.CpModel()
        self.x: dict[Triple, cp_model.IntVar] = {}
        by_pair, by_ps, by_is = defaultdict(list), defaultdict(list), defaultdict(list)
        by_s, by_p, by_i = defaultdict(list), defaultdict(list), defaultdict(list)
        for (p, i), slots in prep.candidates.items():
            for s in slots:
                v = m.new_bool_var(f"x[{p},{i},{s}]")
                self.x[(p, i, s)] = v
                by_pair[(p, i)].append(v)
                by_ps[(p, s)].append(v)
                by_is[(i, s)].append(v)
                by_s[s].append(v)
                by_p[p].append(v)
                by_i[i].append(v)
        for group in (by_pair, by_ps, by_is):
            for vs in group.values():
                if len(vs) > 1:
                    m.add_at_most_one(vs)
        for s, vs in by_s.items():
            if len(vs) > prep.open_tables[s]:
                m.add(sum(vs) <= prep.open_tables[s])
        for p, vs in by_p.items():
            if len(vs) > prep.cap_left_p[p]:
                m.add(sum(vs) <= prep.cap_left_p[p])
        for i, vs in by_i.items():
            if len(vs) > prep.cap_left_i[i]:
                m.add(sum(vs) <= prep.cap_left_i[i])
        self.fairness = Fairness(m, prep, by_p, by_pair, fair_target)
        self.score = sum(prep.iscore((p, i)) * v for (p, i, _), v in self.x.items())

    def hint(self, chosen: list[Triple]) -> None:
        self.model.clear_hints()
        on = set(chosen)
        for key, v in self.x.items():
            self.model.add_hint(v, key in on)
        self.fairness.hint(self.model, [p for p, _, _ in chosen])

    def run(self, seconds: float, workers: int) -> tuple[cp_model.CpSolver, Any]:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_workers = max(1, workers)
        solver.parameters.random_seed = 0
        status = solver.solve(self.model)
        return solver, status

    def chosen(self, solver: cp_model.CpSolver) -> list[Triple]:
        return [key for key, v in self.x.items() if solver.boolean_value(v)]


def _fair_value(prep: Prepared, weight: int, chosen: list[Triple]) -> int:
    on = {(p, i) for p, i, _ in chosen}
    must = sum(1 for pair in prep.must_active if pair in on)
    return weight * must + len({p for p, _, _ in chosen} - prep.fixed_covered)


def _iscore(prep: Prepared, chosen: list[Triple]) -> int:
    return sum(prep.iscore((p, i)) for p, i, _ in chosen)


def solve_cpsat(request: ScheduleRequest, prep: Prepared | None = None,
                hint: list[Triple] | None = None) -> Agenda:
    """CP-SAT alone (no fallback to greedy); ``hint`` defaults to the greedy solution."""
    t0 = time.perf_counter()
    deadline = t0 + float(request.time_limit_s)
    workers = request.num_workers
    prep = prep or prepare(request)
    best = greedy_choice(prep) if hint is None else list(hint)
    weight = len(prep.coverable) + 1
    fair_target = _fair_value(prep, weight, best)
    fair_max = weight * len(prep.must_active) + len(prep.coverable - prep.fixed_covered)
    optimal_fair = True
    full: _Model | None = None
    if fair_target < fair_max:  # phase 1: must-meets, then coverage, on the full model
        full = _Model(prep, None)
        full.hint(best)
        full.model.maximize(full.fairness.expr)
        solver, status = full.run(max(0.5, 0.3 * (deadline - time.perf_counter())), workers)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = full.chosen(solver)
            if _fair_value(prep, weight, found) >= fair_target:
                best, fair_target = found, _fair_value(prep, weight, found)
        optimal_fair = status == cp_model.OPTIMAL
        log.info("phase 1: %s fair=%d of at most %d", solver.status_name(status), fair_target, fair_max)

    # phase 2a: slot-free relaxation (bound), then slots for its pairs
    bound_int: float | None = None
    pairs, bound_int, _ = select_pairs(prep, fair_target, [(p, i) for p, i, _ in best],
                                       0.5 * (deadline - time.perf_counter()), workers)
    if pairs is not None and sum(prep.iscore(pr) for pr in pairs) > _iscore(prep, best):
        slotted = schedule_pairs(prep, pairs, max(0.5, 0.3 * (deadline - time.perf_counter())), workers)
        if slotted is not None:
            best = slotted
        log.info("relaxation pairs %s slots", "found" if slotted is not None else "found no")
    # phase 2b: the full slot-indexed model, when the relaxation's solution is not proved optimal
    remaining = deadline - time.perf_counter()
    if (bound_int is None or _iscore(prep, best) < bound_int - 1e-6) and remaining > 0.2:
        if full is None:
            full = _Model(prep, fair_target)
        else:
            full.model.add(full.fairness.expr >= fair_target)
        full.hint(best)
        full.model.maximize(full.score)
        solver, status = full.run(remaining, workers)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = full.chosen(solver)
            if _iscore(prep, found) >= _iscore(prep, best):
                best = found
            full_bound = solver.best_objective_bound
            bound_int = full_bound if bound_int is None else min(bound_int, full_bound)
    obj_int = _iscore(prep, best)
    if bound_int is not None:  # integer objective: a bound of 918.0000000001 means 918
        bound_int = math.floor(bound_int + 1e-6)
    optimal = bound_int is not None and obj_int >= bound_int and optimal_fair
    meetings = assign_tables(prep, best)
    fixed_score = sum(m.score for m in prep.fixed)
    bound = gap = None
    if bound_int is not None:
        bound = fixed_score + bound_int / SCALE
        gap = max(0.0, (bound_int - obj_int) / bound_int) if bound_int > 0 else 0.0
    _, covered, _ = fairness_key(prep, meetings)
    return Agenda(meetings=meetings, objective=sum(m.score for m in meetings), bound=bound, gap=gap,
                  solver="cp-sat", status="optimal" if optimal else "feasible",
                  solve_seconds=time.perf_counter() - t0, impossible=unmet_must(prep, meetings),
                  event_id=request.event_id, slot_minutes=request.slot_minutes, start=request.start,
                  projects_met=covered, projects_coverable=len(prep.coverable))


def solve(request: ScheduleRequest) -> Agenda:
    """CP-SAT with the fairness objective, compared with the greedy baseline in the same call.

    Returns CP-SAT's agenda unless greedy is better by (must-meets honoured, projects met, score) -
    possible only when CP-SAT ran out of time - in which case greedy's agenda is returned with
    ``solver='greedy'`` and a status saying so. Every returned agenda passes ``check_agenda``.
    """
    t0 = time.perf_counter()
    prep = prepare(request)
    greedy = solve_greedy(request, prep)
    fixed = set(prep.fixed)
    cp = solve_cpsat(request, prep, hint=[(m.project_id, m.institution_id, m.slot) for m in greedy.meetings
                                          if m not in fixed])
    cp_key, g_key = fairness_key(prep, cp.meetings), fairness_key(prep, greedy.meetings)
    cp_better = (cp_key[:2], cp.objective) >= (g_key[:2], greedy.objective - 1e-12)
    cp_errors = check_agenda(request, cp)
    if cp_errors:
        log.error("CP-SAT agenda failed its check (%d problems), using greedy: %s", len(cp_errors), cp_errors[:3])
    if cp_better and not cp_errors:
        chosen = cp
    else:
        chosen = greedy
        chosen.status = f"greedy_fallback(cp-sat {cp.status})"
        if cp_key[:2] == g_key[:2] and cp.bound is not None:
            chosen.bound = cp.bound
            free_obj = greedy.objective - sum(m.score for m in prep.fixed)
            free_bound = cp.bound - sum(m.score for m in prep.fixed)
            chosen.gap = max(0.0, (free_bound - free_obj) / free_bound) if free_bound > 0 else 0.0
        errors = check_agenda(request, chosen)
        if errors:
            raise FinmatchError("排程结果未通过约束校验：" + "；".join(errors[:5]))
    chosen.greedy_objective = greedy.objective
    chosen.greedy_projects_met = greedy.projects_met
    chosen.solve_seconds = time.perf_counter() - t0
    return chosen

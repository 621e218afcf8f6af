"""Pair selection first, slots second: the fast path of the CP-SAT solver.

Without the slot index the problem is a degree-constrained pair selection whose LP relaxation is
nearly tight, and slots are interchangeable, so the full slot-indexed model spends its time on
symmetry and proves a weak bound. ``select_pairs`` solves the relaxation that forgets which slot a
meeting takes (keeping each side's number of free slots and the total table capacity), which gives
a valid upper bound for the full problem; ``schedule_pairs`` then looks for slots for the chosen
pairs (an edge colouring with at most ``tables`` meetings per slot). When it succeeds the agenda is
as good as the relaxation's solution, so the relaxation's bound is the agenda's bound.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from finmatch.scheduling.problem import Prepared

Pair = tuple[str, str]
Triple = tuple[str, str, int]
OK = (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _solver(seconds: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = 0
    return solver


class Fairness:
    """The fairness side of a model: per-project meeting counts, covered flags, the phase-1 expression.

    Counts are integer variables equal to the sum of a project's meeting literals. Written this way
    the covering constraints stay linear rows of CP-SAT's LP; written as ``covered <= sum(x)`` presolve
    turns them into clauses, which the LP ignores at the default linearization level, and the bound
    stays at the uncovered optimum (measured: 3-4% gap instead of 0 on the benchmark).
    When ``target`` already equals the maximum (every must-meet honoured, every coverable project
    met), the constraints are posted directly with no covered flags.
    """

    def __init__(self, model: cp_model.CpModel, prep: Prepared, by_p: dict[str, list],
                 by_pair: dict[Pair, list], target: int | None) -> None:
        self.weight = len(prep.coverable) + 1
        self.max = self.weight * len(prep.must_active) + len(prep.coverable - prep.fixed_covered)
        self.count: dict[str, cp_model.IntVar] = {}
        self.covered: dict[str, cp_model.IntVar] = {}
        full = target is not None and target >= self.max
        for p in sorted(prep.coverable - prep.fixed_covered):
            n = self.count[p] = model.new_int_var(1 if full else 0, prep.cap_left_p[p], f"n[{p}]")
            model.add(n == sum(by_p[p]))
            if not full:
                c = self.covered[p] = model.new_bool_var(f"covered[{p}]")
                model.add(n >= c)
        if full:
            for pair in prep.must_active:
                model.add(sum(by_pair[pair]) == 1)
        must = sum(sum(by_pair[pair]) for pair in prep.must_active)
        self.expr = self.weight * must + sum(self.covered.values())
        if target is not None and not full:
            model.add(self.expr >= target)

    def hint(self, model: cp_model.CpModel, projects: list[str]) -> None:
        """Hint counts and flags from the projects of the hinted meetings (one entry per meeting)."""
        counts: dict[str, int] = defaultdict(int)
        for p in projects:
            counts[p] += 1
        for p, n in self.count.items():
            model.add_hint(n, counts[p])
        for p, c in self.covered.items():
            model.add_hint(c, counts[p] > 0)


def select_pairs(prep: Prepared, fair_target: int, hint: list[Pair], seconds: float,
                 workers: int) -> tuple[list[Pair] | None, float | None, bool]:
    """Best pairs of the slot-free relaxation under ``weight*MUST + COVER >= fair_target``.

    Returns (pairs or None, upper bound on the integer score, proved optimal).
    """
    model = cp_model.CpModel()
    y = {pair: model.new_bool_var(f"y[{pair[0]},{pair[1]}]") for pair in prep.candidates}
    by_p: dict[str, list] = defaultdict(list)
    by_i: dict[str, list] = defaultdict(list)
    free_p: dict[str, set[int]] = defaultdict(set)
    free_i: dict[str, set[int]] = defaultdict(set)
    for (p, i), v in y.items():
        by_p[p].append(v)
        by_i[i].append(v)
        free_p[p].update(prep.candidates[(p, i)])
        free_i[i].update(prep.candidates[(p, i)])
    for p, vs in by_p.items():
        model.add(sum(vs) <= min(prep.cap_left_p[p], len(free_p[p])))
    for i, vs in by_i.items():
        model.add(sum(vs) <= min(prep.cap_left_i[i], len(free_i[i])))
    open_slots = set().union(*free_p.values()) if free_p else set()
    model.add(sum(y.values()) <= sum(prep.open_tables[s] for s in open_slots))
    fairness = Fairness(model, prep, by_p, {pair: [v] for pair, v in y.items()}, fair_target)
    model.maximize(sum(prep.iscore(pair) * v for pair, v in y.items()))
    on = set(hint)
    for pair, v in y.items():
        model.add_hint(v, pair in on)
    fairness.hint(model, [p for p, _ in hint])
    solver = _solver(seconds, workers)
    status = solver.solve(model)
    if status not in OK:
        return None, None, False
    pairs = [pair for pair, v in y.items() if solver.boolean_value(v)]
    return pairs, solver.best_objective_bound, status == cp_model.OPTIMAL


def schedule_pairs(prep: Prepared, pairs: list[Pair], seconds: float, workers: int) -> list[Triple] | None:
    """Slots for exactly these pairs (one each), or None when none were found in time."""
    model = cp_model.CpModel()
    by_ps: dict[tuple[str, int], list] = defaultdict(list)
    by_is: dict[tuple[str, int], list] = defaultdict(list)
    by_s: dict[int, list] = defaultdict(list)
    x: dict[Triple, cp_model.IntVar] = {}
    for p, i in pairs:
        options = []
        for s in prep.candidates[(p, i)]:
            v = x[(p, i, s)] = model.new_bool_var(f"x[{p},{i},{s}]")
            options.append(v)
            by_ps[(p, s)].append(v)
            by_is[(i, s)].append(v)
            by_s[s].append(v)
        model.add_exactly_one(options)
    for group in (by_ps, by_is):
        for vs in group.values():
            if len(vs) > 1:
                model.add_at_most_one(vs)
    for s, vs in by_s.items():
        if len(vs) > prep.open_tables[s]:
            model.add(sum(vs) <= prep.open_tables[s])
    solver = _solver(seconds, workers)
    if solver.solve(model) not in OK:
        return None
    return [key for key, v in x.items() if solver.boolean_value(v)]

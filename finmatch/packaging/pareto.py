"""The best package per objective and the Pareto set of alternatives between them.

Alternatives come from the three lexicographic optima plus ε-constraint solves: least cost with
equity held below levels between the least-dilution and the least-cost package's equity, and least
cost with the joint probability held above levels between theirs. Dominated and repeated packages
are dropped; at most ``options.alternatives`` remain, each with its figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from finmatch.packaging.composer import ComposerModel
from finmatch.packaging.figures import dominates, objective_key
from finmatch.packaging.problem import OBJECTIVES, Package, PackageProblem


@dataclass
class Solved:
    problem: PackageProblem
    best: dict[str, Package]
    alternatives: list[Package] = field(default_factory=list)


def solve_objective(problem: PackageProblem, objective: str) -> Package:
    pkg = ComposerModel(problem).solve(objective)
    if pkg is None:  # cannot happen: the empty package is always feasible; keep the contract explicit
        from finmatch.packaging.figures import package_from_parts

        pkg = package_from_parts(problem, [], objective, optimal=False)
    return pkg


def solve_all(problem: PackageProblem, with_alternatives: bool = True) -> Solved:
    best: dict[str, Package] = {o: solve_objective(problem, o) for o in OBJECTIVES}
    if not with_alternatives:
        return Solved(problem, best)
    pool: list[Package] = list(best.values())
    lo_eq, hi_eq = best["dilution"].equity_wan, best["cost"].equity_wan
    for frac in (1 / 3, 2 / 3):
        level = int(lo_eq + (hi_eq - lo_eq) * frac)
        if lo_eq < level < hi_eq:
            pkg = ComposerModel(problem).solve("cost", extra=[("equity", level)])
            if pkg is not None:
                pkg.objective = "balanced"
                pool.append(pkg)
    lo_lp, hi_lp = best["cost"].log_score, best["probability"].log_score
    for frac in (0.5,):
        level = int(lo_lp + (hi_lp - lo_lp) * frac)
        if lo_lp < level < hi_lp:
            pkg = _cost_with_min_logp(problem, level)
            if pkg is not None:
                pkg.objective = "balanced"
                pool.append(pkg)
    return Solved(problem, best, pareto(pool, problem.options.alternatives))


def _cost_with_min_logp(problem: PackageProblem, level: int) -> Package | None:
    model = ComposerModel(problem)
    model.model.add(model.exprs["logp"] >= level)
    return model.solve("cost")


def pareto(pool: list[Package], limit: int) -> list[Package]:
    """Non-dominated, distinct packages, the objective optima first."""
    seen: set[tuple] = set()
    out: list[Package] = []
    for pkg in pool:
        sig = pkg.signature()
        if sig in seen or any(dominates(o, pkg) for o in pool if o is not pkg):
            continue
        seen.add(sig)
        out.append(pkg)
    out.sort(key=lambda p: (p.objective == "balanced", objective_key(p, "cost")))
    return out[:limit]

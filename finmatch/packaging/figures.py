"""A package's figures from its parts alone: cash covered, annual cost, joint probability, dilution.

The solver and the greedy baseline both hand their choice to :func:`package_from_parts`, so the two
are compared on the same arithmetic and no figure is read back from solver variables.
"""

from __future__ import annotations

import math

from finmatch.packaging.problem import LOG_SCALE, YUAN_PER_WAN, Candidate, Package, PackageProblem, Part


def share_pct(c: Candidate) -> int:
    return round(c.subsidy.share * 100) if c.subsidy is not None else 0


def cap_yuan(c: Candidate) -> int | None:
    s = c.subsidy
    if s is None or s.annual_cap_wan is None:
        return None
    return int(round(s.annual_cap_wan * YUAN_PER_WAN))


def premium_yuan(ins: Candidate) -> int:
    return ins.rate_bp * ins.lo


def subsidy_saving(sub: Candidate, target: Candidate, target_amount: int) -> int:
    """Annual 元 a subsidy takes off the cost of the part it supports (grants: 0)."""
    s = sub.subsidy
    if s is None or s.kind == "grant":
        return 0
    if s.kind == "interest":
        base = target_amount if s.principal_cap_wan is None else min(target_amount, int(s.principal_cap_wan))
        value = min(s.pp_bp * base, target.rate_bp * target_amount)
    elif s.kind == "premium":
        value = share_pct(sub) * premium_yuan(target) // 100
    else:
        value = share_pct(sub) * target.rate_bp * target_amount // 100
    cap = cap_yuan(sub)
    return value if cap is None else min(value, cap)


def can_support(sub: Candidate, target: Candidate) -> bool:
    """Whether a guarantee, insurance or subsidy may back ``target``."""
    if sub.family == "guarantee":
        return target.family == "loan"
    if sub.family == "insurance":
        return target.family == "loan"
    s = sub.subsidy
    if s is None or s.kind == "grant":
        return False
    family = {"interest": "loan", "premium": "insurance", "fee": "guarantee"}[s.kind]
    return target.family == family and (s.targets is None or target.product_id in s.targets)


def package_from_parts(problem: PackageProblem, parts: list[Part], objective: str, *, solver: str = "cp-sat",
                       optimal: bool = True, seconds: float = 0.0) -> Package:
    by_id = problem.by_id()
    amounts = {p.product_id: p.amount_wan for p in parts}
    fixed: list[Part] = []
    gross = saving = 0
    for p in parts:
        c = by_id[p.product_id]
        if c.family in ("loan", "guarantee"):
            gross += c.rate_bp * p.amount_wan
        elif c.family == "insurance":
            gross += premium_yuan(c)
        value = 0
        if c.family == "subsidy" and p.supports is not None:
            value = subsidy_saving(c, by_id[p.supports], amounts[p.supports])
            saving += value
        fixed.append(Part(p.product_id, p.family, p.amount_wan, p.supports, value))
    cash = sum(p.amount_wan for p in parts if by_id[p.product_id].is_cash)
    equity = sum(p.amount_wan for p in parts if p.family == "equity")
    loans = sum(p.amount_wan for p in parts if p.family == "loan")
    pre = problem.financials.pre_money_wan
    prob = math.prod(by_id[p.product_id].probability for p in parts) if parts else 0.0
    log_score = sum(log_units(by_id[p.product_id].probability) for p in parts)
    f = problem.financials
    ratio = None
    if f.assets_wan is not None and f.debt_wan is not None:
        assets = f.assets_wan + cash
        ratio = (f.debt_wan + loans) / assets if assets > 0 else None
    order = {"equity": 0, "loan": 1, "guarantee": 2, "insurance": 3, "subsidy": 4}
    fixed.sort(key=lambda p: (order.get(p.family, 9), -p.amount_wan, p.product_id))
    return Package(objective=objective, parts=fixed, need_wan=problem.need_wan, covered_wan=cash,
                   annual_cost_yuan=gross - saving, gross_cost_yuan=gross, probability=prob, equity_wan=equity,
                   equity_share=equity / (pre + equity) if equity else 0.0, debt_ratio_after=ratio,
                   optimal=optimal, solver=solver, solve_seconds=seconds,
                   log_score=log_score)


def objective_key(pkg: Package, objective: str) -> tuple[float, ...]:
    """Lexicographic key, smaller is better: coverage first, then the objective, then the tie-breaks."""
    cost, prob, eq = pkg.annual_cost_yuan, -pkg.log_score, pkg.equity_wan
    keys = {"cost": (cost, eq, prob), "probability": (prob, cost, eq), "dilution": (eq, cost, prob)}
    return (-pkg.covered_wan, *keys[objective])


def log_units(probability: float) -> int:
    """ln p scaled to an integer (the solver maximises the sum of these: the product of probabilities)."""
    return round(LOG_SCALE * math.log(min(1.0, max(probability, 1e-6))))


def dominates(a: Package, b: Package) -> bool:
    """a is no worse than b on coverage, cost, probability and dilution, and better on one."""
    av = (-a.covered_wan, a.annual_cost_yuan, -a.probability, a.equity_wan)
    bv = (-b.covered_wan, b.annual_cost_yuan, -b.probability, b.equity_wan)
    return all(x <= y + 1e-12 for x, y in zip(av, bv, strict=True)) and any(
        x < y - 1e-12 for x, y in zip(av, bv, strict=True))

"""The greedy baseline: the best-scored product of each family, then fill the need in a fixed order.

What a person assembling a package by hand does, and what the exact composer is measured against:
take the top-ranked product of every family (per subsidy kind), fill the cash need in the order the
objective suggests (cost: grant, equity, loan; dilution: grant, loan, equity; probability: the most
probable cash product first), each up to its bounds, the debt headroom and the dilution cap, then
attach the guarantee, insurance and subsidies to the parts they back.
"""

from __future__ import annotations

import math
import time

from finmatch.packaging.figures import can_support, package_from_parts, subsidy_saving
from finmatch.packaging.problem import Candidate, Package, PackageProblem, Part


def _top_per_group(problem: PackageProblem) -> dict[str, Candidate]:
    best: dict[str, Candidate] = {}
    for c in sorted(problem.candidates, key=lambda c: (-c.score, c.product_id)):
        best.setdefault(c.group, c)
    return best


def _debt_headroom(problem: PackageProblem, loan: Candidate, other_cash: int) -> int:
    """Most new loan principal under every applicable debt-ratio cap (a large number when unknown)."""
    f = problem.financials
    if f.assets_wan is None or f.debt_wan is None:
        return problem.need_wan
    caps = [c for pid, c in problem.debt_caps() if pid is None or pid == loan.product_id]
    room = problem.need_wan
    for cap in caps:
        permille = int(math.floor(cap * 1000 + 1e-9))
        if permille >= 1000:
            continue
        rhs = math.floor(permille * f.assets_wan - 1000 * f.debt_wan + 1e-6) + permille * other_cash
        room = min(room, rhs // (1000 - permille))
    return max(room, 0)


def solve_greedy(problem: PackageProblem, objective: str = "cost") -> Package:
    start = time.perf_counter()
    top = _top_per_group(problem)
    order = {"cost": ("subsidy:grant", "equity", "loan"), "dilution": ("subsidy:grant", "loan", "equity"),
             "probability": tuple(sorted(("subsidy:grant", "equity", "loan"),
                                         key=lambda g: -(top[g].probability if g in top else -1)))}[objective]
    guarantee = top.get("guarantee")
    remaining = problem.need_wan
    parts: dict[str, Part] = {}
    other_cash = 0
    for group in order:
        c = top.get(group)
        if c is None or remaining <= 0:
            continue
        hi = min(c.hi, remaining)
        if c.family == "equity":
            hi = min(hi, problem.equity_limit_wan())
        if c.family == "loan":
            hi = min(hi, _debt_headroom(problem, c, other_cash))
            if c.needs_guarantee:
                if guarantee is None:
                    continue
                hi = min(hi, guarantee.hi)
                if hi < guarantee.lo:
                    continue
        if hi < c.lo:
            continue
        parts[c.product_id] = Part(c.product_id, c.family, hi)
        remaining -= hi
        if c.family != "loan":
            other_cash += hi
    loan = next((p for p in parts.values() if p.family == "loan"), None)
    by_id = problem.by_id()
    if loan is not None:
        lc = by_id[loan.product_id]
        if guarantee is not None and (lc.needs_guarantee or objective == "dilution"):
            amount = min(guarantee.hi, loan.amount_wan)
            if amount >= guarantee.lo and (not lc.needs_guarantee or amount >= loan.amount_wan):
                parts[guarantee.product_id] = Part(guarantee.product_id, "guarantee", amount, loan.product_id)
        ins = top.get("insurance")
        if ins is not None and problem.options.insurance_with_loan:
            parts[ins.product_id] = Part(ins.product_id, "insurance", ins.lo, loan.product_id)
    if objective != "probability":
        for c in top.values():
            if c.family != "subsidy" or c.is_cash:
                continue
            amounts = {p.product_id: p.amount_wan for p in parts.values()}
            targets = [by_id[t] for t in parts if can_support(c, by_id[t])]
            if targets:
                t = max(targets, key=lambda t: (subsidy_saving(c, t, amounts[t.product_id]), t.product_id))
                parts[c.product_id] = Part(c.product_id, "subsidy", 0, t.product_id)
    return package_from_parts(problem, list(parts.values()), objective, solver="greedy",
                              seconds=time.perf_counter() - start)

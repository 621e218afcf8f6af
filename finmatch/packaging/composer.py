"""The exact composer: CP-SAT over amounts in 万元 steps, every constraint of the package as a row.

Variables: ``y[j]`` (product j is in the package), ``a[j]`` (its amount, 万元) for equity, loans,
guarantees and grants; insurance has a fixed sum insured; ``link[s, t]`` (part s backs part t: a
guarantee or an insurance a loan, a subsidy the loan / policy / guarantee it subsidises); ``v[s]``
(元 a year a subsidy takes off).

Rows (the names are the ``relax`` keys used to find which constraint binds):
  * bounds        lo·y ≤ a ≤ hi·y  (hi already holds the ticket, the remaining budget and the need)
  * need          Σ cash ≤ need  (cash = equity + loans + grants)
  * family        Σ_{j in group} y ≤ limit (1 unless allowed; subsidies count per kind)
  * attach        Σ_t link[g,t] = y_g for guarantees and non-grant subsidies; link ≤ y_t;
                  a_g ≤ a_t when g guarantees t; an insurance backs a loan when both are in
  * collateral    a loan needing collateral the firm lacks: y_t ≤ Σ_g link[g,t] and a_g ≥ a_t
  * debt          (1000 - c)·L - c·(E + G) ≤ c·A - 1000·D per cap c (in ‰) of each loan present
                  and the user's cap; A, D estimated (terms.estimate_financials), skipped if unknown
  * dilution      Σ equity ≤ cap / (1 - cap) · pre-money
  * insurance     with a loan in the package, one insurance when any is eligible (option)
  * savings       v_s ≤ its formula on the linked part (figures.subsidy_saving), ≤ its cap
Objectives are lexicographic, one CP-SAT solve per level with the previous levels fixed:
  coverage (max Σ cash) first, then the chosen objective, then the other two as tie-breaks.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Any

from ortools.sat.python import cp_model

from finmatch.exceptions import FinmatchError
from finmatch.packaging.figures import (
    can_support,
    cap_yuan,
    log_units,
    package_from_parts,
    premium_yuan,
    share_pct,
)
from finmatch.packaging.problem import GUARANTEE_COVER, Candidate, Package, PackageProblem, Part

LEVELS: dict[str, tuple[str, str, str]] = {"cost": ("cost", "equity", "logp"),
                                           "probability": ("logp", "cost", "equity"),
                                           "dilution": ("equity", "cost", "logp")}
RELAXABLE = ("debt", "dilution", "family", "insurance", "collateral")


class ComposerModel:
    """The CP-SAT model of one problem; ``relax`` drops named constraint groups (for explanations)."""

    def __init__(self, problem: PackageProblem, relax: Iterable[str] = ()) -> None:
        self.problem = problem
        self.relax = set(relax)
        m = self.model = cp_model.CpModel()
        cands = prune_dominated(problem, self.relax)
        self.cands = {c.product_id: c for c in cands}
        self.y = {c.product_id: m.new_bool_var(f"y[{c.product_id}]") for c in cands}
        self.a: dict[str, cp_model.LinearExprT] = {}
        for c in cands:
            if c.family == "insurance" or (c.family == "subsidy" and not c.is_cash):
                self.a[c.product_id] = c.lo * self.y[c.product_id]
                continue
            var = m.new_int_var(0, max(c.hi, 0), f"a[{c.product_id}]")
            m.add(var >= c.lo * self.y[c.product_id])
            m.add(var <= c.hi * self.y[c.product_id])
            self.a[c.product_id] = var
        self._links()
        self._rows()
        self.exprs = self._objectives()

    # -- structure ---------------------------------------------------------------------------------
    def _links(self) -> None:
        m, y = self.model, self.y
        self.link: dict[tuple[str, str], cp_model.IntVar] = {}
        self.v: dict[str, cp_model.IntVar] = {}
        cands = list(self.cands.values())
        for s in cands:
            if s.family not in ("guarantee", "insurance", "subsidy") or (s.family == "subsidy" and s.is_cash):
                continue
            targets = [t for t in cands if t.product_id != s.product_id and can_support(s, t)]
            links = []
            for t in targets:
                b = m.new_bool_var(f"link[{s.product_id},{t.product_id}]")
                m.add_implication(b, y[t.product_id])
                self.link[(s.product_id, t.product_id)] = b
                links.append(b)
            if s.family == "insurance":
                m.add(sum(links) <= y[s.product_id])
                continue
            m.add(sum(links) == y[s.product_id])  # a guarantee / subsidy needs the part it backs
            if s.family == "guarantee":
                for t in targets:
                    b = self.link[(s.product_id, t.product_id)]
                    m.add(self.a[s.product_id] <= self.a[t.product_id]).only_enforce_if(b)
            else:
                self._saving(s, targets)
        # an insurance backs a loan of the package whenever there is one
        loans = [c.product_id for c in cands if c.family == "loan"]
        self.any_loan = m.new_bool_var("any_loan")
        for k in loans:
            m.add_implication(y[k], self.any_loan)
        m.add(self.any_loan <= sum(y[k] for k in loans))
        for s in cands:
            if s.family == "insurance":
                backs = [b for (i, _), b in self.link.items() if i == s.product_id]
                m.add(sum(backs) >= y[s.product_id] + self.any_loan - 1)
        for k in loans:
            t = self.cands[k]
            if not t.needs_guarantee or "collateral" in self.relax:
                continue
            gs = [self.link[(g, k)] for g in self.cands if (g, k) in self.link and self.cands[g].family == "guarantee"]
            m.add(y[k] <= sum(gs))
            for g in (g for g in self.cands if (g, k) in self.link and self.cands[g].family == "guarantee"):
                b = self.link[(g, k)]
                need = self.a[k] if GUARANTEE_COVER >= 1 else self.a[k] * GUARANTEE_COVER
                m.add(self.a[g] >= need).only_enforce_if(b)

    def _saving(self, s: Candidate, targets: list[Candidate]) -> None:
        m, sub = self.model, s.subsidy
        assert sub is not None
        bound = 0
        for t in targets:
            if sub.kind == "interest":
                bound = max(bound, min(sub.pp_bp, t.rate_bp) * t.hi)
            elif sub.kind == "premium":
                bound = max(bound, share_pct(s) * premium_yuan(t) // 100)
            else:
                bound = max(bound, share_pct(s) * t.rate_bp * t.hi // 100)
        cap = cap_yuan(s)
        if cap is not None:
            bound = min(bound, cap)
        if sub.kind == "interest" and sub.principal_cap_wan is not None:
            bound = min(bound, sub.pp_bp * int(sub.principal_cap_wan))
        v = self.v[s.product_id] = m.new_int_var(0, max(bound, 0), f"v[{s.product_id}]")
        parts = []
        for t in targets:
            # v[s,t]: the saving on t, 0 unless s backs t; z: t's amount when s backs it, else 0
            b = self.link[(s.product_id, t.product_id)]
            at: Any = self.a[t.product_id]
            if sub.kind == "premium":
                one = min(bound, share_pct(s) * premium_yuan(t) // 100)
                vt = m.new_int_var(0, max(one, 0), f"v[{s.product_id},{t.product_id}]")
                m.add(vt <= one * b)
                parts.append(vt)
                continue
            z = m.new_int_var(0, max(t.hi, 0), f"z[{s.product_id},{t.product_id}]")
            m.add(z <= t.hi * b)
            m.add(z <= at)
            m.add(z >= at - t.hi * (1 - b))
            vt = m.new_int_var(0, max(bound, 0), f"v[{s.product_id},{t.product_id}]")
            m.add(vt <= bound * b)
            if sub.kind == "interest":
                m.add(vt <= sub.pp_bp * z)
                m.add(vt <= t.rate_bp * z)
            else:
                m.add(100 * vt <= share_pct(s) * t.rate_bp * z)
            parts.append(vt)
        m.add(v == sum(parts))
        m.add(v <= bound * self.y[s.product_id])

    def _rows(self) -> None:
        m, y, a, p = self.model, self.y, self.a, self.problem
        cands = list(self.cands.values())
        groups: dict[str, list[str]] = {}
        for c in cands:
            groups.setdefault(c.group, []).append(c.product_id)
        if "family" not in self.relax:
            for g, ids in groups.items():
                m.add(sum(y[j] for j in ids) <= p.options.limit(g))
        cash = [a[c.product_id] for c in cands if c.is_cash]
        self.cash = sum(cash) if cash else 0
        m.add(self.cash <= p.need_wan)
        loans = [c for c in cands if c.family == "loan"]
        equity = [a[c.product_id] for c in cands if c.family == "equity"]
        grants = [a[c.product_id] for c in cands if c.is_cash and c.family == "subsidy"]
        if equity and "dilution" not in self.relax:
            m.add(sum(equity) <= p.equity_limit_wan())
        insurances = [c for c in cands if c.family == "insurance"]
        if p.options.insurance_with_loan and insurances and loans and "insurance" not in self.relax:
            m.add(sum(y[c.product_id] for c in insurances) >= self.any_loan)
        f = p.financials
        if loans and f.assets_wan is not None and f.debt_wan is not None and "debt" not in self.relax:
            total_loans: Any = sum(a[c.product_id] for c in loans)
            other: Any = sum([*equity, *grants]) if (equity or grants) else 0
            for pid, cap in p.debt_caps():
                if pid is not None and pid not in y:
                    continue  # pruned as dominated
                permille = int(math.floor(cap * 1000 + 1e-9))
                rhs = int(math.floor(permille * f.assets_wan - 1000 * f.debt_wan + 1e-6))
                row = m.add((1000 - permille) * total_loans - permille * other <= rhs)
                row.only_enforce_if(y[pid] if pid is not None else self.any_loan)

    def _objectives(self) -> dict[str, Any]:
        y, a = self.y, self.a
        cost_terms: list[Any] = []
        for c in self.cands.values():
            if c.family in ("loan", "guarantee"):
                cost_terms.append(c.rate_bp * a[c.product_id])
            elif c.family == "insurance":
                cost_terms.append(premium_yuan(c) * y[c.product_id])
        cost: Any = sum(cost_terms) - sum(self.v.values()) if (cost_terms or self.v) else 0
        equity = [a[c.product_id] for c in self.cands.values() if c.family == "equity"]
        logp = sum(log_units(c.probability) * y[c.product_id] for c in self.cands.values()) if self.cands else 0
        return {"cost": cost, "equity": sum(equity) if equity else 0, "logp": logp}

    # -- solving -----------------------------------------------------------------------------------
    def solve(self, objective: str, time_limit_s: float | None = None,
              extra: list[tuple[str, int]] | None = None) -> Package | None:
        """Lexicographic solve; ``extra`` adds (expression name, upper bound) rows (ε-constraints)."""
        start = time.perf_counter()
        if not self.cands:
            return package_from_parts(self.problem, [], objective)
        limit = time_limit_s if time_limit_s is not None else self.problem.options.time_limit_s
        for name, bound in extra or []:
            self.model.add(self.exprs[name] <= bound)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        optimal = True
        levels: list[tuple[cp_model.LinearExprT, bool]] = [(self.cash, True)]
        levels += [(self.exprs[n], n == "logp") for n in LEVELS[objective]]
        parts: list[Part] | None = None
        values: list[int] | None = None
        for expr, maximise in levels:
            if isinstance(expr, int):
                continue
            self.model.clear_objective()
            self.model.clear_hints()
            if values is not None:  # the previous level's solution is feasible here: start from it
                for i, v in enumerate(values):
                    self.model.add_hint(self.model.get_int_var_from_proto_index(i), v)
            (self.model.maximize if maximise else self.model.minimize)(expr)
            solver.parameters.max_time_in_seconds = max(0.05, limit - (time.perf_counter() - start))
            status = solver.solve(self.model)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if parts is None:
                    return None
                optimal = False  # out of time on a tie-break level: keep the last solution
                break
            optimal = optimal and status == cp_model.OPTIMAL
            value = int(round(solver.objective_value))
            self.model.add(expr >= value if maximise else expr <= value)
            parts = self._parts(solver)
            values = [int(solver.value(self.model.get_int_var_from_proto_index(i)))
                      for i in range(len(self.model.proto.variables))]
        return package_from_parts(self.problem, parts or [], objective, optimal=optimal,
                                  seconds=time.perf_counter() - start)

    def _parts(self, solver: cp_model.CpSolver) -> list[Part]:
        parts = []
        for pid, c in self.cands.items():
            if not solver.boolean_value(self.y[pid]):
                continue
            supports = next((t for (s, t), b in self.link.items() if s == pid and solver.boolean_value(b)), None)
            parts.append(Part(pid, c.family, int(solver.value(self.a[pid])), supports))
        return parts


def _dominates(a: Candidate, b: Candidate) -> bool:
    """a can replace b in any package (one product per group): bounds at least as wide, terms no worse."""
    if a.family != b.family or a.kind != b.kind:
        return False
    if a.family == "subsidy":
        return _subsidy_dominates(a, b)
    wide = a.lo == b.lo if a.family == "insurance" else a.lo <= b.lo and a.hi >= b.hi
    cap_a = 1.0 if a.max_debt_ratio is None else a.max_debt_ratio
    cap_b = 1.0 if b.max_debt_ratio is None else b.max_debt_ratio
    return (wide and a.rate_bp <= b.rate_bp and log_units(a.probability) >= log_units(b.probability)
            and cap_a >= cap_b and a.needs_guarantee <= b.needs_guarantee)


def _subsidy_dominates(a: Candidate, b: Candidate) -> bool:
    sa, sb = a.subsidy, b.subsidy
    if sa is None or sb is None or sa.kind != sb.kind:
        return False

    def ge(x: float | None, y: float | None) -> bool:  # None = no limit
        return x is None or (y is not None and x >= y)

    targets = sa.targets is None or (sb.targets is not None and sb.targets <= sa.targets)
    return (targets and sa.pp_bp >= sb.pp_bp and sa.share >= sb.share and ge(sa.annual_cap_wan, sb.annual_cap_wan)
            and ge(sa.principal_cap_wan, sb.principal_cap_wan) and a.lo <= b.lo and a.hi >= b.hi
            and log_units(a.probability) >= log_units(b.probability))


def prune_dominated(problem: PackageProblem, relax: set[str]) -> list[Candidate]:
    """Drop products another one of the same group dominates (exact when the group takes one product)."""
    kept: list[Candidate] = []
    for c in problem.candidates:  # best score first, so among equals the better-ranked one stays
        if "family" not in relax and problem.options.limit(c.group) == 1 and any(_dominates(k, c) for k in kept):
            continue
        kept.append(c)
    return kept


def compose(problem: PackageProblem, objective: str = "cost", relax: Iterable[str] = (),
            extra: list[tuple[str, int]] | None = None) -> Package | None:
    """The best package for one objective (None only when the model itself is infeasible)."""
    if objective not in LEVELS:
        raise FinmatchError(f"未知的优化目标 {objective}，可选 cost、probability、dilution", field="objective")
    return ComposerModel(problem, relax).solve(objective, extra=extra)

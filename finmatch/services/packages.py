"""Package use cases for the CLI, the API and the pages: one 投贷保担补 package per project.

The matching engine gives the eligible products and their calibrated probabilities; loans whose only
failed clause is collateral (the firm has none) are scored too, since a guarantee can make them
possible. The JSON shape is the contract of issue 13 (README "finmatch package").
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from finmatch.auth import Principal
from finmatch.enums import Certification
from finmatch.exceptions import FinmatchError, NotFoundError
from finmatch.matching import MatchResult, PairScorer
from finmatch.packaging import (
    OBJECTIVE_LABELS,
    OBJECTIVES,
    Package,
    PackageOptions,
    PackageProblem,
    build_problem,
    solve_all,
)
from finmatch.packaging.composer import compose
from finmatch.packaging.explain import binding, family_label, part_reasons, pct, steps, uncovered_reason
from finmatch.packaging.figures import premium_yuan
from finmatch.packaging.problem import YUAN_PER_WAN
from finmatch.services.matching import jsonable, match_frames, project_frame, read_request_file
from finmatch.settings import Settings

log = logging.getLogger(__name__)
WHAT_IF_REVENUE_FACTOR = 1.5
WHAT_IF_NEED_FACTOR = 0.8


def check_objective(objective: str) -> str:
    if objective not in OBJECTIVES:
        raise FinmatchError(f"未知的优化目标 '{objective}'，可选 cost（成本最低）、probability（概率最高）、"
                            "dilution（稀释最少）", field="objective")
    return objective


PARTIAL_CLAUSES = frozenset({"amount_max_wan", "budget_wan"})


def partial_products(result: MatchResult, project_id: str) -> tuple[list[str], list[str]]:
    """Products that fail only because the whole need is larger than their ticket or remaining budget
    (they can still cover part of it), and loans that also or only lack the firm's collateral (a
    guarantee can stand in). Returns (all such products, the loans that need a guarantee)."""
    elig = result.eligibility
    i = elig.project_ids.index(project_id)
    extra: list[str] = []
    guarded: list[str] = []
    for j, pid in enumerate(elig.product_ids):
        if elig.eligible[i, j]:
            continue
        failed = set(elig.failed_fields(project_id, pid))
        is_loan = result.products.at[pid, "family"] == "loan"
        if is_loan and "requires_collateral" in failed:
            failed.discard("requires_collateral")
            if failed <= PARTIAL_CLAUSES:
                guarded.append(pid)
                extra.append(pid)
        elif failed <= PARTIAL_CLAUSES:
            extra.append(pid)
    return extra, guarded


def problem_for(result: MatchResult, scorer: PairScorer, project_id: str, settings: Settings,
                options: PackageOptions | None = None, need_wan: float | None = None) -> PackageProblem:
    """The package problem of one matched project (collateral-only loans scored and marked)."""
    sub = result.scores[result.scores["project_id"] == project_id]
    probs = {str(r.product_id): (float(r.score), float(r.probability)) for r in sub.itertuples(index=False)}
    extra, guarded = partial_products(result, project_id)
    if extra:
        pairs = pd.DataFrame({"project_id": [project_id] * len(extra), "product_id": extra})
        scored = scorer.score_pairs(result.projects, result.products, pairs, margins=None)
        for k, pid in enumerate(extra):
            probs[pid] = (float(scored.score[k]), float(scored.probability[k]))
    products = result.products
    rows = {pid: products.loc[pid].to_dict() for pid in probs}
    project = result.projects.loc[project_id].to_dict()
    return build_problem(project, rows, probs, today=settings.effective_today(), options=options,
                         needs_guarantee=guarded, need_wan=need_wan)


def _wan(yuan: int) -> float:
    return round(yuan / YUAN_PER_WAN, 2)


def _part_json(problem: PackageProblem, pkg: Package, reasons: dict[str, str] | None) -> list[dict[str, Any]]:
    by_id = problem.by_id()
    out = []
    for p in pkg.parts:
        c = by_id[p.product_id]
        cost = 0
        if c.family in ("loan", "guarantee"):
            cost = c.rate_bp * p.amount_wan
        elif c.family == "insurance":
            cost = premium_yuan(c)
        out.append({"product_id": p.product_id, "family": p.family, "amount_wan": p.amount_wan,
                    "supports": p.supports, "product_name": c.name, "kind": c.kind,
                    "family_label": family_label(c), "institution_id": c.institution_id,
                    "institution_name": c.institution_name, "probability": round(c.probability, 4),
                    "rate_pct": round(c.rate_bp / 100, 4) if c.family in ("loan", "guarantee", "insurance") else None,
                    "annual_cost_wan": _wan(cost), "saving_wan": _wan(p.saving_yuan),
                    "cash": c.is_cash, "reason": (reasons or {}).get(p.product_id)})
    return out


def _figures(problem: PackageProblem, pkg: Package) -> dict[str, Any]:
    return {"objective": pkg.objective, "status": pkg.status, "covered_wan": pkg.covered_wan,
            "uncovered_wan": pkg.uncovered_wan, "annual_cost_wan": _wan(pkg.annual_cost_yuan),
            "gross_cost_wan": _wan(pkg.gross_cost_yuan), "subsidy_wan": _wan(pkg.gross_cost_yuan - pkg.annual_cost_yuan),
            "cost_rate": round(pkg.annual_cost_yuan / YUAN_PER_WAN / pkg.covered_wan, 6) if pkg.covered_wan else None,
            "probability": round(pkg.probability, 6), "equity_wan": pkg.equity_wan,
            "equity_share": round(pkg.equity_share, 6),
            "debt_ratio_after": None if pkg.debt_ratio_after is None else round(pkg.debt_ratio_after, 4),
            "optimal": pkg.optimal, "solve_seconds": round(pkg.solve_seconds, 4)}


def package_json(problem: PackageProblem, objective: str, *, match_reasons: dict[str, list[str]] | None = None,
                 with_alternatives: bool = True, explain: bool = True) -> dict[str, Any]:
    """One project's entry of the contract: the chosen objective's package, the others, the Pareto set."""
    solved = solve_all(problem, with_alternatives=with_alternatives)
    pkg = solved.best[objective]
    reasons = part_reasons(problem, pkg, match_reasons or {})
    notes = list(problem.financials.notes)
    text: list[str] = [reasons[p.product_id] and f"「{problem.by_id()[p.product_id].name}」：{reasons[p.product_id]}"
                       for p in pkg.parts]
    why = uncovered_reason(problem, pkg)
    if why:
        text.append(why)
    constraints = binding(problem, pkg) if explain else []
    out = {"project_id": problem.project_id, "need_wan": problem.need_wan, **_figures(problem, pkg),
           "objective_label": OBJECTIVE_LABELS[objective],
           "parts": _part_json(problem, pkg, reasons), "steps": steps(problem, pkg),
           "reasons": text + constraints, "constraints": constraints, "assumptions": notes,
           "dilution_cap": problem.options.dilution_cap, "pre_money_wan": round(problem.financials.pre_money_wan, 2),
           "unusable": [{"product_id": pid, "reason": r} for pid, r in problem.unusable],
           "best": {o: {**_figures(problem, p), "parts": _part_json(problem, p, None)}
                    for o, p in solved.best.items()},
           "alternatives": [{**_figures(problem, p), "objective_label": OBJECTIVE_LABELS.get(p.objective, "折中方案"),
                             "parts": _part_json(problem, p, None)} for p in solved.alternatives]}
    if not problem.candidates:
        out["reasons"] = ["没有符合准入条件的金融产品，无法组合融资方案", *out["reasons"]]
    return out


def _match_reasons(result: MatchResult, project_id: str) -> dict[str, list[str]]:
    rows = result.ranked_rows(project_id)
    ids = result.scores["product_id"].to_numpy(dtype=object)[rows]
    return {str(pid): list(r) for pid, r in zip(ids, result.reasons_at(rows), strict=True)}


def what_if(projects: pd.DataFrame, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
            project_id: str, objective: str, base: Package, options: PackageOptions | None,
            result: MatchResult) -> list[dict[str, Any]]:
    """Re-solve after one change to the project: more revenue, a certification, a lower need."""
    row = projects.loc[project_id]
    changes: list[tuple[str, str, dict[str, Any]]] = []
    revenue = row.get("annual_revenue_wan")
    if isinstance(revenue, int | float) and revenue == revenue and revenue > 0:
        new = round(float(revenue) * WHAT_IF_REVENUE_FACTOR, 2)
        changes.append(("more_revenue", f"若上年营业收入增加 50%（至 {new:,.0f} 万元）",
                        {"annual_revenue_wan": new}))
    have = set(row.get("certifications") or ())
    unlock = [w for w in result.eligibility.project_what_if(project_id) if w.change == "obtain_certification"]
    unlock.sort(key=lambda w: -len(w.product_ids))
    for w in unlock[:2]:
        cert = str(w.params.get("certification"))
        if cert and cert not in have:
            changes.append(("certification", f"若取得{Certification(cert).label}认定",
                            {"certifications": tuple(sorted(have | {cert}))}))
    need = float(row["funding_need_wan"])
    lower = base.covered_wan if base.uncovered_wan > 0 and base.covered_wan > 0 else round(need * WHAT_IF_NEED_FACTOR)
    if 0 < lower < need:
        changes.append(("lower_need", f"若融资需求降至 {lower:,} 万元", {"funding_need_wan": float(lower)}))
    out = []
    for change, description, patch in changes:
        frame = projects.loc[[project_id]].copy()
        for k, v in patch.items():
            frame[k] = pd.Series([v], index=frame.index, dtype=object)
        res = match_frames(frame, products, scorer, settings)
        pkg = compose(problem_for(res, scorer, project_id, settings, options), objective)
        if pkg is None:
            continue
        effect = _effect(base, pkg)
        out.append({"change": change, "description": description, "effect": effect, "params": patch,
                    "covered_wan": pkg.covered_wan, "uncovered_wan": pkg.uncovered_wan,
                    "annual_cost_wan": _wan(pkg.annual_cost_yuan), "probability": round(pkg.probability, 6),
                    "equity_share": round(pkg.equity_share, 6),
                    "parts": [{"product_id": p.product_id, "family": p.family, "amount_wan": p.amount_wan,
                               "supports": p.supports} for p in pkg.parts]})
    return jsonable(out)


def _effect(base: Package, new: Package) -> str:
    bits = []
    if new.covered_wan != base.covered_wan:
        bits.append(f"可覆盖资金由 {base.covered_wan:,} 万元变为 {new.covered_wan:,} 万元")
    if new.annual_cost_yuan != base.annual_cost_yuan:
        bits.append(f"年综合成本由 {_wan(base.annual_cost_yuan):,.2f} 万元变为 {_wan(new.annual_cost_yuan):,.2f} 万元")
    if abs(new.probability - base.probability) > 1e-6:
        bits.append(f"全部落地概率由 {pct(base.probability)} 变为 {pct(new.probability)}")
    if new.signature() != base.signature() and not bits:
        bits.append("产品组合有变化，主要指标不变")
    return "；".join(bits) or "方案不变"


def project_package(projects: pd.DataFrame, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
                    project_id: str, objective: str = "cost", options: PackageOptions | None = None,
                    with_what_if: bool = True) -> dict[str, Any]:
    """The CPU-bound view of one project (frames already read): the contract plus names and what-ifs."""
    check_objective(objective)
    result = match_frames(projects, products, scorer, settings)
    problem = problem_for(result, scorer, project_id, settings, options)
    entry = package_json(problem, objective, match_reasons=_match_reasons(result, project_id))
    entry["project_name"] = str(projects.loc[project_id, "name"])
    if with_what_if and problem.candidates:
        base = compose(problem, objective)
        entry["what_if"] = what_if(projects, scorer, settings, products, project_id, objective, base, options,
                                   result) if base is not None else []
    else:
        entry["what_if"] = []
    return jsonable({"model": result.model, "packages": {project_id: entry}})


def project_packages(session: Session, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
                     project_id: str, **kwargs: Any) -> dict[str, Any]:
    return project_package(project_frame(session, project_id), scorer, settings, products, project_id, **kwargs)


def redact(view: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """An institution sees every package but only its own products' terms (rate, cost, saving)."""
    if principal.is_staff:
        return view

    def strip(figures: dict[str, Any]) -> None:
        priced = False
        for part in figures.get("parts", []):
            if not principal.owns(part.get("institution_id")):
                priced = priced or part["family"] != "equity"
                part["rate_pct"] = part["annual_cost_wan"] = part["saving_wan"] = None
                part["terms_hidden"] = True
                if part.get("reason"):
                    part["reason"] = None
        if priced:  # totals would give away another institution's rate: hide them too
            for k in ("annual_cost_wan", "gross_cost_wan", "subsidy_wan", "cost_rate"):
                if k in figures:
                    figures[k] = None
            figures["costs_hidden"] = True

    for entry in view.get("packages", {}).values():
        names = [p["product_name"] for p in entry.get("parts", [])]
        strip(entry)
        own = [p["product_name"] for p in entry.get("parts", []) if not p.get("terms_hidden")]
        entry["reasons"] = [r for r in entry.get("reasons", []) if any(n in r for n in own)
                            or not any(n in r for n in names)]
        if entry.get("costs_hidden"):
            entry["reasons"] = [r for r in entry["reasons"] if "成本" not in r]
            for w in entry.get("what_if", []):
                w["annual_cost_wan"] = None
                w["effect"] = "；".join(b for b in w.get("effect", "").split("；") if "成本" not in b) or "见方案构成"
        for alt in [*entry.get("alternatives", []), *entry.get("best", {}).values()]:
            strip(alt)
    return view


def packages_file(path: Path, settings: Settings, scorer: PairScorer, objective: str = "cost") -> dict[str, Any]:
    """``finmatch package --input FILE``: every project of the file against its products or the catalogue."""
    check_objective(objective)
    projects, products = read_request_file(path, settings, empty="没有可组合的金融产品：文件和数据库中都没有产品")
    return packages_for_frames(projects, products, scorer, settings, objective)


def packages_for_frames(projects: pd.DataFrame, products: pd.DataFrame, scorer: PairScorer, settings: Settings,
                        objective: str = "cost", options: PackageOptions | None = None,
                        with_alternatives: bool = True) -> dict[str, Any]:
    """Every project of the frame, one match run for all (the contract object)."""
    result = match_frames(projects, products, scorer, settings)
    out: dict[str, Any] = {}
    for pid in result.projects.index:
        problem = problem_for(result, scorer, str(pid), settings, options)
        entry = package_json(problem, objective, match_reasons=_match_reasons(result, str(pid)),
                             with_alternatives=with_alternatives, explain=with_alternatives)
        entry["project_name"] = str(result.projects.loc[pid, "name"])
        out[str(pid)] = entry
    return jsonable({"model": result.model, "packages": out})


def must_meets_from_packages(packages: dict[str, Any], limit: int | None = None) -> list[tuple[str, str]]:
    """(project, institution) pairs each project must meet: the institutions of its package's parts,
    cash providers first, then guarantee, insurance and subsidies (at most ``limit`` per project)."""
    order = {"loan": 0, "equity": 1, "guarantee": 2, "insurance": 3, "subsidy": 4}
    out: list[tuple[str, str]] = []
    for pid, entry in packages.items():
        parts = sorted(entry.get("parts", []), key=lambda p: (order.get(p["family"], 9), -p["amount_wan"]))
        seen: list[str] = []
        for p in parts:
            inst = p.get("institution_id")
            if inst and inst not in seen:
                seen.append(inst)
        for inst in seen[:limit] if limit is not None else seen:
            out.append((str(pid), str(inst)))
    return out


def event_must_meets(event: Any, result: MatchResult, scorer: PairScorer, settings: Settings,
                     objective: str = "cost") -> list[tuple[str, str]]:
    """The agenda's must-meet input: each participating project's package institutions (event products)."""
    packages: dict[str, Any] = {}
    for pid in result.projects.index:
        problem = problem_for(result, scorer, str(pid), settings)
        pkg = compose(problem, objective)
        if pkg is None:
            continue
        by_id = problem.by_id()
        packages[str(pid)] = {"parts": [{"family": p.family, "amount_wan": p.amount_wan,
                                         "institution_id": by_id[p.product_id].institution_id} for p in pkg.parts]}
    pairs = must_meets_from_packages(packages, limit=getattr(event, "max_meetings_per_project", None))
    matrix = result.institution_matrix()  # only pairs the agenda can schedule (an eligible product)
    return [(p, i) for p, i in pairs if i in matrix.columns and p in matrix.index and matrix.at[p, i] == matrix.at[p, i]]


def require_project(projects: pd.DataFrame, project_id: str) -> None:
    if project_id not in projects.index:
        raise NotFoundError(f"中试项目 {project_id} 不存在", field="project_id")


def figures_json(problem: PackageProblem, pkg: Package) -> dict[str, Any]:
    """A package's figures and parts in the contract's shape (for baselines and alternatives)."""
    return jsonable({**_figures(problem, pkg), "need_wan": problem.need_wan, "parts": _part_json(problem, pkg, None)})

"""From a project row and its eligible products to the package problem: terms, estimates, assumptions.

The v1 format has no subsidy fields, so a subsidy's terms are read from, in order: the product's
``extra`` columns (``subsidy_pp``, ``subsidy_share``, ``subsidy_cap_wan``, ``subsidy_principal_cap_wan``),
then its published description (``按1.5个百分点贴息``, ``保费的50%``, ``最高50万元``, ``本金1000万元以内``),
then the defaults in :mod:`finmatch.packaging.problem`. Every default used is written into the
candidate's ``notes`` so the user sees which figures are estimates.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from finmatch.packaging.problem import (
    ASSETS_PER_REVENUE,
    DEFAULT_GUARANTEE_FEE_PCT,
    DEFAULT_INTEREST_SUBSIDY_PP,
    DEFAULT_LOAN_RATE_PCT,
    DEFAULT_PREMIUM_PCT,
    DEFAULT_SUBSIDY_SHARE,
    DEFAULT_TOP_PER_FAMILY,
    EQUIPMENT_SHARE_OF_PILOT,
    REVENUE_MULTIPLE,
    STAGE_VALUATION_FLOOR_WAN,
    Candidate,
    Financials,
    PackageOptions,
    PackageProblem,
    Subsidy,
    SubsidyKind,
)

_NUM = r"(\d+(?:\.\d+)?)"


def _num(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _norm(text: str) -> str:
    """Drop brackets so 首台（套） reads as 首台套."""
    return re.sub(r"[（）()\s]", "", text)


def subsidy_kind(kind: str, name: str) -> SubsidyKind | None:
    text = kind + name
    if "贴息" in text:
        return "interest"
    if "担保费" in text or "担保补贴" in text:
        return "fee"
    if "保费" in text:
        return "premium"
    if any(w in text for w in ("后补助", "补助", "奖补", "资助", "奖励")):
        return "grant"
    return None


def _kind_keywords(kind: str) -> set[str]:
    k = _norm(kind)
    out = {k}
    for suffix in ("保险", "贷款", "贷", "担"):
        if k.endswith(suffix) and len(k) > len(suffix) + 1:
            out.add(k[: -len(suffix)])
    return {w for w in out if len(w) >= 2}


def subsidy_terms(row: Mapping[str, Any], project: Mapping[str, Any], today: dt.date,
                  kinds_by_id: Mapping[str, tuple[str, str | None]]) -> tuple[Subsidy | None, list[str]]:
    """The subsidy's terms and the notes on what was estimated; None when its amount cannot be known."""
    name, desc = _text(row.get("name")), _text(row.get("description"))
    kind = subsidy_kind(_text(row.get("kind")), name)
    notes: list[str] = []
    if kind is None:
        return None, ["未能识别补贴类型（贴息、保费补贴、担保费补贴或后补助）"]
    extra = row.get("extra") if isinstance(row.get("extra"), Mapping) else {}
    text = _norm(desc)
    budget = _num(row.get("budget_wan"))
    cap = _num(extra.get("subsidy_cap_wan")) if extra else None
    if cap is None:
        m = re.search(r"最高" + _NUM + r"万元", text)
        cap = float(m.group(1)) if m else None
    if budget is not None:
        cap = budget if cap is None else min(cap, budget)
    target_family = {"interest": "loan", "premium": "insurance", "fee": "guarantee", "grant": None}[kind]
    targets = None
    if target_family is not None:
        named = {pid for pid, (fam, k) in kinds_by_id.items()
                 if fam == target_family and k and any(w in text or w in _norm(name) for w in _kind_keywords(k))}
        targets = frozenset(named) if named else None
    if kind == "interest":
        pp = _num(extra.get("subsidy_pp")) if extra else None
        if pp is None:
            m = re.search(_NUM + r"个百分点", text)
            pp = float(m.group(1)) if m else None
        if pp is None:
            pp = DEFAULT_INTEREST_SUBSIDY_PP
            notes.append(f"贴息幅度未列明，按 {pp:g} 个百分点估算")
        principal = _num(extra.get("subsidy_principal_cap_wan")) if extra else None
        if principal is None:
            m = re.search(r"本金" + _NUM + r"万元以内", text)
            principal = float(m.group(1)) if m else None
        return Subsidy("interest", pp_bp=round(pp * 100), annual_cap_wan=cap, principal_cap_wan=principal,
                       targets=targets), notes
    share = _num(extra.get("subsidy_share")) if extra else None
    if share is not None and share > 1:
        share /= 100
    if share is None:
        m = re.search(r"(?:保费|担保费|投入|费用)的" + _NUM + "%", text) or re.search(r"补贴" + _NUM + r"%保费", text)
        share = float(m.group(1)) / 100 if m else None
        raised = re.search(r"可提高到" + _NUM + "%", text)
        if raised and share is not None and _raised_applies(text, project, today):
            share = float(raised.group(1)) / 100
            notes.append(f"企业为首贷户或成立两年以内，补贴比例提高到 {share:.0%}")
    if kind == "grant":
        if share is None or cap is None:
            return None, ["补助金额取决于审核，未列明比例或上限，可另行申报"]
        return Subsidy("grant", share=share, annual_cap_wan=cap), notes
    if share is None:
        share = DEFAULT_SUBSIDY_SHARE
        notes.append(f"补贴比例未列明，按 {share:.0%} 估算")
    return Subsidy(kind, share=share, annual_cap_wan=cap, targets=targets), notes


def _raised_applies(text: str, project: Mapping[str, Any], today: dt.date) -> bool:
    founded = _num(project.get("founded_year"))
    young = founded is not None and today.year - founded <= 2
    first = bool(project.get("first_time_borrower"))
    return (first and "首贷" in text) or (young and ("两年" in text or "2年" in text))


def estimate_financials(project: Mapping[str, Any], assets_wan: float | None = None,
                        pre_money_wan: float | None = None) -> Financials:
    """Assets, debt and pre-money valuation from the fields that exist (documented estimates)."""
    notes: list[str] = []
    revenue = _num(project.get("annual_revenue_wan"))
    ratio = _num(project.get("debt_ratio"))
    assets = assets_wan
    if assets is None and revenue is not None and revenue > 0:
        assets = revenue * ASSETS_PER_REVENUE
        notes.append(f"总资产按上年营业收入估算约 {assets:,.0f} 万元（未提供资产数据）")
    elif assets is None:
        notes.append("缺少营业收入与资产数据，无法测算贷款后的资产负债率，负债能力以银行审核为准")
    debt = None
    if assets is not None and ratio is not None:
        debt = assets * ratio
    elif assets is not None:
        notes.append("缺少资产负债率，无法测算贷款后的资产负债率，负债能力以银行审核为准")
        assets = None
    stage = _text(project.get("stage"))
    if pre_money_wan is None:
        floor = STAGE_VALUATION_FLOOR_WAN.get(stage, 5000.0)
        pre_money_wan = max(floor, (revenue or 0.0) * REVENUE_MULTIPLE)
        notes.append(f"投前估值按营业收入 {REVENUE_MULTIPLE:g} 倍与所处阶段的估值下限估算约 {pre_money_wan:,.0f} 万元")
    return Financials(assets, debt, float(pre_money_wan), tuple(notes))


def build_problem(project: Mapping[str, Any], products: Mapping[str, Mapping[str, Any]],
                  probabilities: Mapping[str, tuple[float, float]], *, today: dt.date,
                  options: PackageOptions | None = None, needs_guarantee: Iterable[str] = (),
                  assets_wan: float | None = None, pre_money_wan: float | None = None,
                  need_wan: float | None = None, top_per_family: int = DEFAULT_TOP_PER_FAMILY) -> PackageProblem:
    """One project's problem. ``probabilities`` maps each usable product to (score, probability);
    ``needs_guarantee`` are collateral loans the firm may take only with a guarantee."""
    options = options or PackageOptions()
    need = int(math.floor(float(need_wan if need_wan is not None else project["funding_need_wan"]) + 1e-9))
    need = max(need, 0)
    guarded = set(needs_guarantee)
    ranked = sorted(probabilities, key=lambda pid: (-probabilities[pid][0], pid))
    kept: list[str] = []
    per_family: dict[str, int] = {}
    for pid in ranked:
        fam = str(products[pid]["family"])
        if per_family.get(fam, 0) < top_per_family:
            kept.append(pid)
            per_family[fam] = per_family.get(fam, 0) + 1
    kinds = {pid: (str(products[pid]["family"]), _text(products[pid].get("kind")) or None) for pid in kept}
    candidates: list[Candidate] = []
    unusable: list[tuple[str, str]] = []
    for pid in kept:
        row = products[pid]
        cand, why = _candidate(pid, row, project, probabilities[pid], need, today, kinds, pid in guarded)
        if cand is None:
            unusable.append((pid, why))
        else:
            candidates.append(cand)
    return PackageProblem(str(project["project_id"]), need, tuple(candidates),
                          estimate_financials(project, assets_wan, pre_money_wan), options, tuple(unusable))


def _candidate(pid: str, row: Mapping[str, Any], project: Mapping[str, Any], sp: tuple[float, float], need: int,
               today: dt.date, kinds: Mapping[str, tuple[str, str | None]],
               needs_guarantee: bool) -> tuple[Candidate | None, str]:
    family = str(row["family"])
    lo_raw, hi_raw = _num(row.get("amount_min_wan")), _num(row.get("amount_max_wan"))
    budget = _num(row.get("budget_wan"))
    rate = _num(row.get("rate_pct"))
    notes: list[str] = []
    lo = int(math.ceil(lo_raw - 1e-9)) if lo_raw else 1
    hi = need if hi_raw is None else min(need, int(math.floor(hi_raw + 1e-9)))
    if budget is not None and family != "insurance":
        hi = min(hi, int(math.floor(budget + 1e-9)))
    subsidy = None
    rate_bp = 0
    if family == "loan":
        rate_bp = round((rate if rate is not None else DEFAULT_LOAN_RATE_PCT) * 100)
        if rate is None:
            notes.append(f"利率未列明，按 {DEFAULT_LOAN_RATE_PCT:g}% 估算")
    elif family == "guarantee":
        rate_bp = round((rate if rate is not None else DEFAULT_GUARANTEE_FEE_PCT) * 100)
        if rate is None:
            notes.append(f"担保费率未列明，按 {DEFAULT_GUARANTEE_FEE_PCT:g}% 估算")
    elif family == "insurance":
        rate_bp = round((rate if rate is not None else DEFAULT_PREMIUM_PCT) * 100)
        if rate is None:
            notes.append(f"保费率未列明，按 {DEFAULT_PREMIUM_PCT:g}% 估算")
        # the sum insured is the pilot cost (≈ the funding need), within the policy's limits
        insured = need if hi_raw is None else min(need, int(math.floor(hi_raw + 1e-9)))
        if insured < lo:
            return None, f"保额下限 {lo:,} 万元高于中试投入 {need:,} 万元"
        lo = hi = insured
    elif family == "subsidy":
        subsidy, snotes = subsidy_terms(row, project, today, kinds)
        notes.extend(snotes)
        if subsidy is None:
            return None, "；".join(snotes)
        if subsidy.kind == "grant":
            base = need * EQUIPMENT_SHARE_OF_PILOT * subsidy.share
            cap = subsidy.annual_cap_wan if subsidy.annual_cap_wan is not None else base
            lo, hi = 1, int(math.floor(min(base, cap, need) + 1e-9))
            notes.append(f"按设备投入约占中试投入 {EQUIPMENT_SHARE_OF_PILOT:.0%} 估算补助额")
        else:
            lo = hi = 0
    if (family != "subsidy" or (subsidy is not None and subsidy.kind == "grant")) and hi < max(lo, 1):
        reason = (f"单户额度下限 {lo:,} 万元高于可用额度 {max(hi, 0):,} 万元（受融资需求或剩余额度限制）"
                  if hi >= 0 else "剩余额度不足")
        return None, reason
    cand = Candidate(product_id=pid, name=_text(row.get("name")) or pid, family=family,
                     kind=_text(row.get("kind")) or None, institution_id=str(row.get("institution_id")),
                     institution_name=_text(row.get("institution_name")) or None, probability=float(sp[1]),
                     score=float(sp[0]), lo=lo, hi=hi, rate_bp=rate_bp, needs_guarantee=needs_guarantee,
                     max_debt_ratio=_num(row.get("max_debt_ratio")) if family == "loan" else None,
                     subsidy=subsidy, notes=tuple(notes))
    return cand, ""

"""Chinese explanations of a package: the order to apply in, why each part is in, what each
constraint did (found by re-solving with that constraint dropped), and why any need stays uncovered.
"""

from __future__ import annotations

import math

from finmatch.enums import Family
from finmatch.packaging.composer import RELAXABLE, ComposerModel
from finmatch.packaging.figures import objective_key
from finmatch.packaging.problem import (
    GUARANTEE_COVER,
    OBJECTIVES,
    SUBSIDY_LABELS,
    YUAN_PER_WAN,
    Candidate,
    Package,
    PackageProblem,
)


def wan(value: float) -> str:
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} 万元"


def yuan_wan(yuan: int) -> str:
    return wan(yuan / YUAN_PER_WAN)


def pct(value: float, digits: int = 1) -> str:
    """A percentage; small probabilities keep two significant digits (0.042%, not 0.0%)."""
    if 0 < abs(value) < 0.01:
        digits = max(digits, 1 - math.floor(math.log10(abs(value) * 100)))
    return f"{value * 100:.{digits}f}%"


def family_label(c: Candidate) -> str:
    if c.family == "subsidy" and c.subsidy is not None:
        return SUBSIDY_LABELS[c.subsidy.kind]
    return Family(c.family).label


def steps(problem: PackageProblem, pkg: Package) -> list[str]:
    """The order to apply in, each step with its reason."""
    by_id = problem.by_id()
    parts = {p.product_id: p for p in pkg.parts}
    fam = {f: [by_id[p.product_id] for p in pkg.parts if p.family == f] for f in Family}
    subsidies = [by_id[p.product_id] for p in pkg.parts if p.family == "subsidy"]
    out: list[str] = []
    loans = fam[Family.LOAN]
    for c in fam[Family.EQUITY]:
        why = "尽职调查与投决周期最长，宜最先启动"
        if loans:
            why += "；股权资金到位后资产负债率下降，有利于贷款审批"
        out.append(f"与{c.institution_name or c.institution_id}洽谈「{c.name}」股权投资 {wan(parts[c.product_id].amount_wan)}：{why}")
    for c in fam[Family.GUARANTEE]:
        loan = by_id.get(parts[c.product_id].supports or "")
        why = "银行通常凭担保意向函受理贷款"
        if loan is not None and loan.needs_guarantee:
            why = f"「{loan.name}」要求抵押而企业无抵押物，须先取得担保才能进入银行审批"
        out.append(f"向{c.institution_name or c.institution_id}申请「{c.name}」并取得担保意向函：{why}")
    for c in loans:
        backed = any(parts[g.product_id].supports == c.product_id for g in fam[Family.GUARANTEE])
        why = "担保已落实，银行审批依据齐全" if backed else "按银行要求提交财务报表与中试项目资料"
        out.append(f"向{c.institution_name or c.institution_id}申请「{c.name}」{wan(parts[c.product_id].amount_wan)}"
                   f"，完成审批并签订借款合同：{why}")
    for c in fam[Family.INSURANCE]:
        why = "中试失败造成的损失由保险承担，降低银行风险，银行通常要求提款前落实"
        if not loans:
            why = "中试失败造成的已核定费用损失由保险承担"
        out.append(f"在提款前投保「{c.name}」（保额 {wan(c.lo)}）：{why}")
    if loans:
        out.append("银行放款，资金专款用于中试线建设与运行：保留放款和付息凭证，后续申报补贴需要")
    for c in subsidies:
        kind = c.subsidy.kind if c.subsidy else "grant"
        when = {"interest": "放款并按期付息后，凭借款合同和付息凭证申请贴息",
                "premium": "缴纳保费后，凭保单和缴费凭证申请保费补贴",
                "fee": "缴纳担保费后，凭担保合同和缴费凭证申请担保费补贴",
                "grant": "中试设备购置并验收后，按实际投入申报后补助（事后拨付）"}[kind]
        out.append(f"向{c.institution_name or c.institution_id}申请「{c.name}」：{when}")
    return [f"第{i}步：{s}" for i, s in enumerate(out, start=1)]


def part_reasons(problem: PackageProblem, pkg: Package, match_reasons: dict[str, list[str]]) -> dict[str, str]:
    """Per part: what it brings to this project, with its terms."""
    by_id = problem.by_id()
    out: dict[str, str] = {}
    for p in pkg.parts:
        c = by_id[p.product_id]
        bits: list[str] = []
        if c.family == "equity":
            bits.append(f"股权投资 {wan(p.amount_wan)}，约占投后股权 {pct(p.amount_wan / (problem.financials.pre_money_wan + p.amount_wan))}")
        elif c.family == "loan":
            bits.append(f"贷款 {wan(p.amount_wan)}，年利率 {c.rate_bp / 100:g}%，年利息 {yuan_wan(c.rate_bp * p.amount_wan)}")
        elif c.family == "guarantee":
            loan = by_id[p.supports] if p.supports else None
            bits.append(f"为「{loan.name if loan else ''}」提供担保 {wan(p.amount_wan)}，费率 {c.rate_bp / 100:g}%")
            if loan is not None and loan.needs_guarantee:
                bits.append("担保使无抵押企业可获该贷款")
        elif c.family == "insurance":
            bits.append(f"保额 {wan(c.lo)}（与中试投入挂钩），保费率 {c.rate_bp / 100:g}%，年保费 {yuan_wan(c.rate_bp * c.lo)}")
        elif c.subsidy is not None and c.subsidy.kind == "grant":
            bits.append(f"后补助约 {wan(p.amount_wan)}（现金，事后拨付）")
        else:
            target = by_id[p.supports] if p.supports else None
            bits.append(f"{family_label(c)}：每年减少「{target.name if target else ''}」的成本约 {yuan_wan(p.saving_yuan)}")
        bits.append(f"对接概率 {pct(c.probability, 0)}")
        bits.extend(match_reasons.get(p.product_id, [])[:2])
        bits.extend(c.notes)
        out[p.product_id] = "；".join(b for b in bits if b)
    return out


def binding(problem: PackageProblem, pkg: Package) -> list[str]:
    """What each constraint did: drop it, re-solve, and say what would change."""
    out: list[str] = []
    by_id = problem.by_id()
    for p in pkg.parts:
        c = by_id[p.product_id]
        if c.family == "guarantee" and p.supports and by_id[p.supports].needs_guarantee:
            out.append(f"担保使无抵押企业可获该贷款：「{by_id[p.supports].name}」要求抵押，由「{c.name}」"
                       f"提供{'全额' if GUARANTEE_COVER >= 1 else ''}担保代替")
    objective = pkg.objective if pkg.objective in OBJECTIVES else "cost"
    for key in RELAXABLE:
        if key == "collateral" or not _applies(problem, key):
            continue
        other = ComposerModel(problem, relax=[key]).solve(objective)
        if other is None or objective_key(other, objective) >= objective_key(pkg, objective):
            continue
        out.append(_binding_text(problem, key, pkg, other))
    return out


def _applies(problem: PackageProblem, key: str) -> bool:
    fams = {c.family for c in problem.candidates}
    if key == "debt":
        return "loan" in fams and problem.financials.assets_wan is not None and problem.financials.debt_wan is not None
    if key == "dilution":
        return "equity" in fams
    if key == "insurance":
        return problem.options.insurance_with_loan and {"loan", "insurance"} <= fams
    if key == "family":
        groups = [c.group for c in problem.candidates]
        return any(groups.count(g) > problem.options.limit(g) for g in set(groups))
    return False


def _binding_text(problem: PackageProblem, key: str, pkg: Package, other: Package) -> str:
    gain = other.covered_wan - pkg.covered_wan
    change = (f"可多覆盖 {wan(gain)}" if gain > 0 else
              f"年综合成本可由 {yuan_wan(pkg.annual_cost_yuan)} 降至 {yuan_wan(other.annual_cost_yuan)}"
              if other.annual_cost_yuan < pkg.annual_cost_yuan else
              f"全部落地概率可由 {pct(pkg.probability)} 升至 {pct(other.probability)}"
              if other.probability > pkg.probability else
              f"股权稀释可由 {pct(pkg.equity_share)} 降至 {pct(other.equity_share)}")
    if key == "debt":
        caps = sorted({c for _, c in problem.debt_caps()})
        return (f"负债能力约束起作用：新增贷款后资产负债率须不高于 {pct(caps[0], 0) if caps else '上限'}"
                f"（产品要求与用户上限取严者），若不受此限，{change}")
    if key == "dilution":
        return (f"股权稀释上限 {pct(problem.options.dilution_cap, 0)} 起作用：按投前估值约 "
                f"{wan(problem.financials.pre_money_wan)}，股权融资最多 {wan(problem.equity_limit_wan())}；"
                f"若放宽，{change}")
    if key == "insurance":
        return f"有贷款时配套中试险的要求起作用：若不投保，{change}（但银行风险上升）"
    return f"每类产品限选一个起作用：若允许同类产品多选，{change}"


def uncovered_reason(problem: PackageProblem, pkg: Package) -> str | None:
    """Why part of the need stays uncovered (None when it is all covered)."""
    if pkg.uncovered_wan <= 0:
        return None
    cash = [c for c in problem.candidates if c.is_cash]
    if not cash:
        return (f"没有可提供资金的产品（股权、贷款或后补助）符合准入条件，融资需求 {wan(problem.need_wan)} 无法覆盖；"
                "担保、保险和贴息类产品只能配合贷款使用")
    best: dict[str, int] = {}
    for c in cash:
        best[c.group] = max(best.get(c.group, 0), c.hi)
    names = {"equity": "股权投资", "loan": "贷款", "subsidy:grant": "后补助"}
    listing = "、".join(f"{names.get(g, g)}最多 {wan(v)}" for g, v in best.items())
    return (f"尚有 {wan(pkg.uncovered_wan)} 无法覆盖：可用产品中{listing}"
            "（受单户额度、剩余额度、负债能力与稀释上限限制）")

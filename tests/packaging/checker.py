"""An independent, test-side checker of every package constraint, written from the issue's rules and
the documented assumptions, on raw product / project dicts and the JSON contract (no solver code)."""

from __future__ import annotations

import math
from typing import Any

# the documented assumptions (docs/notes/packaging.md), restated here on purpose
ASSETS_PER_REVENUE = 1.0
REVENUE_MULTIPLE = 3.0
STAGE_FLOOR = {"tech_research": 2000.0, "proof_of_concept": 3000.0, "pilot": 5000.0, "incubation": 5000.0,
               "scale_up": 10000.0}
CASH = {"equity", "loan"}


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def subsidy_kind(product: dict[str, Any]) -> str:
    text = str(product.get("kind") or "") + str(product.get("name") or "")
    if "贴息" in text:
        return "interest"
    if "担保费" in text:
        return "fee"
    if "保费" in text:
        return "premium"
    return "grant"


def check_package(entry: dict[str, Any], project: dict[str, Any], products: dict[str, dict[str, Any]],
                  eligible: set[str], collateral_only: set[str], probabilities: dict[str, float], *,
                  dilution_cap: float = 0.2, debt_cap: float | None = None, per_family: int = 1,
                  insurance_with_loan: bool = True) -> list[str]:
    """Every violated rule, in words (empty: the package is valid)."""
    bad: list[str] = []
    need = math.floor(float(project["funding_need_wan"]) + 1e-9)
    parts = entry["parts"]
    ids = [p["product_id"] for p in parts]
    amount = {p["product_id"]: p["amount_wan"] for p in parts}
    fam = {p["product_id"]: products[p["product_id"]]["family"] for p in parts}
    if len(set(ids)) != len(ids):
        bad.append("a product appears twice")
    cash = 0
    for p in parts:
        pid, a = p["product_id"], p["amount_wan"]
        q = products[pid]
        if p["family"] != q["family"]:
            bad.append(f"{pid}: family {p['family']} != {q['family']}")
        if pid not in eligible and pid not in collateral_only:
            bad.append(f"{pid}: not eligible")
        lo, hi, budget = _num(q.get("amount_min_wan")), _num(q.get("amount_max_wan")), _num(q.get("budget_wan"))
        is_cash = q["family"] in CASH or (q["family"] == "subsidy" and subsidy_kind(q) == "grant")
        if q["family"] in ("equity", "loan", "guarantee") or is_cash:
            if a < 1 or (lo is not None and a < lo - 1e-9) or (hi is not None and a > hi + 1e-9):
                bad.append(f"{pid}: amount {a} outside [{lo}, {hi}]")
            if budget is not None and a > budget + 1e-9:
                bad.append(f"{pid}: amount {a} over the remaining budget {budget}")
            if a > need:
                bad.append(f"{pid}: amount {a} over the need {need}")
        if is_cash:
            cash += a
        if q["family"] == "insurance":
            insured = need if hi is None else min(need, math.floor(hi + 1e-9))
            if a != insured or (lo is not None and a < lo):
                bad.append(f"{pid}: sum insured {a} is not the pilot cost within the policy limits ({insured})")
        if q["family"] == "subsidy" and not is_cash and a != 0:
            bad.append(f"{pid}: a cost subsidy carries cash {a}")
        sup = p["supports"]
        if q["family"] in CASH or is_cash:
            if sup is not None:
                bad.append(f"{pid}: cash part names supports")
        elif q["family"] == "guarantee":
            if sup not in amount or fam[sup] != "loan":
                bad.append(f"{pid}: guarantee not attached to a loan of the package")
            elif a > amount[sup]:
                bad.append(f"{pid}: guarantee {a} above its loan {amount[sup]}")
        elif q["family"] == "insurance":
            if any(f == "loan" for f in fam.values()) and (sup not in amount or fam[sup] != "loan"):
                bad.append(f"{pid}: insurance does not back the package's loan")
        else:
            want = {"interest": "loan", "premium": "insurance", "fee": "guarantee"}[subsidy_kind(q)]
            if sup not in amount or fam[sup] != want:
                bad.append(f"{pid}: subsidy applies to no {want} of the package")
    if cash != entry["covered_wan"] or cash > need:
        bad.append(f"covered_wan {entry['covered_wan']} != cash {cash} or cash over need {need}")
    if entry["uncovered_wan"] != max(0, need - cash):
        bad.append("uncovered_wan wrong")
    status = "none" if cash <= 0 else ("covered" if cash >= need else "partial")
    if entry["status"] != status:
        bad.append(f"status {entry['status']} != {status}")
    groups: dict[str, int] = {}
    for pid in ids:
        q = products[pid]
        g = q["family"] if q["family"] != "subsidy" else "subsidy:" + subsidy_kind(q)
        groups[g] = groups.get(g, 0) + 1
    bad += [f"{g}: {n} products" for g, n in groups.items() if n > per_family]
    for pid in ids:  # collateral: a loan the firm cannot secure needs a full guarantee
        if pid in collateral_only:
            gs = [p for p in parts if p["family"] == "guarantee" and p["supports"] == pid]
            if not gs or max(g["amount_wan"] for g in gs) < amount[pid]:
                bad.append(f"{pid}: needs collateral, no guarantee covers it")
    loans = [pid for pid in ids if fam[pid] == "loan"]
    revenue, ratio = _num(project.get("annual_revenue_wan")), _num(project.get("debt_ratio"))
    if loans and revenue and revenue > 0 and ratio is not None:
        assets = revenue * ASSETS_PER_REVENUE
        caps = [c for c in (_num(products[pid].get("max_debt_ratio")) for pid in loans) if c is not None]
        if debt_cap is not None:
            caps.append(debt_cap)
        after = (assets * ratio + sum(amount[pid] for pid in loans)) / (assets + cash)
        if caps and after > min(caps) + 1e-9:
            bad.append(f"debt ratio after loans {after:.4f} above {min(caps)}")
    equity = sum(amount[pid] for pid in ids if fam[pid] == "equity")
    if equity:
        pre = max(STAGE_FLOOR.get(str(project.get("stage")), 5000.0), (revenue or 0.0) * REVENUE_MULTIPLE)
        if equity / (pre + equity) > dilution_cap + 1e-9:
            bad.append(f"dilution {equity / (pre + equity):.4f} above {dilution_cap}")
        if abs(entry["equity_share"] - equity / (pre + equity)) > 1e-4:
            bad.append("equity_share wrong")
    if insurance_with_loan and loans and not any(fam[p] == "insurance" for p in ids):
        usable = [p for p in eligible if products[p]["family"] == "insurance"
                  and (_num(products[p].get("amount_min_wan")) or 0) <= min(
                      need, _num(products[p].get("amount_max_wan")) or need)]
        if usable:
            bad.append("a loan without the pilot insurance although one is eligible")
    # cost: interest + fees + premiums recomputed; each saving within what it subsidises
    gross = 0.0
    for p in parts:
        q = products[p["product_id"]]
        rate = _num(q.get("rate_pct"))
        if q["family"] in ("loan", "guarantee", "insurance"):
            default = {"loan": 3.0, "guarantee": 1.0, "insurance": 2.0}[q["family"]]
            gross += (rate if rate is not None else default) / 100 * p["amount_wan"]
    savings = 0.0
    for p in parts:
        q = products[p["product_id"]]
        if q["family"] == "subsidy" and p["supports"] in amount:
            target = next(t for t in parts if t["product_id"] == p["supports"])
            if p["saving_wan"] < 0 or p["saving_wan"] > target["annual_cost_wan"] + 0.01:
                bad.append(f"{p['product_id']}: saving {p['saving_wan']} above the cost it subsidises")
            savings += p["saving_wan"]
    if abs(entry["annual_cost_wan"] - (gross - savings)) > 0.02 + 0.01 * len(parts):
        bad.append(f"annual cost {entry['annual_cost_wan']} != {gross - savings:.2f}")
    prob = math.prod(probabilities[pid] for pid in ids) if ids else 0.0
    if abs(entry["probability"] - prob) > 1e-5:
        bad.append(f"probability {entry['probability']} != product {prob}")
    return bad

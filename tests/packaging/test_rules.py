"""Targeted cases: a guarantee makes a collateral loan possible, the debt and dilution caps bind and say
so, subsidies attach only to their part, the checker catches broken packages, steps come in order."""

from __future__ import annotations

import copy

import pytest

from finmatch.matching import PriorScorer
from finmatch.packaging import PackageOptions
from finmatch.services.packages import must_meets_from_packages, packages_for_frames, project_package
from tests.packaging.conftest import frames_from, violations

INST = [{"institution_id": i, "name": n, "type": t} for i, n, t in
        [("B1", "邕江银行", "bank"), ("G1", "科技担保公司", "guarantor"), ("S1", "科技厅", "government"),
         ("F1", "转化基金", "fund_manager"), ("N1", "人保财险", "insurer")]]


def _doc(**enterprise):
    ent = {"enterprise_id": "E1", "name": "南宁某新材料公司", "city": "南宁", "founded_year": 2019,
           "annual_revenue_wan": 3000, "debt_ratio": 0.4, "has_collateral": False, **enterprise}
    products = [
        {"product_id": "L1", "institution_id": "B1", "name": "中试贷", "family": "loan", "kind": "中试贷",
         "amount_min_wan": 100, "amount_max_wan": 2000, "rate_pct": 3.2, "requires_collateral": True,
         "max_debt_ratio": 0.7},
        {"product_id": "G1", "institution_id": "G1", "name": "中试担", "family": "guarantee", "kind": "中试担",
         "amount_min_wan": 100, "amount_max_wan": 3000, "rate_pct": 1.0},
        {"product_id": "I1", "institution_id": "N1", "name": "中试险", "family": "insurance", "kind": "中试险",
         "amount_min_wan": 100, "amount_max_wan": 3000, "rate_pct": 2.0},
        {"product_id": "S1", "institution_id": "S1", "name": "中试贷贴息", "family": "subsidy", "kind": "贷款贴息",
         "description": "对中试贷按1.5个百分点贴息，每户每年最高20万元。"},
        {"product_id": "S2", "institution_id": "S1", "name": "担保费补贴", "family": "subsidy", "kind": "担保费补贴",
         "description": "对中试担业务按担保费的50%补贴。"},
    ]
    return {"institutions": INST, "enterprises": [ent], "products": products,
            "projects": [{"project_id": "XM1", "enterprise_id": "E1", "name": "碳酸钙中试线", "stage": "pilot",
                          "funding_need_wan": 1000}]}


@pytest.fixture
def collateral_case(settings_today):
    frames = frames_from(_doc())
    return frames, packages_for_frames(frames.projects, frames.products, PriorScorer(), settings_today, "cost")


def test_a_guarantee_makes_the_collateral_loan_possible(collateral_case):
    frames, out = collateral_case
    e = out["packages"]["XM1"]
    parts = {p["product_id"]: p for p in e["parts"]}
    assert parts["L1"]["amount_wan"] == 1000 and e["status"] == "covered"
    assert parts["G1"]["supports"] == "L1" and parts["G1"]["amount_wan"] == 1000
    assert parts["I1"]["supports"] == "L1" and parts["I1"]["amount_wan"] == 1000  # sum insured = pilot cost
    assert parts["S1"]["supports"] == "L1" and parts["S1"]["saving_wan"] == 15.0  # 1.5 points of 1,000万
    assert parts["S2"]["supports"] == "G1" and parts["S2"]["saving_wan"] == 5.0  # half of a 10万 fee
    # 32 interest + 10 fee + 20 premium - 15 - 5
    assert e["annual_cost_wan"] == pytest.approx(42.0)
    assert any("担保使无抵押企业可获该贷款" in r for r in e["reasons"])
    steps = e["steps"]
    order = [next(i for i, s in enumerate(steps) if word in s) for word in ("中试担", "签订借款合同", "中试险", "贴息")]
    assert order == sorted(order)  # guarantee, loan signing, insurance before drawing, subsidy after
    assert violations(out, frames) == {}


def test_without_a_guarantee_the_collateral_loan_is_out(settings_today):
    doc = _doc()
    doc["products"] = [p for p in doc["products"] if p["family"] != "guarantee"]
    frames = frames_from(doc)
    e = packages_for_frames(frames.projects, frames.products, PriorScorer(), settings_today)["packages"]["XM1"]
    assert e["status"] == "none" and not any(p["family"] == "loan" for p in e["parts"])
    assert any("无法覆盖" in r for r in e["reasons"])


def test_the_debt_cap_binds_and_is_explained(settings_today):
    frames = frames_from(_doc(debt_ratio=0.65, annual_revenue_wan=2000))
    out = packages_for_frames(frames.projects, frames.products, PriorScorer(), settings_today)
    e = out["packages"]["XM1"]
    # (0.65·2000 + L) / (2000 + L) ≤ 0.7  ⇔  L ≤ 333
    loan = next(p for p in e["parts"] if p["family"] == "loan")
    assert loan["amount_wan"] == 333 and e["status"] == "partial"
    assert any("负债能力约束起作用" in r for r in e["reasons"])
    assert violations(out, frames) == {}
    tighter = packages_for_frames(frames.projects, frames.products, PriorScorer(), settings_today,
                                  options=PackageOptions(debt_ratio_cap=0.68))["packages"]["XM1"]
    assert next(p for p in tighter["parts"] if p["family"] == "loan")["amount_wan"] == 187  # (1,360 - 1,300) / 0.32
    assert violations({"packages": {"XM1": tighter}}, frames, debt_cap=0.68) == {}


def test_dilution_cap_limits_equity(settings_today):
    doc = _doc(has_collateral=True)
    doc["products"].append({"product_id": "F1", "institution_id": "F1", "name": "中试子基金", "family": "equity",
                            "amount_min_wan": 100, "amount_max_wan": 5000})
    doc["projects"][0]["funding_need_wan"] = 3000
    frames = frames_from(doc)
    out = packages_for_frames(frames.projects, frames.products, PriorScorer(), settings_today, "cost",
                              options=PackageOptions(dilution_cap=0.1))
    e = out["packages"]["XM1"]
    equity = next(p for p in e["parts"] if p["family"] == "equity")
    # pre-money = max(5,000 pilot floor, 3 × 3,000) = 9,000; E / (9,000 + E) ≤ 0.1  ⇔  E ≤ 1,000
    assert equity["amount_wan"] == 1000 and e["equity_share"] == pytest.approx(0.1)
    assert violations(out, frames, dilution_cap=0.1) == {}
    assert any("股权稀释上限" in r for r in e["reasons"])
    dil = packages_for_frames(frames.projects, frames.products, PriorScorer(), settings_today, "dilution")
    d = dil["packages"]["XM1"]  # coverage first: the 2,000 loan ceiling leaves 1,000 to equity
    assert {p["product_id"]: p["amount_wan"] for p in d["parts"] if p["cash"]} == {"L1": 2000, "F1": 1000}
    assert d["equity_share"] == pytest.approx(0.1) and d["status"] == "covered"


def test_the_checker_catches_broken_packages(collateral_case):
    frames, out = collateral_case
    for breakage in ("guarantee_over_loan", "cash_count", "two_loans", "orphan_subsidy", "insured_sum"):
        bad = copy.deepcopy(out)
        e = bad["packages"]["XM1"]
        e["alternatives"], e["best"] = [], {}
        parts = {p["product_id"]: p for p in e["parts"]}
        if breakage == "guarantee_over_loan":
            parts["G1"]["amount_wan"] = 1500
        elif breakage == "cash_count":
            e["covered_wan"] = 2000  # a guarantee counted as cash
        elif breakage == "two_loans":
            e["parts"].append({**parts["L1"], "product_id": "G1", "family": "loan"})
        elif breakage == "orphan_subsidy":
            parts["S2"]["supports"] = "L1"
        else:
            parts["I1"]["amount_wan"] = 400
        assert violations(bad, frames).get("XM1"), breakage


def test_what_if_re_solves(settings_today):
    doc = _doc(debt_ratio=0.65, annual_revenue_wan=2000)
    frames = frames_from(doc)
    view = project_package(frames.projects, PriorScorer(), settings_today, frames.products, "XM1", "cost")
    changes = {w["change"]: w for w in view["packages"]["XM1"]["what_if"]}
    assert "more_revenue" in changes and "lower_need" in changes
    # more revenue → larger assets → more loan headroom → more covered
    assert changes["more_revenue"]["covered_wan"] > view["packages"]["XM1"]["covered_wan"]
    assert changes["lower_need"]["uncovered_wan"] == 0


def test_must_meets_follow_the_package(collateral_case):
    _, out = collateral_case
    pairs = must_meets_from_packages(out["packages"])
    assert pairs[0] == ("XM1", "B1")  # the lender first
    assert {i for _, i in pairs} == {"B1", "G1", "N1", "S1"}
    assert len(must_meets_from_packages(out["packages"], limit=2)) == 2

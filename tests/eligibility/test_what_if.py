"""What-if: the smallest changes that make an ineligible pair eligible, and what each unlocks."""

from __future__ import annotations

from eligibility_builders import TODAY, enterprise, one_pair, product, product_frame, project, project_frame

from finmatch.eligibility import WhatIf, evaluate


def test_eligible_pair_needs_no_change() -> None:
    assert one_pair().what_if("P1", "Q1") == []


def test_lower_amount_to_the_ceiling() -> None:
    result = one_pair(project_kw={"funding_need_wan": 3000}, product_kw={"amount_max_wan": 1000})
    assert result.what_if("P1", "Q1") == [
        WhatIf("lower_amount", "将融资需求降至 1,000 万元", {"funding_need_wan": 1000.0}, ["Q1"])]


def test_lower_amount_respects_budget_and_the_floor() -> None:
    result = one_pair(project_kw={"funding_need_wan": 3000}, product_kw={"amount_max_wan": 2000, "budget_wan": 800})
    [change] = result.what_if("P1", "Q1")
    assert change.params == {"funding_need_wan": 800.0}
    # the budget left is below the product's floor: no amount works
    result = one_pair(project_kw={"funding_need_wan": 3000},
                      product_kw={"amount_min_wan": 1000, "amount_max_wan": 2000, "budget_wan": 800})
    assert result.what_if("P1", "Q1") == []


def test_add_guarantee_names_the_guarantee_products_of_the_catalogue() -> None:
    pf = project_frame([project()], [enterprise(has_collateral=False)])
    qf = product_frame([product(requires_collateral=True),
                        product(product_id="G1", institution_id="I2", name="中试担", family="guarantee"),
                        product(product_id="G2", institution_id="I2", name="科创担", family="guarantee",
                                amount_max_wan=10)])
    result = evaluate(pf, qf, today=TODAY)
    [change] = result.what_if("P1", "Q1")
    assert change.change == "add_guarantee"
    assert change.params == {"guarantee_product_ids": ["G1"]}  # G2's ceiling is too low for this need
    assert change.description == "增加担保：以目录中的担保产品（中试担（G1））替代抵押物"
    assert change.product_ids == ["Q1"]


def test_add_guarantee_without_a_guarantee_product_says_so() -> None:
    result = one_pair(enterprise_kw={"has_collateral": False}, product_kw={"requires_collateral": True})
    [change] = result.what_if("P1", "Q1")
    assert change.change == "add_guarantee" and "暂无" in change.description


def test_obtain_any_one_of_the_certifications() -> None:
    result = one_pair(enterprise_kw={"certifications": []},
                      product_kw={"required_certifications_any": ["tech_sme", "high_tech"]})
    changes = result.what_if("P1", "Q1")
    assert sorted(c.params["certification"] for c in changes) == ["high_tech", "tech_sme"]
    assert {c.description for c in changes} == {"取得 高新技术企业 资质", "取得 科技型中小企业 资质"}


def test_wait_until_old_enough() -> None:
    result = one_pair(enterprise_kw={"founded_year": 2024}, product_kw={"min_company_age_years": 3})
    [change] = result.what_if("P1", "Q1")
    assert change.change == "wait_years"
    assert change.params == {"years": 2, "from_year": 2027}
    assert change.description == "等待 2 年（2027 年起企业成立满 3 年）"


def test_waiting_does_not_help_when_the_product_expires_first() -> None:
    result = one_pair(enterprise_kw={"founded_year": 2024},
                      product_kw={"min_company_age_years": 2, "valid_to": "2025-12-31"})
    assert result.what_if("P1", "Q1") == []
    result = one_pair(enterprise_kw={"founded_year": 2024},
                      product_kw={"min_company_age_years": 2, "valid_to": "2026-01-01"})
    assert [c.change for c in result.what_if("P1", "Q1")] == ["wait_years"]


def test_two_failures_need_a_combined_change() -> None:
    result = one_pair(project_kw={"funding_need_wan": 3000}, enterprise_kw={"certifications": []},
                      product_kw={"amount_max_wan": 1000, "required_certifications_any": ["high_tech"]})
    [change] = result.what_if("P1", "Q1")
    assert change.change == "combined"
    assert [s["change"] for s in change.params["changes"]] == ["lower_amount", "obtain_certification"]
    assert change.description == "将融资需求降至 1,000 万元；并取得 高新技术企业 资质"


def test_no_change_for_a_sector_mismatch_or_an_expired_product() -> None:
    assert one_pair(project_kw={"sector": "biomedicine"}, product_kw={"sectors": ["marine_economy"]}
                    ).what_if("P1", "Q1") == []
    assert one_pair(project_kw={"funding_need_wan": 3000},
                    product_kw={"amount_max_wan": 1000, "valid_to": "2020-01-01"}).what_if("P1", "Q1") == []


def test_project_what_if_lists_products_unlocked_by_each_change() -> None:
    pf = project_frame([project(funding_need_wan=3000)], [enterprise(certifications=[], has_collateral=False)])
    qf = product_frame([product(product_id="A500", amount_max_wan=500),
                        product(product_id="A1000", amount_max_wan=1000),
                        product(product_id="A2000", amount_max_wan=2000),
                        product(product_id="C", required_certifications_any=["tech_sme"]),
                        product(product_id="K", requires_collateral=True),
                        product(product_id="BOTH", amount_max_wan=1000, requires_collateral=True),
                        product(product_id="OK")])
    result = evaluate(pf, qf, today=TODAY)
    changes = result.project_what_if("P1")
    got = [(c.change, c.params.get("funding_need_wan") or c.params.get("certification"), c.product_ids)
           for c in changes]
    assert got == [
        ("lower_amount", 2000.0, ["A2000"]),
        ("lower_amount", 1000.0, ["A1000", "A2000"]),
        ("lower_amount", 500.0, ["A500", "A1000", "A2000"]),
        ("add_guarantee", None, ["K"]),
        ("obtain_certification", "tech_sme", ["C"]),
    ]
    # the pair needing two changes is offered the combination
    [both] = result.what_if("P1", "BOTH")
    assert both.change == "combined" and "BOTH" in both.product_ids


def test_raise_trl_debt_and_tax_grade() -> None:
    result = one_pair(project_kw={"trl": 4}, enterprise_kw={"debt_ratio": 0.8, "tax_grade": "C"},
                      product_kw={"trl_min": 6, "max_debt_ratio": 0.7, "min_tax_grade": "B"})
    [change] = result.what_if("P1", "Q1")
    assert change.description == "将技术成熟度提升至 TRL 6；并将资产负债率降至 70%；并将纳税信用等级提升至 B级"

"""Reasons quote the numbers; the result object's views agree with its matrices."""

from __future__ import annotations

import numpy as np
import pytest
from eligibility_builders import TODAY, enterprise, one_pair, product, product_frame, project, project_frame

from finmatch.eligibility import CLAUSE_FIELDS, ClauseResult, EligibilityResult, evaluate
from finmatch.exceptions import NotFoundError


def _reason(field: str, **kw: dict) -> ClauseResult:
    result = one_pair(**kw)
    [clause] = [c for c in result.explain("P1", "Q1") if c.field == field]
    return clause


@pytest.mark.parametrize(("field", "kw", "status", "text"), [
    ("amount_max_wan", {"project_kw": {"funding_need_wan": 3000}, "product_kw": {"amount_max_wan": 1000}},
     "fail", "融资需求 3,000 万元 超过单户额度上限 1,000 万元"),
    ("amount_max_wan", {"project_kw": {"funding_need_wan": 3000},
                        "product_kw": {"amount_max_wan": 1000, "family": "equity"}},
     "fail", "融资需求 3,000 万元 超过单笔投资额度上限 1,000 万元"),
    ("amount_min_wan", {"project_kw": {"funding_need_wan": 50.5}, "product_kw": {"amount_min_wan": 100}},
     "fail", "融资需求 50.5 万元 低于单户额度下限 100 万元"),
    ("budget_wan", {"project_kw": {"funding_need_wan": 3000}, "product_kw": {"budget_wan": 12500}},
     "pass", "产品剩余额度 12,500 万元 可覆盖融资需求 3,000 万元"),
    ("max_debt_ratio", {"enterprise_kw": {"debt_ratio": 0.725}, "product_kw": {"max_debt_ratio": 0.7}},
     "fail", "资产负债率 72.5% 超过上限 70%"),
    ("min_company_age_years", {"enterprise_kw": {"founded_year": 2024}, "product_kw": {"min_company_age_years": 2}},
     "fail", "企业成立 1 年（2024 年成立），不足 2 年的成立年限要求"),
    ("min_tax_grade", {"enterprise_kw": {"tax_grade": "C"}, "product_kw": {"min_tax_grade": "B"}},
     "fail", "纳税信用等级 C级 低于要求的 B级"),
    ("trl_min", {"project_kw": {"trl": 4}, "product_kw": {"trl_min": 5}}, "fail", "技术成熟度 TRL 4 低于下限 TRL 5"),
    ("sectors", {"project_kw": {"sector": "biomedicine"}, "product_kw": {"sectors": ["artificial_intelligence"]}},
     "fail", "所属领域 生物医药 不在支持领域（人工智能）内"),
    ("cities", {"enterprise_kw": {"city": "深圳"}, "product_kw": {"cities": ["广西"]}},
     "fail", "企业所在城市 深圳 不在服务区域（广西）内"),
    ("required_certifications_any", {"enterprise_kw": {"certifications": []},
                                     "product_kw": {"required_certifications_any": ["high_tech", "tech_sme"]}},
     "fail", "企业不具备所需资质（高新技术企业、科技型中小企业，满足其一即可）"),
    ("valid_to", {"product_kw": {"valid_to": "2024-12-31"}}, "fail", "产品已于 2024-12-31 到期"),
    ("requires_collateral", {"enterprise_kw": {"has_collateral": False}, "product_kw": {"requires_collateral": True}},
     "fail", "企业无抵押物，产品要求提供抵押（可引入担保替代）"),
])
def test_reason_quotes_the_numbers(field: str, kw: dict, status: str, text: str) -> None:
    clause = _reason(field, **kw)
    assert clause == ClauseResult(field, status, text)


def test_explain_lists_only_stated_constraints_in_clause_order() -> None:
    result = one_pair(project_kw={"funding_need_wan": 3000},
                      product_kw={"amount_max_wan": 1000, "sectors": ["new_energy_storage"], "trl_min": 5})
    clauses = result.explain("P1", "Q1")
    assert [c.field for c in clauses] == ["sectors", "trl_min", "amount_max_wan"]
    assert [c.status for c in clauses] == ["pass", "pass", "fail"]
    with pytest.raises(AttributeError):
        clauses[0].status = "fail"  # type: ignore[misc]


def _catalogue() -> EligibilityResult:
    enterprises = [enterprise(), enterprise(enterprise_id="E2", city=None, founded_year=2024, has_collateral=False)]
    projects = [project(), project(project_id="P2", enterprise_id="E2", funding_need_wan=3000, trl=None)]
    products = [product(), product(product_id="Q2", amount_max_wan=1000, trl_min=5),
                product(product_id="Q3", cities=["广西"], requires_collateral=True, min_company_age_years=3)]
    return evaluate(project_frame(projects, enterprises), product_frame(products), today=TODAY)


def test_result_shapes_types_and_frame() -> None:
    result = _catalogue()
    assert result.project_ids == ["P1", "P2"] and result.product_ids == ["Q1", "Q2", "Q3"]
    assert set(result.status) == set(CLAUSE_FIELDS)
    assert all(m.dtype == np.int8 and m.shape == (2, 3) for m in result.status.values())
    frame = result.eligible_frame()
    assert frame.dtypes.eq(bool).all()
    assert frame.loc["P1"].tolist() == [True, True, True]
    assert frame.loc["P2"].tolist() == [True, False, False]
    assert result.failed_fields("P2", "Q2") == ["amount_max_wan"]
    assert result.unknown_fields("P2", "Q2") == ["trl_min"]
    assert result.failed_fields("P2", "Q3") == ["min_company_age_years", "requires_collateral"]
    assert result.unknown_fields("P2", "Q3") == ["cities"]


def test_unknown_ids_raise_not_found() -> None:
    result = _catalogue()
    with pytest.raises(NotFoundError):
        result.explain("nope", "Q1")
    with pytest.raises(NotFoundError):
        result.failed_fields("P1", "nope")


def test_margins() -> None:
    enterprises = [enterprise(founded_year=2020, debt_ratio=0.4)]
    projects = [project(funding_need_wan=500, trl=4), project(project_id="P2", funding_need_wan=2000, trl=None)]
    products = [product(amount_max_wan=1000, trl_min=5, trl_max=7, min_company_age_years=2, max_debt_ratio=0.7,
                        budget_wan=4000),
                product(product_id="Q2")]
    m = evaluate(project_frame(projects, enterprises), product_frame(products), today=TODAY).margins()
    assert {"amount_ratio", "trl_distance", "age_over_min_years", "debt_ratio_headroom"} <= set(m)
    assert all(v.shape == (2, 2) for v in m.values())
    assert m["amount_ratio"][0, 0] == pytest.approx(0.5) and m["amount_ratio"][1, 0] == pytest.approx(2.0)
    assert m["budget_cover_ratio"][0, 0] == pytest.approx(8.0)
    assert m["trl_distance"][0, 0] == 1.0 and np.isnan(m["trl_distance"][1, 0])
    assert m["age_over_min_years"][0, 0] == 3.0
    assert m["debt_ratio_headroom"][0, 0] == pytest.approx(0.3)
    assert all(np.isnan(v[:, 1]).all() for v in m.values())


def test_empty_frames_give_empty_matrices() -> None:
    pf = project_frame([project()], [enterprise()])
    qf = product_frame([product(amount_max_wan=1)])
    no_projects = evaluate(pf.iloc[:0], qf, today=TODAY)
    assert no_projects.eligible.shape == (0, 1) and no_projects.status["amount_max_wan"].shape == (0, 1)
    no_products = evaluate(pf, qf.iloc[:0], today=TODAY)
    assert no_products.eligible.shape == (1, 0)
    assert no_products.project_what_if("P1") == []

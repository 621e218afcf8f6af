"""Each clause at its boundary: equal to a limit passes, one unit past fails, missing is unknown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from eligibility_builders import (
    TODAY,
    enterprise,
    one_pair,
    product,
    product_frame,
    project,
    project_frame,
    status_of,
)

from finmatch.eligibility import CLAUSE_FIELDS, FAIL, NO_CONSTRAINT, PASS, UNKNOWN, evaluate

P, E = "project", "enterprise"

# field, product constraint, where the value lives, the value at the limit (pass), one unit past (fail)
BOUNDARIES: list[tuple[str, dict[str, Any], str, str, Any, Any]] = [
    ("trl_min", {"trl_min": 5}, P, "trl", 5, 4),
    ("trl_max", {"trl_max": 7}, P, "trl", 7, 8),
    ("amount_min_wan", {"amount_min_wan": 100}, P, "funding_need_wan", 100, 99),
    ("amount_min_wan", {"amount_min_wan": 100}, P, "funding_need_wan", 100, 99.99),
    ("amount_max_wan", {"amount_max_wan": 1000}, P, "funding_need_wan", 1000, 1001),
    ("amount_max_wan", {"amount_max_wan": 1000}, P, "funding_need_wan", 1000, 1000.01),
    ("budget_wan", {"budget_wan": 1000}, P, "funding_need_wan", 1000, 1001),
    ("min_revenue_wan", {"min_revenue_wan": 1000}, E, "annual_revenue_wan", 1000, 999),
    ("max_revenue_wan", {"max_revenue_wan": 50000}, E, "annual_revenue_wan", 50000, 50001),
    ("min_company_age_years", {"min_company_age_years": 2}, E, "founded_year", TODAY.year - 2, TODAY.year - 1),
    ("max_company_age_years", {"max_company_age_years": 10}, E, "founded_year", TODAY.year - 10,
     TODAY.year - 11),
    ("max_debt_ratio", {"max_debt_ratio": 0.7}, E, "debt_ratio", 0.7, 0.71),
    ("min_tax_grade", {"min_tax_grade": "B"}, E, "tax_grade", "B", "M"),
    ("min_tax_grade", {"min_tax_grade": "M"}, E, "tax_grade", "M", "C"),
    ("min_tax_grade", {"min_tax_grade": "C"}, E, "tax_grade", "C", "D"),
    ("requires_profit", {"requires_profit": True}, E, "net_profit_wan", 0.01, 0),
    ("requires_collateral", {"requires_collateral": True}, E, "has_collateral", True, False),
    ("excludes_hazardous", {"excludes_hazardous": True}, P, "hazardous_chemicals", False, True),
    ("requires_three_firsts", {"requires_three_firsts": True}, P, "three_firsts", ["first_set"], []),
    ("required_certifications_any", {"required_certifications_any": ["tech_sme", "gazelle"]}, E,
     "certifications", ["gazelle"], ["high_tech"]),
    ("sectors", {"sectors": ["new_energy_storage", "biomedicine"]}, P, "sector", "biomedicine",
     "marine_economy"),
    ("stages", {"stages": ["pilot", "scale_up"]}, P, "stage", "scale_up", "incubation"),
    ("cities", {"cities": ["广西"]}, E, "city", "崇左", "深圳"),
    ("cities", {"cities": ["柳州", "桂林"]}, E, "city", "桂林市", "南宁"),
]


def _pair(field: str, constraint: dict[str, Any], where: str, key: str, value: Any) -> int:
    kw = {key: value}
    result = one_pair(project_kw=kw if where == P else None, enterprise_kw=kw if where == E else None,
                      product_kw=constraint)
    return status_of(result, field)


@pytest.mark.parametrize(("field", "constraint", "where", "key", "at_limit", "past"), BOUNDARIES)
def test_limit_passes_and_one_unit_past_fails(field: str, constraint: dict[str, Any], where: str, key: str,
                                              at_limit: Any, past: Any) -> None:
    assert _pair(field, constraint, where, key, at_limit) == PASS
    assert _pair(field, constraint, where, key, past) == FAIL
    result = one_pair(project_kw={key: past} if where == P else None,
                      enterprise_kw={key: past} if where == E else None, product_kw=constraint)
    assert not result.eligible[0, 0]
    assert result.failed_fields("P1", "Q1") == [field]


UNKNOWNS = [
    ("trl_min", {"trl_min": 5}, P, "trl"),
    ("trl_max", {"trl_max": 7}, P, "trl"),
    ("min_revenue_wan", {"min_revenue_wan": 1}, E, "annual_revenue_wan"),
    ("max_revenue_wan", {"max_revenue_wan": 1}, E, "annual_revenue_wan"),
    ("min_company_age_years", {"min_company_age_years": 2}, E, "founded_year"),
    ("max_company_age_years", {"max_company_age_years": 2}, E, "founded_year"),
    ("max_debt_ratio", {"max_debt_ratio": 0.7}, E, "debt_ratio"),
    ("min_tax_grade", {"min_tax_grade": "B"}, E, "tax_grade"),
    ("requires_profit", {"requires_profit": True}, E, "net_profit_wan"),
    ("cities", {"cities": ["广西"]}, E, "city"),
    ("sectors", {"sectors": ["biomedicine"]}, P, "sector"),
]


@pytest.mark.parametrize(("field", "constraint", "where", "key"), UNKNOWNS)
def test_missing_project_field_is_unknown_and_does_not_exclude(field: str, constraint: dict[str, Any],
                                                                where: str, key: str) -> None:
    result = one_pair(project_kw={key: None} if where == P else None,
                      enterprise_kw={key: None} if where == E else None, product_kw=constraint)
    assert status_of(result, field) == UNKNOWN
    assert result.unknown_fields("P1", "Q1") == [field]
    assert result.failed_fields("P1", "Q1") == []
    assert result.eligible[0, 0]
    [clause] = [c for c in result.explain("P1", "Q1") if c.field == field]
    assert clause.status == "unknown"
    assert "未" in clause.reason or "缺少" in clause.reason


def test_a_field_left_out_is_no_constraint_even_when_the_project_lacks_it() -> None:
    result = one_pair(project_kw={"trl": None, "sector": None}, enterprise_kw={"city": None, "tax_grade": None})
    assert all(status_of(result, f) == NO_CONSTRAINT for f in CLAUSE_FIELDS)
    assert result.eligible[0, 0]
    assert result.explain("P1", "Q1") == []


def test_missing_enterprise_makes_enterprise_clauses_unknown_not_failed() -> None:
    pf = project_frame([project(enterprise_id="E-missing")], [])
    qf = product_frame([product(
        requires_collateral=True, required_certifications_any=["high_tech"], cities=["广西"])])
    result = evaluate(pf, qf, today=TODAY)
    assert result.unknown_fields("P1", "Q1") == ["cities", "required_certifications_any", "requires_collateral"]
    assert result.eligible[0, 0]


def test_missing_stage_and_hazard_flag_in_a_hand_built_frame_are_unknown() -> None:
    pf = project_frame([project()], [enterprise()])
    pf.loc["P1", "stage"] = None
    pf["hazardous_chemicals"] = pf["hazardous_chemicals"].astype(object)
    pf.loc["P1", "hazardous_chemicals"] = None
    qf = product_frame([product(stages=["pilot"], excludes_hazardous=True)])
    result = evaluate(pf, qf, today=TODAY)
    assert result.unknown_fields("P1", "Q1") == ["stages", "excludes_hazardous"]


def test_valid_to_is_inclusive_and_fails_every_project_once_expired() -> None:
    assert status_of(one_pair(product_kw={"valid_to": TODAY}), "valid_to") == PASS
    yesterday = TODAY - dt.timedelta(days=1)
    pf = project_frame([project(project_id=f"P{k}", trl=None) for k in range(3)],
                       [enterprise()])
    qf = product_frame([product(valid_to=yesterday)])
    result = evaluate(pf, qf, today=TODAY)
    assert (result.status["valid_to"] == FAIL).all()
    assert not result.eligible.any()


def test_inferred_sector_is_used_when_the_stated_one_is_blank() -> None:
    pf = project_frame([project(sector=None)], [enterprise()])
    pf["inferred_sector"] = ["new_energy_storage"]
    pf["sector_confidence"] = [0.91]
    qf = product_frame([product(sectors=["new_energy_storage"])])
    result = evaluate(pf, qf, today=TODAY)
    assert status_of(result, "sectors") == PASS
    [clause] = result.explain("P1", "Q1")
    assert clause.reason == "所属领域（根据简介推断为 新能源及储能，置信度 0.91）在支持领域内"
    # a stated sector wins over the inferred one
    pf2 = pf.copy()
    pf2.loc["P1", "sector"] = "biomedicine"
    assert status_of(evaluate(pf2, qf, today=TODAY), "sectors") == FAIL


@pytest.mark.parametrize(("city", "area", "expected"), [
    ("广西", ["广西"], PASS),
    ("广西", ["南宁", "柳州"], UNKNOWN),  # only the region given: cannot tell which city
    ("广西", ["深圳"], FAIL),
    ("广西壮族自治区", ["南宁"], UNKNOWN),
    ("南宁市", ["南宁"], PASS),
    ("深圳", ["深圳"], PASS),
])
def test_city_forms(city: str, area: list[str], expected: int) -> None:
    assert status_of(one_pair(enterprise_kw={"city": city}, product_kw={"cities": area}), "cities") == expected


def test_fourteen_cities_listed_one_by_one_equal_guangxi() -> None:
    from finmatch.enums import GUANGXI_CITIES

    result = one_pair(enterprise_kw={"city": "广西"}, product_kw={"cities": list(GUANGXI_CITIES)})
    assert status_of(result, "cities") == PASS


def test_requires_profit_rejects_a_loss() -> None:
    assert status_of(one_pair(enterprise_kw={"net_profit_wan": -50}, product_kw={"requires_profit": True}),
                     "requires_profit") == FAIL

"""Property tests: the vectorised engine agrees with the per-pair reference, clause by clause, and
every what-if it proposes really makes the products it lists eligible (checked by re-evaluating)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from eligibility_builders import INSTITUTIONS, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finmatch.eligibility import CLAUSE_FIELDS, NO_CONSTRAINT, WhatIf, evaluate
from finmatch.eligibility.reference import reference_eligible, reference_pair
from finmatch.enums import GUANGXI_CITIES
from finmatch.frames import products_frame, projects_frame
from finmatch.schemas import Enterprise, Product, Project

SECTORS = ["new_energy_storage", "biomedicine", "advanced_materials", "marine_economy"]
STAGES = ["proof_of_concept", "pilot", "scale_up"]
CERTS = ["high_tech", "tech_sme", "specialized_sme", "gazelle"]
CITIES = ["南宁", "柳州", "桂林市", "崇左", "广西", "广西壮族自治区", "深圳"]
MONEY = [0, 50, 99.99, 100, 500, 1000, 1000.01, 3000]
YEARS = [2014, 2015, 2020, 2022, 2023, 2024, 2025]


def maybe(values: list[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.sampled_from(values))


def subset(values: list[Any], max_size: int = 3) -> st.SearchStrategy[list[Any]]:
    return st.lists(st.sampled_from(values), max_size=max_size, unique=True)


def ordered(values: list[Any]) -> st.SearchStrategy[tuple[Any, Any]]:
    """A (min, max) pair, either side possibly missing, never min > max."""
    def fix(pair: tuple[Any, Any]) -> tuple[Any, Any]:
        lo, hi = pair
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        return lo, hi
    return st.tuples(maybe(values), maybe(values)).map(fix)


@st.composite
def project_and_enterprise(draw: st.DrawFn, k: int) -> tuple[Project, Enterprise | None, str | None]:
    ent = Enterprise(
        enterprise_id=f"E{k}", name=f"企业{k}", city=draw(maybe(CITIES)), founded_year=draw(maybe(YEARS)),
        annual_revenue_wan=draw(maybe(MONEY + [50000, 50001])), net_profit_wan=draw(maybe([-10, 0, 0.01, 100])),
        debt_ratio=draw(maybe([0, 0.5, 0.7, 0.71, 1])), certifications=draw(subset(CERTS)),
        tax_grade=draw(maybe(list("ABMCD"))), has_collateral=draw(st.booleans()))
    proj = Project(
        project_id=f"P{k}", enterprise_id=f"E{k}", name=f"项目{k}", sector=draw(maybe(SECTORS)),
        stage=draw(st.sampled_from(STAGES)), trl=draw(maybe(list(range(1, 10)))),
        funding_need_wan=draw(st.sampled_from([m for m in MONEY if m > 0])),
        hazardous_chemicals=draw(st.booleans()), three_firsts=draw(subset(["first_set", "first_batch"], 2)))
    inferred = draw(maybe(SECTORS))
    return proj, (ent if draw(st.integers(0, 9)) else None), inferred


@st.composite
def a_product(draw: st.DrawFn, k: int) -> Product:
    trl_min, trl_max = draw(ordered(list(range(1, 10))))
    amin, amax = draw(ordered(MONEY))
    rmin, rmax = draw(ordered(MONEY + [50000]))
    age_min, age_max = draw(ordered([0, 1, 2, 3, 5, 10]))
    return Product(
        product_id=f"Q{k}", institution_id=draw(st.sampled_from(["I1", "I2"])), name=f"产品{k}",
        family=draw(st.sampled_from(["loan", "equity", "guarantee", "insurance", "subsidy"])),
        sectors=draw(subset(SECTORS)), stages=draw(subset(STAGES, 2)), trl_min=trl_min, trl_max=trl_max,
        amount_min_wan=amin, amount_max_wan=amax,
        cities=draw(st.one_of(subset(["广西", "南宁", "柳州", "深圳"], 2), st.just(list(GUANGXI_CITIES)))),
        required_certifications_any=draw(subset(CERTS, 2)), min_revenue_wan=rmin, max_revenue_wan=rmax,
        min_company_age_years=age_min, max_company_age_years=age_max,
        max_debt_ratio=draw(maybe([0.5, 0.7])), requires_profit=draw(st.booleans()),
        requires_collateral=draw(st.booleans()), min_tax_grade=draw(maybe(list("ABMCD"))),
        excludes_hazardous=draw(st.booleans()), requires_three_firsts=draw(st.booleans()),
        budget_wan=draw(maybe([0, 100, 1000, 3000])),
        valid_to=draw(maybe([TODAY - dt.timedelta(days=1), TODAY, dt.date(2025, 12, 31), dt.date(2027, 6, 1)])))


@st.composite
def catalogue(draw: st.DrawFn) -> tuple[list[tuple[Project, Enterprise | None, str | None]], list[Product]]:
    n = draw(st.integers(1, 5))
    m = draw(st.integers(1, 6))
    return [draw(project_and_enterprise(k)) for k in range(n)], [draw(a_product(k)) for k in range(m)]


def frames(items: list[tuple[Project, Enterprise | None, str | None]], products: list[Product]):
    pf = projects_frame([p for p, _, _ in items], {e.enterprise_id: e for _, e, _ in items if e is not None})
    pf["inferred_sector"] = [inf for _, _, inf in items]
    pf["sector_confidence"] = [0.8 if inf else None for _, _, inf in items]
    return pf, products_frame(products, INSTITUTIONS)


SETTINGS = settings(max_examples=100, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(catalogue())
def test_vectorised_engine_agrees_with_reference_clause_by_clause(data) -> None:
    items, products = data
    pf, qf = frames(items, products)
    result = evaluate(pf, qf, today=TODAY)
    prows, qrows = pf.to_dict(orient="records"), qf.to_dict(orient="records")
    for i, prow in enumerate(prows):
        for j, qrow in enumerate(qrows):
            expected = reference_pair(prow, qrow, TODAY)
            got = {f: int(result.status[f][i, j]) for f in CLAUSE_FIELDS}
            assert got == expected, (i, j)
            assert bool(result.eligible[i, j]) == reference_eligible(expected)
            pid, qid = result.project_ids[i], result.product_ids[j]
            explained = result.explain(pid, qid)
            assert [c.field for c in explained] == [f for f in CLAUSE_FIELDS if expected[f] != NO_CONSTRAINT]
            assert all(c.reason for c in explained)
            assert [c.field for c in explained if c.status == "fail"] == result.failed_fields(pid, qid)


def _apply(project: Project, ent: Enterprise, change: WhatIf, today: dt.date) -> tuple[Project, Enterprise, dt.date]:
    steps = change.params["changes"] if change.change == "combined" else [
        {"change": change.change, "params": change.params}]
    for step in steps:
        kind, params = step["change"], step["params"]
        if kind in ("lower_amount", "raise_amount"):
            project = project.model_copy(update={"funding_need_wan": params["funding_need_wan"]})
        elif kind == "add_guarantee":
            ent = ent.model_copy(update={"has_collateral": True})
        elif kind == "obtain_certification":
            ent = ent.model_copy(update={"certifications": [*ent.certifications, params["certification"]]})
        elif kind == "wait_years":
            today = dt.date(today.year + params["years"], 1, 1)
        elif kind == "raise_trl":
            project = project.model_copy(update={"trl": params["trl"]})
        elif kind == "lower_debt_ratio":
            ent = ent.model_copy(update={"debt_ratio": params["debt_ratio"]})
        elif kind == "improve_tax_grade":
            ent = ent.model_copy(update={"tax_grade": params["tax_grade"]})
        else:
            raise AssertionError(kind)
    return project, ent, today


@settings(SETTINGS, max_examples=60)
@given(catalogue())
def test_what_if_changes_unlock_exactly_the_products_they_list(data) -> None:
    items, products = data
    qf = products_frame(products, INSTITUTIONS)
    for proj, ent, _ in items:
        if ent is None:
            continue
        before = evaluate(projects_frame([proj], {ent.enterprise_id: ent}), qf, today=TODAY)
        changes = before.project_what_if(proj.project_id)
        for j, qid in enumerate(before.product_ids):
            if not before.eligible[0, j]:
                changes += before.what_if(proj.project_id, qid)
        for change in changes:
            p2, e2, day = _apply(proj, ent, change, TODAY)
            after = evaluate(projects_frame([p2], {e2.enterprise_id: e2}), qf, today=day)
            unlocked = after.eligible[0] & ~before.eligible[0]
            assert change.product_ids == [q for q, u in zip(before.product_ids, unlocked, strict=True) if u]
            assert change.product_ids and change.description


def test_generated_catalogues_exercise_every_status() -> None:
    """Guard against a vacuous property: the strategies reach pass, fail and unknown for every clause."""
    seen: dict[str, set[int]] = {f: set() for f in CLAUSE_FIELDS}

    @settings(max_examples=80, deadline=None, derandomize=True, database=None)
    @given(catalogue())
    def collect(data) -> None:
        pf, qf = frames(*data)
        result = evaluate(pf, qf, today=TODAY)
        for f in CLAUSE_FIELDS:
            seen[f].update(int(v) for v in np.unique(result.status[f]))

    collect()
    never_unknown = {"valid_to", "amount_min_wan", "amount_max_wan", "budget_wan", "stages",
                     "excludes_hazardous", "requires_three_firsts"}
    for f, codes in seen.items():
        assert {0, 1, 2} <= codes, f
        if f not in never_unknown:
            assert -1 in codes, f

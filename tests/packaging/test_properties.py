"""Property tests on random catalogues: every package passes the independent checker, and the exact
composer is never worse than the greedy baseline on the chosen objective (nor is greedy invalid)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finmatch.matching import PriorScorer
from finmatch.packaging import compose, solve_greedy
from finmatch.packaging.figures import objective_key
from finmatch.services.matching import match_frames
from finmatch.services.packages import figures_json, packages_for_frames, problem_for
from tests.packaging.conftest import frames_from, violations

FAMILIES = ["equity", "loan", "guarantee", "insurance", "subsidy"]
SUBSIDY_KINDS = [("贷款贴息", "对科创贷按{pp}个百分点贴息，每户每年最高{cap}万元。"),
                 ("保费补贴", "对投保中试险的项目按实缴保费的{share}%给予补贴，单个项目最高{cap}万元。"),
                 ("担保费补贴", "按担保费的{share}%补贴。"),
                 ("后补助", "按设备投入的{share}%给予后补助，最高{cap}万元。")]
LOAN_KINDS = ["科创贷", "中试贷", "知识产权质押贷"]


@st.composite
def product(draw: st.DrawFn, k: int) -> dict:
    fam = draw(st.sampled_from(FAMILIES))
    p: dict = {"product_id": f"P{k:03d}", "institution_id": f"I{draw(st.integers(0, 3))}", "name": f"产品{k}",
               "family": fam}
    if fam != "subsidy":
        lo = draw(st.integers(0, 800))
        p["amount_min_wan"] = lo or None
        p["amount_max_wan"] = draw(st.one_of(st.none(), st.integers(max(lo, 1), 6000)))
        p["rate_pct"] = draw(st.one_of(st.none(), st.floats(0.3, 6.0).map(lambda x: round(x, 2))))
        p["budget_wan"] = draw(st.one_of(st.none(), st.integers(0, 8000)))
    if fam == "loan":
        p["kind"] = draw(st.sampled_from(LOAN_KINDS))
        p["requires_collateral"] = draw(st.booleans())
        p["max_debt_ratio"] = draw(st.one_of(st.none(), st.sampled_from([0.5, 0.6, 0.65, 0.7, 0.8])))
    if fam == "insurance":
        p["kind"] = "中试险"
    if fam == "guarantee":
        p["kind"] = "科创担"
    if fam == "subsidy":
        kind, text = draw(st.sampled_from(SUBSIDY_KINDS))
        p["kind"] = kind
        p["description"] = text.format(pp=draw(st.sampled_from([0.5, 1, 1.5, 2])), cap=draw(st.integers(5, 400)),
                                       share=draw(st.sampled_from([20, 50, 80])))
        p["budget_wan"] = draw(st.one_of(st.none(), st.integers(0, 500)))
    return p


@st.composite
def world(draw: st.DrawFn) -> dict:
    products = [draw(product(k)) for k in range(draw(st.integers(1, 12)))]
    revenue = draw(st.one_of(st.none(), st.integers(0, 20000)))
    enterprise = {"enterprise_id": "E1", "name": "测试企业", "city": "南宁", "founded_year": draw(st.integers(2010, 2025)),
                  "annual_revenue_wan": revenue, "debt_ratio": draw(st.one_of(st.none(), st.floats(0.05, 0.75))),
                  "has_collateral": draw(st.booleans()), "first_time_borrower": draw(st.booleans())}
    project = {"project_id": "XM1", "enterprise_id": "E1", "name": "测试中试项目", "stage": draw(
        st.sampled_from(["pilot", "proof_of_concept", "scale_up"])), "funding_need_wan": draw(st.integers(50, 9000))}
    return {"institutions": [{"institution_id": f"I{i}", "name": f"机构{i}", "type": "bank"} for i in range(4)],
            "enterprises": [enterprise], "projects": [project], "products": products}


RULES = settings(max_examples=40, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@RULES
@given(world(), st.sampled_from(["cost", "probability", "dilution"]))
def test_random_catalogues_packages_are_valid(settings_today, doc, objective):
    frames = frames_from(doc)
    out = packages_for_frames(frames.projects, frames.products, PriorScorer(), settings_today, objective,
                              with_alternatives=False)
    assert violations(out, frames) == {}


@RULES
@given(world())
def test_exact_never_worse_than_greedy(settings_today, doc):
    frames = frames_from(doc)
    result = match_frames(frames.projects, frames.products, PriorScorer(), settings_today)
    problem = problem_for(result, PriorScorer(), "XM1", settings_today)
    for objective in ("cost", "probability", "dilution"):
        exact, greedy = compose(problem, objective), solve_greedy(problem, objective)
        assert exact is not None and exact.optimal
        assert objective_key(exact, objective) <= objective_key(greedy, objective)
        entry = figures_json(problem, greedy)
        out = {"packages": {"XM1": {**entry, "alternatives": [], "best": {}}}}
        assert violations(out, frames) == {}, objective

"""The sample data: every project with an eligible product gets a package or a clear reason, and every
package (each objective's best and the Pareto alternatives) passes the independent checker."""

from __future__ import annotations

import pytest

from finmatch.eligibility import evaluate
from finmatch.services.packages import packages_for_frames
from tests.packaging.conftest import TODAY, violations


@pytest.fixture(scope="module")
def cost_out(sample, settings_today):
    return packages_for_frames(sample.projects, sample.products, _scorer(), settings_today, "cost",
                               with_alternatives=False)


def _scorer():
    from finmatch.matching import PriorScorer

    return PriorScorer()


def test_every_sample_package_satisfies_every_constraint(cost_out, sample):
    assert set(cost_out["packages"]) == set(sample.projects.index)
    assert violations(cost_out, sample) == {}


def test_every_project_with_an_eligible_product_gets_a_package_or_a_reason(cost_out, sample):
    elig = evaluate(sample.projects, sample.products, today=TODAY)
    statuses = set()
    for pid, entry in cost_out["packages"].items():
        statuses.add(entry["status"])
        if not elig.eligible[elig.project_ids.index(pid)].any():
            continue
        if entry["status"] == "none":
            assert entry["reasons"], pid
            assert any("无法" in r or "没有" in r for r in entry["reasons"]), entry["reasons"]
        else:
            assert entry["parts"] and entry["steps"], pid
        if entry["status"] == "partial":
            assert any("无法覆盖" in r for r in entry["reasons"]), entry["reasons"]
    assert "covered" in statuses  # the sample is not all hopeless


@pytest.mark.parametrize("objective", ["probability", "dilution"])
def test_other_objectives_with_alternatives_on_a_slice(sample, settings_today, objective):
    sub = sample.projects.iloc[:6]
    out = packages_for_frames(sub, sample.products, _scorer(), settings_today, objective)
    assert violations(out, type(sample)(sub, sample.products)) == {}
    for entry in out["packages"].values():
        assert entry["objective"] == objective
        best = entry["best"]
        assert set(best) == {"cost", "probability", "dilution"}
        if entry["status"] != "none":
            # each objective's best is best on its own figure among the three
            assert best["cost"]["annual_cost_wan"] <= min(b["annual_cost_wan"] for b in best.values()) + 1e-9
            assert best["probability"]["probability"] >= max(b["probability"] for b in best.values()) - 1e-9
            assert best["dilution"]["equity_share"] <= min(b["equity_share"] for b in best.values()) + 1e-9
            assert 1 <= len(entry["alternatives"]) <= 5

"""``explain`` with a status / field filter gives exactly the matching clauses of the full explanation."""

from __future__ import annotations

import pytest
from eligibility_builders import TODAY

from finmatch.eligibility import CLAUSE_FIELDS, evaluate


@pytest.fixture(scope="module")
def result():
    from training.synthetic import generate_dataset, load_catalogue
    from training.synthetic.dataset import frames

    projects, products = frames(generate_dataset(n_projects=40, seed=7), load_catalogue())
    return evaluate(projects, products, TODAY)


def test_filtered_explain_equals_the_filtered_full_explanation(result) -> None:
    fields = set(CLAUSE_FIELDS[::2])
    seen = set()
    for pid in result.project_ids:
        for qid in result.product_ids:
            full = result.explain(pid, qid)
            seen |= {c.status for c in full}
            for statuses in (("pass",), ("fail",), ("unknown",), ("pass", "unknown")):
                assert result.explain(pid, qid, statuses=statuses) == [c for c in full if c.status in statuses]
            assert result.explain(pid, qid, fields=fields) == [c for c in full if c.field in fields]
    assert seen == {"pass", "fail", "unknown"}  # the data exercise every status

"""``explain`` words its sentences from column lists and memoises them: the texts stay those of the whole rows.

``explain`` no longer reads ``projects.iloc[i].to_dict()`` per pair: it passes each reason function only
the project columns ``PROJECT_COLUMNS`` names (read once per result), and words each distinct input
(field, status, those project values, the ``PRODUCT_COLUMNS`` values) once. These tests hold it to the
old path: the same sentence as from the whole row dicts, for every pair and every status.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from eligibility_builders import TODAY

from finmatch.eligibility import CLAUSE_FIELDS, FAIL, NO_CONSTRAINT, PASS, UNKNOWN, ClauseResult, evaluate
from finmatch.eligibility.evaluation import column_values
from finmatch.eligibility.reasons import PRODUCT_COLUMNS, PROJECT_COLUMNS, reason
from finmatch.eligibility.values import STATUS_NAMES


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """60 generated projects with the prior's inferred sectors (blank sectors, missing TRL…), the catalogue."""
    from features.cold_start import ColdStartText
    from finmatch.matching import PriorScorer
    from training.synthetic import generate_dataset, load_catalogue
    from training.synthetic.dataset import frames as to_frames

    projects, products = to_frames(generate_dataset(n_projects=60, seed=7), load_catalogue())
    text = ColdStartText().fit(projects)
    projects = PriorScorer(text_similarity=text.similarity, sector_inferer=text.infer).enrich_projects(projects)
    assert projects["inferred_sector"].notna().any() and projects["trl"].isna().any()
    return projects, products


def old_explain(projects: pd.DataFrame, products: pd.DataFrame, status: dict[str, np.ndarray], i: int,
                j: int) -> list[ClauseResult]:
    """``explain`` as it was: every stated clause worded from the whole row dicts."""
    project, product = projects.iloc[i].to_dict(), products.iloc[j].to_dict()
    return [ClauseResult(f, STATUS_NAMES[code], reason(f, code, project, product, TODAY))
            for f in CLAUSE_FIELDS if (code := int(status[f][i, j])) != NO_CONSTRAINT]


class Recording(dict):
    """A row dict that notes every key a reason function reads."""

    def __init__(self, row: dict[str, Any]) -> None:
        super().__init__(row)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def test_every_clause_names_its_columns() -> None:
    assert set(PROJECT_COLUMNS) == set(PRODUCT_COLUMNS) == set(CLAUSE_FIELDS)


def test_reasons_read_only_the_columns_they_name(frames) -> None:
    projects, products = frames
    project_rows = [projects.iloc[i].to_dict() for i in range(len(projects))]
    product_rows = [products.iloc[j].to_dict() for j in range(len(products))]
    for f in CLAUSE_FIELDS:
        for code in (PASS, FAIL, UNKNOWN):
            for i, p_row in enumerate(project_rows):
                for q_row in product_rows[i % 7::7]:
                    if q_row.get(f) is None or (isinstance(q_row.get(f), float) and np.isnan(q_row[f])):
                        continue  # the product states no such clause: never worded
                    p, q = Recording(p_row), Recording(q_row)
                    reason(f, code, p, q, TODAY)
                    assert p.read <= set(PROJECT_COLUMNS[f]), (f, p.read)
                    assert q.read <= set(PRODUCT_COLUMNS[f]), (f, q.read)


@pytest.mark.parametrize("rows", [1, 16, 60], ids=["one", "short", "all"])
def test_column_values_are_the_row_dict_values(frames, rows: int) -> None:
    """Type and value, whichever way a column is read (a short extension array element by element)."""
    projects = frames[0].iloc[:rows]
    dicts = [projects.iloc[i].to_dict() for i in range(len(projects))]
    for column in projects.columns:
        for value, row in zip(column_values(projects, column), dicts, strict=True):
            assert type(value) is type(row[column]), column
            assert value == row[column] or (pd.isna(value) and pd.isna(row[column])), column


@pytest.mark.parametrize("forced", [None, PASS, FAIL, UNKNOWN], ids=["actual", "pass", "fail", "unknown"])
def test_explain_gives_the_whole_row_sentences(frames, forced: int | None) -> None:
    """Every pair (the eligible ones and the others), with its own statuses and with every stated clause
    forced to each status, so each branch of each reason is compared."""
    projects, products = frames
    result = evaluate(projects, products, TODAY)
    if forced is not None:
        result.status = {f: np.where(m == NO_CONSTRAINT, m, np.int8(forced)).astype(m.dtype)
                         for f, m in result.status.items()}
    seen = set()
    for i, pid in enumerate(result.project_ids):
        for j, qid in enumerate(result.product_ids):
            new = result.explain(pid, qid)
            assert new == old_explain(projects, products, result.status, i, j), (pid, qid)
            seen |= {c.status for c in new}
            if forced is None and result.eligible[i, j]:
                assert result.explain(pid, qid, statuses=("pass",), fields=("sectors", "cities")) == [
                    c for c in new if c.status == "pass" and c.field in ("sectors", "cities")]
    assert seen == ({"pass", "fail", "unknown"} if forced is None else {STATUS_NAMES[forced]})


def test_memoised_sentences_keep_apart_values_worded_differently(frames) -> None:
    """Inputs that compare equal but read differently (-0.0 and 0.0, 1 and 1.0 and True) get their own
    sentence; every NaN reads the same."""
    projects, products = frames
    projects = projects.iloc[:6].copy()
    projects["debt_ratio"] = [0.0, -0.0, 0.5, np.nan, float("nan"), 0.5]
    projects["sector_confidence"] = pd.Series([0.0, -0.0, 1.0, 1, True, np.nan], dtype=object).to_numpy()
    projects["sector"] = None  # every sector inferred: the confidence is in the sentence
    projects["inferred_sector"] = projects["inferred_sector"].fillna("new_materials")
    result = evaluate(projects, products, TODAY)
    result.status = {f: np.where(m == NO_CONSTRAINT, m, np.int8(PASS)).astype(m.dtype)
                     for f, m in result.status.items()}
    texts = set()
    for i, pid in enumerate(result.project_ids):
        for j, qid in enumerate(result.product_ids):
            new = result.explain(pid, qid)
            assert new == old_explain(projects, products, result.status, i, j), (pid, qid)
            texts |= {c.reason for c in new if c.field in ("max_debt_ratio", "sectors")}
    assert any("-0%" in t for t in texts) and any(" 0%" in t for t in texts)

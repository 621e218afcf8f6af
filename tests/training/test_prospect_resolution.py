"""Scores an officer can rank on (demo data, the session's trained model): the top 50 prospects of every
product carry ≥ 20 distinct probabilities as the pages show them (76.0%), no reason text sits on more
than 30% of them, no reason is a product-level constant, and calibration keeps ECE ≤ 0.05."""

from __future__ import annotations

import json
import math
import re
from collections import Counter

import pytest

from features.artifact_types import artifact_types
from features.pair_reasons import COMMON_FLAGS, PRODUCT_LEVEL, reason_text
from finmatch.matching import MatchEngine
from finmatch.registry import load_scorer
from finmatch.runtime import open_database
from finmatch.storage import Repository
from tests.training.conftest import Trained
from training.calibration import resolution

TOP = 50


@pytest.fixture(scope="module")
def prospects(trained: Trained):  # type: ignore[no-untyped-def]
    scorer, _ = load_scorer(trained.settings, types=artifact_types())
    db = open_database(trained.settings)
    with db.factory() as session:
        repo = Repository(session)
        projects, products = repo.projects_frame(), repo.products_frame()
    db.dispose()
    result = MatchEngine(scorer, today=trained.settings.today).run(projects, products)
    return {pid: result.prospects(pid).head(TOP) for pid in products.index}


def test_top_prospects_have_distinct_probabilities(prospects) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for pid, top in prospects.items():
        if len(top) < TOP:
            continue  # a niche product with fewer eligible projects than a page holds
        checked += 1
        assert resolution(top["probability"].to_numpy(), 3) >= 20, pid
    assert checked >= 5


def test_no_reason_text_dominates_and_reasons_speak_of_the_project(prospects) -> None:  # type: ignore[no-untyped-def]
    for pid, top in prospects.items():
        if len(top) < TOP:
            continue
        shown = ["；".join(r) for r in top["reasons"]]
        text, count = Counter(shown).most_common(1)[0]
        assert count <= 0.3 * len(top), (pid, text, count)
        firsts = Counter(r[0] if r else "" for r in top["reasons"])
        first, n_first = firsts.most_common(1)[0]
        assert n_first <= 0.3 * len(top), (pid, first, n_first)  # nor does the top reason
        assert all("该产品历史" not in t and "该机构历史" not in t and "历史对接转化率" not in t for t in firsts), pid
        assert any(re.search(r"\d", t) for t in firsts), pid  # reasons quote the project's figures


def test_product_level_features_never_give_a_reason() -> None:
    assert all(reason_text(f, 0.9) is None for f in PRODUCT_LEVEL)
    assert all(reason_text(f, 1.0) is None for f in COMMON_FLAGS)
    assert reason_text("revenue_log", math.log1p(3200)) == "企业上年营收 3,200 万元，规模符合产品偏好"
    assert reason_text("trl", 6.0) == "技术成熟度 TRL 6 级，契合产品偏好"
    assert reason_text("debt_ratio", 0.9) is None  # a high debt ratio is never a reason to lend


def test_calibration_keeps_ece_low(trained: Trained) -> None:
    metrics = json.loads((trained.settings.resolved_model_dir / trained.version / "metrics.json").read_text("utf-8"))
    found = {k: v for k, v in _flatten(metrics).items() if "ece" in k.lower() and isinstance(v, int | float)}
    assert found, "no ECE in metrics.json"
    assert all(v <= 0.05 for v in found.values()), found


def _flatten(d: object, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    if isinstance(d, dict):
        for k, v in d.items():
            out.update(_flatten(v, f"{prefix}{k}."))
    else:
        out[prefix.rstrip(".")] = d
    return out

"""Day-one matching on the independent set: a fresh data dir, no model, no stored projects."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from finmatch.eligibility.prepare import SECTOR_CONFIRM_CONFIDENCE
from finmatch.settings import get_settings
from training.independent import VALIDATION_DIR, ValidationSet, ranking_report


@pytest.fixture(scope="module")
def fresh_match(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``finmatch match --input FILE --json`` on an empty data dir (lexicon-only: embeddings off)."""
    from app.cli import app

    data_dir = tmp_path_factory.mktemp("fresh")
    env = {"FINMATCH_DATA_DIR": str(data_dir), "FINMATCH_USE_EMBEDDINGS": "false", "FINMATCH_TODAY": "2026-06-30",
           "FINMATCH_DATABASE_URL": f"sqlite:///{data_dir / 'finmatch.db'}", "FINMATCH_MODEL_DIR": str(data_dir / "m")}
    mp = pytest.MonkeyPatch()
    for k, v in env.items():
        mp.setenv(k, v)
    get_settings.cache_clear()
    try:
        res = CliRunner().invoke(app, ["match", "--input", str(VALIDATION_DIR / "validation.json"), "--top", "5",
                                       "--json"])
    finally:
        mp.undo()
        get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_fresh_install_infers_every_blank_sector_and_marks_uncertain_ones(fresh_match: dict) -> None:
    assert fresh_match["model"] == "prior"
    info = fresh_match["projects"]
    assert len(info) == 88
    for pid, s in info.items():
        assert s["sector"] and s["sector_inferred"], pid
        assert s["sector_uncertain"] == (s["sector_confidence"] < SECTOR_CONFIRM_CONFIDENCE)
        assert len(s["sector_candidates"]) == 2


def test_unconfirmed_sector_restricted_products_are_never_ranked(fresh_match: dict,
                                                                 validation: ValidationSet) -> None:
    restricted = {pid for pid, s in validation.products["sectors"].items() if s}
    uncertain = [pid for pid, s in fresh_match["projects"].items() if s["sector_uncertain"]]
    for pid in uncertain:
        ranked = {m["product_id"] for m in fresh_match["matches"][pid]}
        assert not ranked & restricted, pid
        waiting = {c["product_id"]: c for c in fresh_match["needs_confirmation"][pid]}
        for product_id in waiting.keys() & restricted:
            assert "sectors" in waiting[product_id]["unknown"]
            assert any("待确认领域" in f for f in waiting[product_id]["facts"])
    # a pair with any unknown clause is listed apart, with the facts that would decide it
    for pid, items in fresh_match["needs_confirmation"].items():
        ranked = {m["product_id"] for m in fresh_match["matches"][pid]}
        for c in items:
            assert c["product_id"] not in ranked and c["unknown"] and len(c["facts"]) == len(c["unknown"])


def test_top5_slots_are_in_the_requested_families(fresh_match: dict, validation: ValidationSet) -> None:
    """Every top-5 slot a requested-family product could fill is filled by one (≥ 90% required)."""
    filled = possible = total = 0
    wanted = validation.projects["funding_types"]
    for pid, items in fresh_match["matches"].items():
        if not wanted[pid]:
            continue
        total += len(items)
        filled += sum(m["family"] in wanted[pid] for m in items)
    # what could have been filled: requested-family products among the project's confirmed matches
    from features.cold_start import ColdStartText, prior_scorer
    from finmatch.matching import MatchEngine
    from training.independent import TODAY

    result = MatchEngine(prior_scorer(ColdStartText().fit(pd.DataFrame())), today=TODAY).run(
        validation.projects, validation.products)
    for pid in validation.projects.index:
        if wanted[pid]:
            possible += min(5, sum(m.family in wanted[pid] for m in result.ranked(pid)))
    print(f"\ntop-5 slots in a requested family: {filled}/{total} = {filled / total:.1%} of all slots, "
          f"{filled}/{possible} = {filled / possible:.1%} of the slots a requested product could fill")
    assert filled / possible >= 0.90


def test_prior_beats_every_simple_baseline_on_graded_relevance(validation: ValidationSet) -> None:
    from features.cold_start import ColdStartText, prior_scorer

    table = ranking_report({"prior": prior_scorer(ColdStartText().fit(pd.DataFrame()))}, validation)
    print("\n" + table.round(4).to_string())
    ndcg = table.set_index("scorer")["ndcg@5"]
    assert ndcg["prior"] >= 0.80
    for baseline in ("random_eligible", "sector_equality", "requested_family", "family_then_sector"):
        assert ndcg["prior"] > ndcg[baseline], baseline


def test_reasons_speak_of_the_project(fresh_match: dict, validation: ValidationSet) -> None:
    """A prior reason names the project's own facts (its need, stage, revenue …), in Chinese."""
    need = validation.projects["funding_need_wan"]
    seen = 0
    for pid, items in fresh_match["matches"].items():
        for m in items:
            ticket = [r for r in m["reasons"] if r.startswith("融资需求") and "相符" in r]
            if ticket:
                assert f"{need[pid]:,.0f}" in ticket[0]
                seen += 1
    assert seen >= 50
    assert Path(VALIDATION_DIR / "RUBRIC.md").exists()

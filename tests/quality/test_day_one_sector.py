"""Sector understanding on the independent set (written apart from the generator, never fitted on)."""

from __future__ import annotations

import pytest

from finmatch.eligibility.prepare import SECTOR_CONFIRM_CONFIDENCE
from training.independent import ValidationSet, sector_understanding_report


@pytest.fixture(scope="module")
def lexicon_report(validation: ValidationSet) -> dict:
    return sector_understanding_report(False, None, validation)


@pytest.fixture(scope="module")
def embedding_report(validation: ValidationSet, embedding_cache: str) -> dict:
    return sector_understanding_report(True, embedding_cache, validation)


def test_the_set_covers_every_sector_and_the_hard_cases(validation: ValidationSet) -> None:
    counts = validation.sectors.value_counts()
    assert len(validation.projects) >= 80 and len(validation.products) >= 30
    assert len(counts) == 11 and counts.min() >= 6
    text = "".join(validation.projects["name"] + validation.projects["description"])
    for term in ("蔗渣", "糖蜜", "碳酸钙", "铝箔", "铝合金", "稀土", "二氧化碳", "钠离子", "锂", "电驱", "芯片",
                 "生产执行系统", "胶原蛋白", "海藻"):
        assert term in text, term
    assert validation.projects["sector"].isna().all()  # day one: every sector is to be inferred


@pytest.mark.parametrize("mode", ["lexicon", "embedding"])
def test_sector_accuracy_on_the_independent_set(mode: str, request: pytest.FixtureRequest) -> None:
    rep = request.getfixturevalue(f"{mode}_report")
    print(f"\n{mode}: accuracy {rep['accuracy']:.3f}, abstention {rep['abstention']:.3f}, accuracy when sure "
          f"{rep['accuracy_when_sure']:.3f}, top-2 {rep['top2']:.3f}, confident errors {rep['confident_errors']}")
    print(rep["confusion"].to_string())
    assert rep["accuracy"] >= 0.90
    assert rep["accuracy_when_sure"] >= 0.90  # what it does say
    assert rep["abstention"] <= 0.15
    assert rep["top2"] >= 0.95
    assert min(v["accuracy"] for v in rep["per_sector"].values()) >= 0.75


def test_product_focus_read_from_prose(lexicon_report: dict) -> None:
    focus = lexicon_report["product_focus"]
    assert focus["precision"] >= 0.9 and focus["recall"] >= 0.7


def test_uncertain_means_below_the_confirmation_threshold(validation: ValidationSet) -> None:
    from features.sector import SectorUnderstanding, understand_sectors

    out = understand_sectors(validation.projects, SectorUnderstanding(use_embeddings=False))
    below = out["sector_confidence"] < SECTOR_CONFIRM_CONFIDENCE
    assert (out["sector_uncertain"] == below).all()
    assert out["inferred_sector"].notna().all() and out["sector_second"].notna().all()

"""Serving picks whichever of the prior and the model won on the model's own held-out time split."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from finmatch.matching import PriorScorer
from finmatch.registry import ModelInfo, prior_wins
from finmatch.services.serving_model import LoadedModel


def _metrics(model: float, prior: float) -> dict:
    return {"time_split": {"lambdarank": {"ndcg@5": model}, "prior": {"ndcg@5": prior}}}


def test_prior_wins_only_when_it_beat_the_model() -> None:
    assert prior_wins(_metrics(0.70, 0.75))
    assert not prior_wins(_metrics(0.83, 0.75))
    assert not prior_wins({})  # nothing recorded: the model stays


def test_the_served_ranking_is_said_in_words() -> None:
    now = dt.datetime.now(dt.UTC)
    info = ModelInfo("20260101T000000Z-abc", Path("/nonexistent"), _metrics(0.70, 0.75), {})
    info.served = "prior"
    lost = LoadedModel(PriorScorer(), info, now).describe()
    assert lost["version"] == "prior" and lost["served"] == "prior" and lost["is_prior"]
    assert lost["trained_version"] == info.version and "不如知识先验" in lost["served_text"]
    cold = LoadedModel(PriorScorer(), None, now).describe()
    assert cold["served"] == "prior" and "尚无足够的对接历史" in cold["served_text"]

"""Retraining from the database, and the leakage guards."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from features.artifact_types import artifact_types
from features.pairs import PairFeatureBuilder
from finmatch.registry import load_scorer as _load_scorer
from finmatch.runtime import open_database
from finmatch.schemas import Outcome
from finmatch.storage import Repository
from tests.training.conftest import Trained
from training.dataset import (
    LeakageError,
    assert_time_ordered,
    build_groups,
    check_outcome_dates,
    training_data_from_document,
)


def load_scorer(settings, **kw):
    """What the composition roots do: the features allow-list handed to the core's reader."""
    return _load_scorer(settings, types=artifact_types(), **kw)


def test_retrain_after_new_outcomes_changes_version_and_reload_picks_it(trained_copy: Trained) -> None:
    from training.command import train_command

    settings = trained_copy.settings
    before, _ = load_scorer(settings)
    last = max(trained_copy.document.events, key=lambda e: e.date)
    new = [Outcome(project_id=p, product_id=last.product_ids[0], event_id=last.event_id, stage="signed",
                   date=last.date + dt.timedelta(days=30)) for p in last.project_ids[:5]]
    db = open_database(settings)
    with db.factory() as session:
        Repository(session).upsert_many("outcomes", new)
        session.commit()
    db.dispose()
    version = train_command(settings, progress=False)
    assert version is not None and version != before.version and version > before.version
    after, info = load_scorer(settings)  # what POST /models/reload does: no restart
    assert after.version == version == info.version
    pinned, _ = load_scorer(settings.model_copy(update={"model_version": before.version}))
    assert pinned.version == before.version


def test_outcomes_dated_before_their_event_are_refused(sample_document) -> None:
    data = training_data_from_document(sample_document)
    check_outcome_dates(data.outcomes, data.events)  # the generated history is consistent
    shuffled = data.outcomes.copy()
    shuffled["date"] = np.random.default_rng(1).permutation(shuffled["date"].to_numpy())
    with pytest.raises(LeakageError):
        check_outcome_dates(shuffled, data.events)
    data.outcomes = shuffled
    with pytest.raises(LeakageError):
        build_groups(data, PairFeatureBuilder(use_embeddings=False), progress=False)


def test_time_split_refuses_test_events_before_training_events() -> None:
    train = pd.DataFrame({"event_date": [dt.date(2025, 6, 1), dt.date(2025, 3, 1)]})
    test = pd.DataFrame({"event_date": [dt.date(2025, 5, 1)]})
    with pytest.raises(LeakageError):
        assert_time_ordered(train, test)
    assert_time_ordered(test.assign(event_date=[dt.date(2025, 1, 1)]), train)


def test_history_features_ignore_outcomes_on_or_after_the_event(sample_document) -> None:
    data = training_data_from_document(sample_document)
    events = sorted(data.events, key=lambda e: e.date)
    ev = events[len(events) // 2]
    pairs = pd.DataFrame({"project_id": ev.project_ids[:20], "product_id": ev.product_ids[:1] * 20})
    builder = PairFeatureBuilder(use_embeddings=False).fit(data.projects, data.products, data.outcomes,
                                                           data.institution_cities)
    hist = [c for c in builder.feature_names_ if c.startswith("hist_")]

    def history(outcomes: pd.DataFrame) -> pd.DataFrame:
        builder.set_history(data.projects, data.products, outcomes)
        return builder.transform(data.projects, data.products, pairs, as_of=ev.date, exclude_event=ev.event_id)[hist]

    full = history(data.outcomes)
    future = data.outcomes["date"] >= ev.date
    scrambled = data.outcomes.copy()
    scrambled.loc[future, "stage"] = "signed"  # rewrite the whole future: nothing may change
    pd.testing.assert_frame_equal(full, history(data.outcomes[~future]))
    pd.testing.assert_frame_equal(full, history(scrambled))
    assert not full.equals(history(data.outcomes.iloc[:0]))  # the past does matter


def test_evaluate_command_writes_the_comparison_per_family(trained: Trained, tmp_path, capsys) -> None:
    import json

    from training.command import evaluate_command

    out = tmp_path / "eval.json"
    evaluate_command(trained.settings, output=out, progress=False)
    payload = json.loads(out.read_text("utf-8"))
    rows = pd.DataFrame(payload["table"])
    assert set(rows["split"]) == {"time", "group_kfold"}
    assert {"equity", "loan", "guarantee", "insurance", "subsidy", "all"} <= set(rows["family"])
    assert {"lambdarank", "random", "prior", "bm25", "embedding", "logreg", "oracle"} <= set(rows["scorer"])
    assert 0 < payload["model_oracle_ratio_ndcg@5"] <= 1.05
    assert "ndcg@5" in capsys.readouterr().out

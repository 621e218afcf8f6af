"""Training groups: one per (event, project), holding the event's products the project was ELIGIBLE for
on the event date, each with its label and its pair features computed "as of" the event.

Leakage guards, by construction: history features count only outcomes dated strictly before the event
and never the event's own outcomes; an outcome dated before its own event is impossible in real life,
so ``check_outcome_dates`` refuses such data instead of silently training on it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from features.pairs import PairFeatureBuilder
from finmatch.eligibility import evaluate
from finmatch.exceptions import LeakageError
from finmatch.frames import products_frame, projects_frame
from finmatch.schemas import Document, Event
from finmatch.storage import Repository
from training.labels import attach_events, outcomes_frame, pair_labels

log = logging.getLogger(__name__)
KEY_COLUMNS = ["group", "event_id", "event_date", "project_id", "product_id", "family", "institution_id", "label",
               "relevance"]


@dataclass
class TrainingData:
    projects: pd.DataFrame
    products: pd.DataFrame
    events: list[Event]
    outcomes: pd.DataFrame
    institution_cities: dict[str, str] = field(default_factory=dict)
    oracle_seed: int | None = None

    def data_hash(self) -> str:
        """sha256 over everything training reads, so a retrain on other data gets another version."""
        h = hashlib.sha256()
        for frame in (self.projects, self.products):
            h.update(frame.sort_index().to_json(orient="split", date_format="iso", default_handler=str).encode())
        h.update(json.dumps([e.model_dump(mode="json") for e in sorted(self.events, key=lambda e: e.event_id)],
                            sort_keys=True).encode())
        o = self.outcomes.sort_values(["project_id", "product_id", "event_id", "stage", "date"], na_position="first")
        h.update(o.to_json(orient="values", date_format="iso", default_handler=str).encode())
        return h.hexdigest()


def oracle_seed_of(events: Sequence[Event]) -> int | None:
    """The generator's seed, when the events say they came from ``finmatch generate``."""
    for e in events:
        for key in ("seed", "synthetic_seed", "generator_seed"):
            raw = (e.extra or {}).get(key)
            if raw not in (None, ""):
                try:
                    return int(raw)
                except (TypeError, ValueError):
                    continue
    return None


def load_training_data(repo: Repository) -> TrainingData:
    outcomes = outcomes_frame(repo.outcomes())
    events = repo.events()
    cities = {k: (v.city or "") for k, v in repo.institutions().items()}
    return TrainingData(repo.projects_frame(), repo.products_frame(), events, attach_events(outcomes, events),
                        cities, oracle_seed_of(events))


def check_outcome_dates(outcomes: pd.DataFrame, events: Sequence[Event]) -> None:
    """Raise LeakageError when an outcome is dated before the event it belongs to."""
    dates = {e.event_id: e.date for e in events}
    ev_date = outcomes["event_id"].map(dates)
    bad = outcomes[ev_date.notna() & (pd.to_datetime(outcomes["date"]) < pd.to_datetime(ev_date))]
    if len(bad):
        sample = bad.head(3)[["project_id", "product_id", "event_id", "date"]].to_dict("records")
        raise LeakageError(f"{len(bad)} 条对接结果的日期早于其所属活动，数据时间顺序有误 / "
                           f"{len(bad)} outcome(s) dated before their own event, e.g. {sample}")


def build_groups(data: TrainingData, builder: PairFeatureBuilder, progress: bool = True) -> pd.DataFrame:
    """Key columns (KEY_COLUMNS) plus the builder's features, one row per eligible pair per (event, project)."""
    check_outcome_dates(data.outcomes, data.events)
    labels = pair_labels(data.outcomes)
    projects = builder.enrich_projects(data.projects)
    parts: list[pd.DataFrame] = []
    events = sorted(data.events, key=lambda e: (e.date, e.event_id))
    for ev in tqdm(events, desc="构建训练样本", unit="场", disable=not progress):
        pids = [p for p in dict.fromkeys(ev.project_ids) if p in projects.index]
        qids = [q for q in dict.fromkeys(ev.product_ids) if q in data.products.index]
        if not pids or not qids:
            continue
        pj, pr = projects.loc[pids], data.products.loc[qids]
        elig = evaluate(pj, pr, today=ev.date)
        ii, jj = np.nonzero(elig.eligible)
        if len(ii) == 0:
            continue
        pairs = pd.DataFrame({"project_id": np.asarray(elig.project_ids, dtype=object)[ii],
                              "product_id": np.asarray(elig.product_ids, dtype=object)[jj]})
        feats = builder.transform(pj, pr, pairs, as_of=ev.date, exclude_event=ev.event_id)
        keys = pd.MultiIndex.from_arrays([np.full(len(pairs), ev.event_id), pairs["project_id"], pairs["product_id"]])
        block = pairs.assign(event_id=ev.event_id, event_date=ev.date,
                             family=pr["family"].reindex(pairs["product_id"]).to_numpy(),
                             institution_id=pr["institution_id"].reindex(pairs["product_id"]).to_numpy(),
                             label=labels["label"].reindex(keys).fillna(0).astype(int).to_numpy(),
                             relevance=labels["relevance"].reindex(keys).fillna(0).astype(int).to_numpy())
        parts.append(pd.concat([block, feats.reset_index(drop=True)], axis=1))
    if not parts:
        return pd.DataFrame(columns=KEY_COLUMNS + builder.feature_names_)
    df = pd.concat(parts, ignore_index=True)
    df["group"] = pd.factorize(df["event_id"].astype(str) + "|" + df["project_id"].astype(str))[0]
    return df[KEY_COLUMNS + builder.feature_names_]


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """Only groups with at least one pair that reached a meeting (the others carry no ranking signal)."""
    keep = df.loc[df["label"] > 0, "group"].unique()
    return df[df["group"].isin(keep)].reset_index(drop=True)


def n_labelled_groups(df: pd.DataFrame) -> int:
    return int(df.loc[df["label"] > 0, "group"].nunique())


def time_split(df: pd.DataFrame, test_fraction: float, valid_fraction: float
               ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train / validation / test by event date: whole events, earlier ones first; checked for order."""
    dates = sorted(pd.to_datetime(df["event_date"]).dt.date.unique())  # events of one day stay together
    n = len(dates)
    n_test = max(1, int(round(n * test_fraction)))
    n_valid = max(1, int(round(n * valid_fraction)))
    if n - n_test - n_valid < 1:
        raise ValueError(f"活动日期太少，无法按时间切分（{n} 个） / too few event dates for a time split ({n})")
    day = pd.to_datetime(df["event_date"]).dt.date
    cut_valid, cut_test = dates[n - n_test - n_valid], dates[n - n_test]
    masks = (day < cut_valid, (day >= cut_valid) & (day < cut_test), day >= cut_test)
    parts = tuple(df[m.to_numpy()].reset_index(drop=True) for m in masks)
    assert_time_ordered(*parts)
    return parts  # type: ignore[return-value]


def assert_time_ordered(*parts: pd.DataFrame) -> None:
    """Each part's events must all fall strictly after every event of the parts before it."""
    last: dt.date | None = None
    for part in parts:
        if part.empty:
            continue
        dates = pd.to_datetime(part["event_date"])
        if last is not None and dates.min().date() <= last:
            raise LeakageError(f"时间切分有误：后段活动 {dates.min().date()} 不晚于前段 {last} / "
                               "later split has events on or before the earlier split's last event")
        last = dates.max().date()


def training_data_from_document(doc: Document, catalogue: Document | None = None) -> TrainingData:
    """TrainingData straight from v1 documents (tests, notebooks); the CLI reads the database instead."""
    institutions = {i.institution_id: i for i in [*(catalogue.institutions if catalogue else []), *doc.institutions]}
    products = [*(catalogue.products if catalogue else []), *doc.products]
    enterprises = {e.enterprise_id: e for e in doc.enterprises}
    outcomes = outcomes_frame(doc.outcomes)
    return TrainingData(projects_frame(doc.projects, enterprises), products_frame(products, institutions),
                        list(doc.events), attach_events(outcomes, doc.events),
                        {k: (v.city or "") for k, v in institutions.items()}, oracle_seed_of(doc.events))

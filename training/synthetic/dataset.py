"""Whole synthetic dataset: generated enterprises/projects, past events and their outcomes."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from finmatch.eligibility import evaluate
from finmatch.frames import products_frame, projects_frame
from finmatch.schemas import Document, Event
from training.synthetic.catalogue import load_catalogue
from training.synthetic.events import generate_events
from training.synthetic.preferences import HiddenPreferenceModel
from training.synthetic.projects import generate_projects

log = logging.getLogger(__name__)
DEFAULT_SEED, DEFAULT_PROJECTS = 20251, 300
PROJECTS_PER_EVENT_SCALE = 25  # events = max(12, n_projects / 25): ~27 outcome rows per project


def default_n_events(n_projects: int) -> int:
    return max(12, round(n_projects / PROJECTS_PER_EVENT_SCALE))


def frames(doc: Document, catalogue: Document | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Project and product frames for a generated document and the catalogue."""
    cat = catalogue or load_catalogue()
    pf = projects_frame(doc.projects, {e.enterprise_id: e for e in doc.enterprises})
    qf = products_frame(cat.products, {i.institution_id: i for i in cat.institutions})
    return pf, qf


def eligibility_by_event(events: list[Event], projects_df: pd.DataFrame, products_df: pd.DataFrame,
                         progress: bool = False) -> dict[str, pd.DataFrame]:
    """The real engine's eligible frame for each event's projects × products, as of the event date."""
    out = {}
    for ev in tqdm(events, desc="资格判定", disable=not progress, unit="场"):
        pids = [p for p in ev.project_ids if p in projects_df.index]
        qids = [q for q in ev.product_ids if q in products_df.index]
        out[ev.event_id] = evaluate(projects_df.loc[pids], products_df.loc[qids], ev.date).eligible_frame()
    return out


def generate_dataset(n_projects: int = DEFAULT_PROJECTS, seed: int = DEFAULT_SEED, progress: bool = False,
                     n_events: int | None = None) -> Document:
    """Enterprises, projects, events and outcomes for the committed catalogue, deterministic for a seed."""
    cat = load_catalogue()
    enterprises, projects = generate_projects(n_projects, seed, progress=progress)
    doc = Document(enterprises=enterprises, projects=projects)
    pf, qf = frames(doc, cat)
    events = generate_events(pf, cat.products, seed, n_events or default_n_events(n_projects))
    eligible = eligibility_by_event(events, pf, qf, progress)
    model = HiddenPreferenceModel(seed, {i.institution_id: i.city or "" for i in cat.institutions})
    outcomes = model.simulate_outcomes(events, pf, qf, eligible, np.random.default_rng([seed, 11]), progress)
    log.info("generated %d projects, %d events, %d outcome rows", len(projects), len(events), len(outcomes))
    return Document(enterprises=enterprises, projects=projects, events=events, outcomes=outcomes)


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None and v != [] and v != {}}


def write_document(doc: Document, path: Path, progress: bool = False) -> None:
    """v1 JSON with one entity per line (compact, diff-friendly, streams for large sets)."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"format": "finmatch/v1"')
        for name in ("institutions", "enterprises", "projects", "products", "events", "outcomes"):
            items = getattr(doc, name)
            if not items:
                continue
            fh.write(f',\n"{name}": [\n')
            for k, item in enumerate(tqdm(items, desc=f"写入 {name}", disable=not progress, unit="条")):
                line = json.dumps(_clean(item.model_dump(mode="json")), ensure_ascii=False)
                fh.write(line + (",\n" if k < len(items) - 1 else "\n"))
            fh.write("]")
        fh.write("}\n")


def counts(doc: Mapping[str, Any] | Document) -> dict[str, int]:
    d = doc if isinstance(doc, Document) else Document.model_validate(doc)
    return {name: len(getattr(d, name)) for name in ("enterprises", "projects", "events", "outcomes")}

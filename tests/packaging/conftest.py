"""Packaging fixtures: the sample catalogue and the first sample projects as frames, and a checker harness."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from finmatch.eligibility import evaluate
from finmatch.frames import products_frame, projects_frame
from finmatch.matching import PriorScorer
from finmatch.schemas import Document
from finmatch.settings import Settings
from tests.packaging.checker import check_package

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 28)
N_SAMPLE_PROJECTS = 60


@dataclass
class Frames:
    projects: pd.DataFrame
    products: pd.DataFrame


def frames_from(doc: dict[str, Any]) -> Frames:
    d = Document.model_validate(doc)
    inst = {i.key: i for i in d.institutions}
    ents = {e.key: e for e in d.enterprises}
    return Frames(projects_frame(d.projects, ents), products_frame(d.products, inst))


@pytest.fixture(scope="session")
def sample() -> Frames:
    cat = json.loads((ROOT / "data_samples" / "catalogue.json").read_text("utf-8"))
    gen = json.loads((ROOT / "data_samples" / "generated.json").read_text("utf-8"))
    projects = gen["projects"][:N_SAMPLE_PROJECTS]
    wanted = {p["enterprise_id"] for p in projects}
    return frames_from({"institutions": cat["institutions"], "products": cat["products"],
                        "enterprises": [e for e in gen["enterprises"] if e["enterprise_id"] in wanted],
                        "projects": projects})


@pytest.fixture(scope="session")
def settings_today() -> Settings:
    return Settings(today=TODAY, use_embeddings=False)


def violations(out: dict[str, Any], frames: Frames, **rules: Any) -> dict[str, list[str]]:
    """Check every package of a contract object against the independent checker."""
    scorer = PriorScorer()
    elig = evaluate(frames.projects, frames.products, today=TODAY)
    products = {str(k): v for k, v in frames.products.to_dict("index").items()}
    bad: dict[str, list[str]] = {}
    for pid, entry in out["packages"].items():
        project = frames.projects.loc[pid].to_dict()
        # usable: eligible, or failing only because the whole need exceeds the ticket / remaining budget
        partial = {"amount_max_wan", "budget_wan"}
        eligible = {q for q in elig.product_ids if set(elig.failed_fields(pid, q)) <= partial}
        collateral_only = {q for q in elig.product_ids if products[q]["family"] == "loan"
                           and "requires_collateral" in elig.failed_fields(pid, q)
                           and set(elig.failed_fields(pid, q)) <= partial | {"requires_collateral"}}
        pairs = pd.DataFrame({"project_id": [pid] * len(elig.product_ids), "product_id": elig.product_ids})
        enriched = scorer.enrich_projects(frames.projects)
        probs = dict(zip(elig.product_ids, scorer.score_pairs(enriched, frames.products, pairs).probability,
                         strict=True))
        found = check_package(entry, project, products, eligible, collateral_only, probs, **rules)
        for alt in [*entry.get("alternatives", []), *entry.get("best", {}).values()]:
            found += [f"[{alt['objective']}] {v}" for v in check_package(
                {**alt}, project, products, eligible, collateral_only, probs, **rules)]
        if found:
            bad[pid] = found
    return bad

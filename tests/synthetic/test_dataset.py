from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

from finmatch.enums import GUANGXI_CITIES
from finmatch.schemas import Document
from training.synthetic import generate_dataset, write_document
from training.synthetic.catalogue import GENERATED_JSON
from training.synthetic.command import generate_command
from training.synthetic.outcomes import TABLES_PER_INSTITUTION_MAX


def test_committed_set_validates_and_has_the_default_size(generated: Document) -> None:
    assert 280 <= len(generated.projects) <= 320
    assert len(generated.enterprises) == len(generated.projects)
    assert 7000 <= len(generated.outcomes) <= 9000
    assert len(generated.events) >= 6


def test_committed_set_is_the_generator_output(tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    write_document(generate_dataset(300, 20251), out)
    assert out.read_bytes() == GENERATED_JSON.read_bytes()


def test_generate_dataset_is_deterministic_and_seed_sensitive() -> None:
    a, b, c = generate_dataset(60, 3), generate_dataset(60, 3), generate_dataset(60, 4)
    assert a.model_dump() == b.model_dump()
    assert [o.model_dump() for o in a.outcomes] != [o.model_dump() for o in c.outcomes]


def test_references_resolve_against_the_catalogue(generated: Document, catalogue: Document) -> None:
    products = {p.product_id for p in catalogue.products}
    projects = {p.project_id for p in generated.projects}
    assert {p.enterprise_id for p in generated.projects} <= {e.enterprise_id for e in generated.enterprises}
    events = {e.event_id: e for e in generated.events}
    for ev in generated.events:
        assert set(ev.project_ids) <= projects and set(ev.product_ids) <= products
    for o in generated.outcomes:
        ev = events[o.event_id]
        assert o.project_id in ev.project_ids and o.product_id in ev.product_ids
        assert o.date >= ev.date


def test_events_match_the_brief(generated: Document, catalogue: Document) -> None:
    valid_to = {p.product_id: p.valid_to for p in catalogue.products}
    for ev in generated.events:
        assert dt.date(2024, 3, 1) <= ev.date <= dt.date(2026, 10, 31)
        assert ev.city in GUANGXI_CITIES
        assert 60 <= len(ev.project_ids) <= 100 and 15 <= len(ev.product_ids) <= 40
        assert ev.slot_minutes == 15 and ev.tables >= 10
        assert all(valid_to[q] is None or valid_to[q] >= ev.date for q in ev.product_ids)
    assert len({ev.date.year for ev in generated.events}) == 3


def test_no_outcome_for_an_ineligible_pair(generated: Document, gen_eligible: dict[str, pd.DataFrame]) -> None:
    """A bank (or anyone) never engages on a pair the real eligibility engine forbids at the event date."""
    for o in generated.outcomes:
        assert gen_eligible[o.event_id].at[o.project_id, o.product_id], o


def test_funnel_is_consistent(generated: Document) -> None:
    stages = defaultdict(set)
    for o in generated.outcomes:
        stages[(o.event_id, o.project_id, o.product_id)].add(o.stage.value)
    order = ["contacted", "meeting", "due_diligence", "approved", "signed"]
    for reached in stages.values():
        assert "contacted" in reached
        assert not {"signed", "rejected"} <= reached and not {"signed", "withdrawn"} <= reached
        top = max(order.index(s) for s in reached if s in order)
        assert set(order[:top + 1]) <= reached
    counts = Counter(o.stage.value for o in generated.outcomes)
    assert counts["contacted"] > counts["meeting"] > counts["due_diligence"] > counts["approved"] >= counts["signed"]
    assert counts["rejected"] > 0 and counts["withdrawn"] > 0
    assert all(o.amount_wan and o.amount_wan > 0 for o in generated.outcomes if o.stage.value == "signed")


def test_capacity_and_budget_limits_hold(generated: Document, catalogue: Document) -> None:
    inst = {p.product_id: p.institution_id for p in catalogue.products}
    budget = {p.product_id: p.budget_wan for p in catalogue.products}
    events = {e.event_id: e for e in generated.events}
    per_inst: Counter = Counter()
    per_proj: Counter = Counter()
    signed: Counter = Counter()
    for o in generated.outcomes:
        if o.stage.value == "meeting":
            per_inst[(o.event_id, inst[o.product_id])] += 1
            per_proj[(o.event_id, o.project_id)] += 1
        if o.stage.value == "signed":
            signed[o.product_id] += o.amount_wan
    for (ev_id, inst_id), n in per_inst.items():
        ev = events[ev_id]
        tables = min(TABLES_PER_INSTITUTION_MAX, sum(inst[q] == inst_id for q in ev.product_ids))
        assert n <= tables * ev.max_meetings_per_institution
    assert max(per_inst.values()) == max(
        min(TABLES_PER_INSTITUTION_MAX, sum(inst[q] == i for q in events[e].product_ids))
        * events[e].max_meetings_per_institution for e, i in per_inst)  # the cap binds somewhere
    assert all(n <= events[e].max_meetings_per_project for (e, _), n in per_proj.items())
    assert all(budget[q] is None or total <= budget[q] for q, total in signed.items())


def test_generate_command_writes_a_valid_document(tmp_path: Path) -> None:
    out = tmp_path / "small.json"
    generate_command(projects=40, seed=8, output=out)
    doc = Document.model_validate_json(out.read_text(encoding="utf-8"))
    assert len(doc.projects) == 40 and doc.events and doc.outcomes

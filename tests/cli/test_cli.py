"""The finmatch command line as a user runs it: exit codes, error listings, the match output."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from app.cli import app
from tests.storage.sample_doc import small_document

runner = CliRunner()


def _write(tmp_path: Path, name: str, payload: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    return path


def test_import_reports_errors_with_nonzero_exit(settings, tmp_path):
    bad = copy.deepcopy(small_document())
    bad["products"][0]["family"] = "期货"
    res = runner.invoke(app, ["import", str(_write(tmp_path, "bad.json", bad)), "--json"])
    assert res.exit_code == 1
    payload = json.loads(res.stdout)
    assert payload["ok"] is False
    assert payload["errors"][0]["row"] == "$.products[0]" and payload["errors"][0]["field"] == "family"
    res = runner.invoke(app, ["export", "--entity", "products", "--format", "csv"])
    assert res.exit_code == 0 and res.stdout.strip().splitlines()[1:] == []  # header only: nothing imported


def test_import_dry_run_then_real_and_export(settings, tmp_path):
    path = _write(tmp_path, "doc.json", small_document())
    assert runner.invoke(app, ["import", str(path), "--dry-run"]).exit_code == 0
    res = runner.invoke(app, ["export", "--entity", "projects", "--format", "json"])
    assert json.loads(res.stdout)["projects"] == []
    assert runner.invoke(app, ["import", str(path)]).exit_code == 0
    res = runner.invoke(app, ["export", "--entity", "projects", "--format", "csv", "--labels", "zh"])
    assert res.exit_code == 0 and "项目编号" in res.stdout and "XM0001" in res.stdout
    out = tmp_path / "all.xlsx"
    assert runner.invoke(app, ["export", "--format", "xlsx", "--output", str(out)]).exit_code == 0
    assert out.stat().st_size > 0


def test_match_prints_the_data_format_object(settings, tmp_path):
    doc = small_document()
    runner.invoke(app, ["import", str(_write(tmp_path, "doc.json", doc))])
    request = {"enterprises": doc["enterprises"], "projects": doc["projects"]}
    res = runner.invoke(app, ["match", "--input", str(_write(tmp_path, "req.json", request)), "--top", "1",
                              "--json"])
    assert res.exit_code == 0, res.stdout
    out = json.loads(res.stdout)
    assert set(out) == {"model", "projects", "matches", "other_families", "ineligible", "needs_confirmation"}
    assert set(out["matches"]) == {"XM0001", "XM0002"}
    assert all(len(v) <= 1 for v in out["matches"].values())
    for pid, matches in out["matches"].items():
        ranked = {m["product_id"] for m in matches}
        excluded = {x["product_id"] for x in out["ineligible"][pid]}
        assert not ranked & excluded
        assert all(x["failed"] for x in out["ineligible"][pid])
    # XM0002 is loss-making and in proof-of-concept: the loan requires profit, the fund pilot/scale-up
    failed = {x["product_id"]: x["failed"] for x in out["ineligible"]["XM0002"]}
    assert "requires_profit" in failed["P-LOAN-001"] and "stages" in failed["P-EQ-001"]


def test_match_with_bad_input_names_the_field(settings, tmp_path):
    bad = {"projects": [{"project_id": "X", "enterprise_id": "E0001", "name": "n", "stage": "pilot",
                         "funding_need_wan": 0}]}
    res = runner.invoke(app, ["match", "--input", str(_write(tmp_path, "bad.json", bad))])
    assert res.exit_code == 1
    assert "funding_need_wan" in res.stderr


def test_every_command_has_help():
    for cmd in ("import", "export", "match", "train", "evaluate", "serve", "demo", "schedule", "generate"):
        res = runner.invoke(app, [cmd, "--help"])
        assert res.exit_code == 0, cmd
        assert "Usage" in res.stdout


def test_keys_create_list_revoke(settings, tmp_path):
    from finmatch.auth import authenticate
    from finmatch.runtime import open_database

    runner.invoke(app, ["import", str(_write(tmp_path, "doc.json", small_document()))])
    res = runner.invoke(app, ["keys", "create", "--role", "institution"])
    assert res.exit_code == 2 and "--institution" in res.stderr
    res = runner.invoke(app, ["keys", "create", "--role", "institution", "--institution", "I-BANK-01"])
    assert res.exit_code == 0
    key = res.stdout.strip()
    key_id = key.split("_")[1]
    db = open_database(settings)
    with db.factory() as s:
        principal = authenticate(s, key)
    assert principal is not None and principal.institution_id == "I-BANK-01"
    res = runner.invoke(app, ["keys", "list"])
    assert key_id in res.stdout and key not in res.stdout
    assert runner.invoke(app, ["keys", "revoke", key_id]).exit_code == 0
    with db.factory() as s:
        assert authenticate(s, key) is None
    db.dispose()
    assert runner.invoke(app, ["keys", "revoke", "nope"]).exit_code == 2


def test_match_on_the_sample_file_with_an_empty_database(settings):
    """The README's example: products come from the file itself, so no import is needed first."""
    from tests.conftest import SAMPLES

    res = runner.invoke(app, ["match", "--input", str(SAMPLES / "match_example.json"), "--top", "5", "--json"])
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    example = json.loads((SAMPLES / "match_example.json").read_text("utf-8"))
    assert set(out["matches"]) == {p["project_id"] for p in example["projects"]}
    assert out["model"] == "prior"  # no model trained in this data dir: the cold-start prior, and it says so
    for pid, matches in out["matches"].items():
        assert 1 <= len(matches) <= 5
        assert [m["rank"] for m in matches] == list(range(1, len(matches) + 1))
        assert all(m["reasons"] for m in matches)
        scores = [m["score"] for m in matches]
        assert scores == sorted(scores, reverse=True)
        assert not {m["product_id"] for m in matches} & {x["product_id"] for x in out["ineligible"][pid]}
        assert len(matches) + len(out["ineligible"][pid]) <= len(example["products"])


def test_cold_start_prior_infers_blank_sectors_and_uses_text(settings):
    """No model yet, but labelled projects in the database: blank sectors are inferred, text counts."""
    from finmatch.matching import PriorScorer
    from tests.conftest import SAMPLES

    assert runner.invoke(app, ["import", str(SAMPLES / "catalogue.json"), str(SAMPLES / "generated.json")]).exit_code == 0
    res = runner.invoke(app, ["match", "--input", str(SAMPLES / "match_example.json"), "--top", "3", "--json"])
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["model"] == "prior"
    example = json.loads((SAMPLES / "match_example.json").read_text("utf-8"))
    blank = [p["project_id"] for p in example["projects"] if not p.get("sector")]
    assert blank
    for pid in blank:
        info = out["projects"][pid]
        assert info["sector_inferred"] is True and info["sector"] and 0 < info["sector_confidence"] <= 1
        assert any("根据项目简介推断" in r for r in out["matches"][pid][0]["reasons"])
    # the prior's text term is live: same pairs score differently with and without it
    from features.cold_start import cold_start_prior
    from finmatch.frames import products_frame, projects_frame
    from finmatch.schemas import Document

    doc = Document.model_validate(example)
    projects = projects_frame(doc.projects, {e.key: e for e in doc.enterprises})
    products = products_frame(doc.products, {i.key: i for i in doc.institutions})
    pairs = pd.DataFrame({"project_id": [projects.index[0]] * len(products),
                                            "product_id": list(products.index)})
    with_text = cold_start_prior(settings).components(projects, products, pairs)["text_similarity"]
    plain = PriorScorer().components(projects, products, pairs)["text_similarity"]
    assert with_text.max() == 1.0 and plain.max() == 0.0


def test_match_table_lists_products_awaiting_confirmation(settings, tmp_path):
    """Without --json: after the ranked table, 待确认 lists the products and the facts that decide them."""
    doc = small_document()
    runner.invoke(app, ["import", str(_write(tmp_path, "doc.json", doc))])
    projects = copy.deepcopy(doc["projects"][:1])
    projects[0].pop("trl", None)  # the fund asks for TRL ≥ 5: it now waits on that fact
    path = _write(tmp_path, "req.json", {"enterprises": doc["enterprises"], "projects": projects})
    data = json.loads(runner.invoke(app, ["match", "--input", str(path), "--json"]).stdout)
    waiting = data["needs_confirmation"][projects[0]["project_id"]]
    assert waiting  # the JSON carries them; the people's table must too
    res = runner.invoke(app, ["match", "--input", str(path)])
    assert res.exit_code == 0, res.stdout
    text = res.stdout.replace("\n", "")
    assert "待确认" in text
    names = {p["product_id"]: p["name"] for p in doc["products"]}
    for item in waiting:
        assert names[item["product_id"]] in text
        assert all(fact.replace(" ", "") in text.replace(" ", "") for fact in item["facts"])
    ranked = text.split("待确认")[0]
    assert all(names[item["product_id"]] not in ranked for item in waiting)  # listed after the table, not in it

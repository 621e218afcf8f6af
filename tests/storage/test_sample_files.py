"""Every committed sample file imports cleanly, on SQLite and PostgreSQL, and the XLSX copy of the
catalogue holds the same entities as the JSON."""

from __future__ import annotations

import json

from finmatch.io import import_paths
from finmatch.schemas import Document
from finmatch.storage import Repository
from tests.conftest import SAMPLES


def test_all_sample_files_import(database):
    report = import_paths([SAMPLES / "catalogue.json", SAMPLES / "generated.json"], database.factory)
    generated = json.loads((SAMPLES / "generated.json").read_text("utf-8"))
    assert report.written["projects"] == (len(generated["projects"]), 0)
    assert report.written["outcomes"][0] == len(generated["outcomes"]) >= 7000
    assert report.counts["products"] >= 45 and report.counts["institutions"] >= 15
    # the match example (catalogue + a few projects) re-imports as pure no-op upserts
    again = import_paths([SAMPLES / "match_example.json"], database.factory)
    assert all(v == (0, 0) for v in again.written.values())


def test_catalogue_xlsx_equals_catalogue_json(database):
    import_paths([SAMPLES / "catalogue.xlsx"], database.factory)
    with database.factory() as s:
        stored = Repository(s).load_document(["institutions", "products"])
    expected = Document.model_validate_json((SAMPLES / "catalogue.json").read_text("utf-8"))
    assert {m.key: m for m in stored.institutions} == {m.key: m for m in expected.institutions}
    assert {m.key: m for m in stored.products} == {m.key: m for m in expected.products}

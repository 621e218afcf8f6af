"""``finmatch match`` without ``--json`` is a table for people: product names, Chinese families, the
probability as a percentage and the top reason; ``--json`` stays the data-format.md object."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from app.cli import app
from finmatch.enums import Family

runner = CliRunner()


def test_match_table_for_people(settings):  # type: ignore[no-untyped-def]
    from tests.conftest import SAMPLES

    path = SAMPLES / "match_example.json"
    doc = json.loads(path.read_text("utf-8"))
    res = runner.invoke(app, ["match", "--input", str(path), "--top", "3"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    text = res.stdout
    names = {p["name"] for p in doc["products"]}
    assert sum(n in text for n in names) >= 2  # product names, not only ids
    assert any(label in text for label in Family.labels().values())
    assert re.search(r"\d{1,3}\.\d%", text)  # probabilities as percentages
    assert "对接概率" in text and "主要理由" in text
    assert not any(f" {code} " in text for code in ("equity", "loan", "guarantee", "insurance", "subsidy"))
    out = json.loads(runner.invoke(app, ["match", "--input", str(path), "--top", "3", "--json"]).stdout)
    assert {"model", "projects", "matches", "ineligible"} <= set(out)  # --json: the data-format.md object

"""``finmatch package`` as a user runs it: a Chinese table, the JSON contract, clear errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from app.cli import app
from tests.storage.sample_doc import small_document

runner = CliRunner()


def test_package_command(sqlite_settings, tmp_path, monkeypatch):
    monkeypatch.setenv("FINMATCH_USE_EMBEDDINGS", "false")
    doc = small_document()
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    assert runner.invoke(app, ["import", str(path)]).exit_code == 0
    res = runner.invoke(app, ["package", "--project", "XM0001"])
    assert res.exit_code == 0, res.stdout
    assert "融资需求" in res.stdout and "年综合成本" in res.stdout and "第1步" in res.stdout
    req = tmp_path / "req.json"
    req.write_text(json.dumps({"enterprises": doc["enterprises"], "projects": doc["projects"]}, ensure_ascii=False),
                   "utf-8")
    res = runner.invoke(app, ["package", "--input", str(req), "--objective", "dilution", "--json"])
    assert res.exit_code == 0, res.stdout
    out = json.loads(res.stdout)
    assert set(out["packages"]) == {"XM0001", "XM0002"}
    assert all(e["objective"] == "dilution" for e in out["packages"].values())
    bad = runner.invoke(app, ["package", "--project", "XM0001", "--objective", "speed"])
    assert bad.exit_code == 1 and "优化目标" in bad.stderr
    both = runner.invoke(app, ["package"])
    assert both.exit_code == 1 and "二者选一" in both.stderr

"""Bulk import (all-or-nothing), health and readiness, and the OpenAPI document."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
from fastapi.testclient import TestClient

import api.main as api_main
from api.main import create_app
from api.payloads import ErrorBody
from finmatch.exceptions import ModelUnavailableError
from tests.conftest import SAMPLES

GOOD_CSV = "机构编号,机构名称,机构类型,所在城市\nI-NEW-01,桂林银行,银行,桂林市\n".encode()
BAD_CSV = "产品编号,机构编号,产品名称,产品大类\nP-1,I-BANK-01,好产品,贷款\nP-2,I-NOPE,坏产品,贷款\nP-3,I-BANK-01,坏产品,股票\n".encode("gbk")


def test_import_all_or_nothing(api):
    before = api.get("admin", "/products").json()["total"]
    r = api.client.post("/import", headers=api.h("admin"),
                        files=[("files", ("institutions.csv", GOOD_CSV, "text/csv")),
                               ("files", ("products.csv", BAD_CSV, "text/csv"))])
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "import_invalid" and "未写入" in body["message"]
    errors = {(e["file"], e["field"]) for e in body["errors"]}
    assert ("products.csv", "family") in errors and ("products.csv", "institution_id") in errors
    assert all(e["row"] for e in body["errors"])
    assert api.get("admin", "/products").json()["total"] == before
    assert api.get("admin", "/institutions/I-NEW-01").status_code == 404
    r = api.client.post("/import", headers=api.h("admin"), params={"dry_run": True},
                        files={"files": ("institutions.csv", GOOD_CSV, "text/csv")})
    assert r.status_code == 200 and r.json()["dry_run"] is True
    assert api.get("admin", "/institutions/I-NEW-01").status_code == 404
    r = api.client.post("/import", headers=api.h("admin"),
                        files={"files": ("institutions.csv", GOOD_CSV, "text/csv")})
    assert r.status_code == 200 and r.json()["written"]["institutions"] == {"inserted": 1, "updated": 0}
    assert api.get("bank", "/institutions/I-NEW-01").json()["city"] == "桂林"


def test_import_sample_catalogue_then_match(sqlite_api):
    content = (SAMPLES / "catalogue.json").read_bytes()
    r = sqlite_api.client.post("/import", headers=sqlite_api.h("admin"),
                               files={"files": ("catalogue.json", content, "application/json")})
    assert r.status_code == 200, r.text
    n = len({p["product_id"] for p in json.loads(content)["products"]} | {"P-LOAN-001", "P-EQ-001"})
    assert sqlite_api.get("admin", "/products", params={"limit": 1}).json()["total"] == n
    body = sqlite_api.get("admin", "/match/projects/XM0001", params={"group_by_family": True}).json()
    # every product is accounted for once: recommended (the requested families), other families,
    # waiting on facts the project has not given, or ineligible with the failed clauses
    lists = ("matches", "other_families", "needs_confirmation", "ineligible")
    seen = [x["product_id"] for key in lists for x in body[key]]
    assert len(seen) == len(set(seen)) == n
    requested = set(sqlite_api.get("admin", "/projects/XM0001").json()["funding_types"])
    assert requested and set(body["groups"]) <= requested
    assert {m["family"] for m in body["matches"]} <= requested


def test_health_ready_and_openapi(api):
    assert api.client.get("/health").json() == {"status": "ok"}
    ready = api.client.get("/ready").json()
    assert ready == {"status": "ready", "database": True, "model": "prior", "detail": None}
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/match/projects/{project_id}", "/match/products/{product_id}/prospects", "/events/{key}/matrix",
                 "/match", "/models", "/models/reload", "/events/{event_id}/schedule", "/events/{event_id}/agenda",
                 "/events/{event_id}/agenda.{fmt}", "/events/{event_id}/roadshow", "/import", "/health", "/ready"):
        assert path in paths, path
    op = paths["/products"]["post"]
    assert op["summary"] == "新建金融产品" and "example" in op["requestBody"]["content"]["application/json"]["examples"]
    assert {"401", "403", "422"} <= set(op["responses"])
    assert op["security"] == [{"ApiKey": []}, {"Bearer": []}]
    product = spec["components"]["schemas"].get("Product-Input") or spec["components"]["schemas"]["Product"]
    assert product["properties"]["amount_max_wan"]["description"] == "单户额度上限(万元)"
    err = spec["components"]["schemas"]["ErrorBody"]
    assert set(err["properties"]) >= {"code", "message", "field", "errors"}


def test_not_ready_without_a_model(sqlite_settings, monkeypatch):
    def broken(settings):  # type: ignore[no-untyped-def]
        raise ModelUnavailableError("模型文件损坏")

    monkeypatch.setattr(api_main, "_load_scorer", broken)  # what the app factory hands the model holder
    cfg = sqlite_settings.model_copy(update={"use_embeddings": False})
    with TestClient(create_app(cfg)) as client:
        r = client.get("/ready")
        assert r.status_code == 503 and r.json()["model"] is None and "模型文件损坏" in r.json()["detail"]
        assert client.get("/health").status_code == 200


def test_import_errors_name_sheet_header_and_value(sqlite_api):
    """The JSON error items carry where the user finds the problem: sheet, their own header, the value."""
    r = sqlite_api.client.post("/import", headers=sqlite_api.h("admin"),
                               files={"files": ("products.csv", BAD_CSV, "text/csv")})
    assert r.status_code == 422
    body = ErrorBody.model_validate(r.json())
    family = next(e for e in body.errors or [] if e.field == "family")
    assert family.header == "产品大类" and family.value == "股票" and family.entity == "products"
    assert family.sheet is None and family.row == "第 4 行" and family.file == "products.csv"  # a CSV has no sheet
    inst = next(e for e in body.errors or [] if e.field == "institution_id")
    assert inst.header == "机构编号" and inst.value == "I-NOPE"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "金融产品"
    for row in csv.reader(io.StringIO(BAD_CSV.decode("gbk"))):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = sqlite_api.client.post("/import", headers=sqlite_api.h("admin"),
                               files={"files": ("产品.xlsx", data.getvalue(), xlsx)})
    assert r.status_code == 422, r.text
    family = next(e for e in ErrorBody.model_validate(r.json()).errors or [] if e.field == "family")
    assert (family.sheet, family.header, family.value, family.row) == ("金融产品", "产品大类", "股票", "第 4 行")

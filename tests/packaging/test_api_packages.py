"""The package route and the hand-out downloads over HTTP: roles, redaction, the contract, PDF text."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from finmatch.settings import Settings
from tests.api.conftest import Api, seed

URL = "/packages/projects/XM0001?dilution_cap=0.05"


@pytest.fixture
def api(settings: Settings) -> Iterator[Api]:
    cfg = settings.model_copy(update={"use_embeddings": False})
    keys = seed(cfg)
    with TestClient(create_app(cfg)) as client:
        yield Api(client, keys, cfg)


def test_contract_and_roles(api):
    r = api.get("admin", URL)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"model", "packages"}
    e = body["packages"]["XM0001"]
    for key in ("need_wan", "objective", "status", "covered_wan", "uncovered_wan", "parts", "annual_cost_wan",
                "probability", "equity_share", "steps", "reasons", "alternatives"):
        assert key in e
    parts = {p["family"]: p for p in e["parts"]}
    assert {"equity", "loan"} <= set(parts)  # the 5% dilution cap leaves the rest to the loan
    assert e["covered_wan"] == sum(p["amount_wan"] for p in e["parts"] if p["cash"]) == 3000
    assert parts["loan"]["rate_pct"] == 2.8
    # the fund sees the package, but not the bank's terms; the bank sees its own
    fund = api.get("fund", URL).json()["packages"]["XM0001"]
    loan = next(p for p in fund["parts"] if p["family"] == "loan")
    assert loan["rate_pct"] is None and loan["annual_cost_wan"] is None and loan["terms_hidden"]
    assert loan["amount_wan"] == parts["loan"]["amount_wan"]
    # the package total would give the bank's rate away (total − own cost): hidden as well
    assert fund["annual_cost_wan"] is None and fund["costs_hidden"]
    assert all("年利率" not in r for r in fund["reasons"])
    for alt in fund["alternatives"]:
        assert all(p["rate_pct"] is None for p in alt["parts"] if p["institution_id"] != "I-FUND-01")
    bank = api.get("bank", URL).json()["packages"]["XM0001"]
    assert next(p for p in bank["parts"] if p["family"] == "loan")["rate_pct"] == 2.8
    assert bank["annual_cost_wan"] == e["annual_cost_wan"]  # the fund's part carries no cost
    assert api.client.get(URL).status_code == 401
    assert api.get("admin", "/packages/projects/NOPE").status_code == 404
    assert api.get("admin", "/packages/projects/XM0001?objective=speed").status_code == 422
    # the objective switches the package
    cost = api.get("admin", "/packages/projects/XM0001?objective=cost").json()["packages"]["XM0001"]
    dil = api.get("admin", "/packages/projects/XM0001?objective=dilution").json()["packages"]["XM0001"]
    assert dil["objective"] == "dilution" and dil["equity_share"] <= cost["equity_share"]
    assert cost["annual_cost_wan"] <= dil["annual_cost_wan"]


def test_handouts_are_chinese_pdf_and_xlsx(api):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    r = api.get("organiser", "/packages/projects/XM0001/handout.pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "固态电池中试线建设" in text and "融资方案" in text and "申请顺序" in text
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    embedded = [f for f in fonts if "/FontDescriptor" in f and "/FontFile2" in f["/FontDescriptor"].get_object()]
    assert embedded  # the TrueType CJK subset travels inside the file
    x = api.get("organiser", "/packages/projects/XM0001/handout.xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("融资方案" in c for c in cells) and any("推荐金融产品" in c for c in cells)
    assert api.get("organiser", "/packages/projects/XM0001/handout.doc").status_code in (404, 422)


def test_event_handout_one_page_per_project_staff_only(api):
    from pypdf import PdfReader

    r = api.get("organiser", "/packages/events/EV2025-01/handout.pdf")
    assert r.status_code == 200, r.text
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) == 2  # the event's two projects
    assert "固态电池中试线建设" in reader.pages[0].extract_text()
    assert "新型抗体药物中试放大" in reader.pages[1].extract_text()
    assert api.get("bank", "/packages/events/EV2025-01/handout.pdf").status_code == 403

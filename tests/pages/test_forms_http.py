"""The create/edit forms, the draft review and the import page over HTTP: role rules as in the API,
the import's Chinese errors per field, every change audited."""

from __future__ import annotations

import re

from sqlalchemy import select

from finmatch.drafting import draft_product
from finmatch.runtime import open_database
from finmatch.storage import Repository
from finmatch.storage.orm import AuditRow
from tests.io.office import OFFICE_FILE, office_rows, office_workbook


def _post(pages, url: str, data: dict, **kw):
    token = pages.csrf(url if not url.endswith("/new") and not url.endswith("/edit") else url)
    return pages.post(url, data={**data, "csrf": token}, follow_redirects=False, **kw)


def _stored(pages, entity: str, key: str):
    db = open_database(pages.client.app.state.finmatch.settings)
    try:
        with db.factory() as s:
            return Repository(s).get(entity, key), s.scalars(
                select(AuditRow).where(AuditRow.entity == entity, AuditRow.entity_id == key)).all()
    finally:
        db.dispose()


def test_project_form_shows_import_errors_per_field_then_saves_and_audits(pages):
    pages.login("admin")
    bad = _post(pages, "/projects/new", {"name": "钠电池中试", "enterprise_id": "E0001", "stage": "",
                                          "funding_need_wan": "很多", "trl": "12"})
    assert bad.status_code == 422
    assert 'data-field="funding_need_wan"' in bad.text and "应为数字" in bad.text
    assert 'data-field="stage"' in bad.text and 'data-field="trl"' in bad.text and "不能大于 9" in bad.text
    assert 'value="很多"' in bad.text  # input kept as typed
    ok = _post(pages, "/projects/new", {"name": "钠电池中试", "enterprise_id": "E0001", "stage": "pilot",
                                         "funding_need_wan": "1,200", "hazardous_chemicals": "1"})
    assert ok.status_code == 303
    key = ok.headers["location"].rsplit("/", 1)[-1]
    project, audit = _stored(pages, "projects", key)
    assert project.funding_need_wan == 1200 and project.hazardous_chemicals is True and key.startswith("XM-")
    assert [a.action for a in audit] == ["create:insert"] and audit[0].actor.startswith("admin")


def test_unknown_enterprise_is_a_field_error(pages):
    pages.login("admin")
    r = _post(pages, "/projects/new", {"name": "甲", "enterprise_id": "E-NONE", "stage": "pilot",
                                        "funding_need_wan": "10"})
    assert r.status_code == 422 and 'data-field="enterprise_id"' in r.text and "不存在" in r.text


def test_bank_edits_own_product_only_and_cannot_create_projects(pages):
    pages.login("bank")
    assert pages.get("/projects/new").status_code == 403
    assert pages.get("/products/P-EQ-001/edit").status_code == 403
    form = pages.get("/products/P-LOAN-001/edit")
    assert form.status_code == 200 and "科创贷" in form.text
    values = {"name": "科创贷（2027版）", "family": "loan", "amount_max_wan": "2500", "rate_pct": "3.1%",
              "required_certifications_any": ["high_tech"], "cities": "广西", "institution_id": "I-FUND-01"}
    r = _post(pages, "/products/P-LOAN-001/edit", values)
    assert r.status_code == 303, r.text
    product, audit = _stored(pages, "products", "P-LOAN-001")
    assert product.name == "科创贷（2027版）" and product.amount_max_wan == 2500 and product.rate_pct == 3.1
    assert product.institution_id == "I-BANK-01"  # the own institution, whatever was posted
    assert audit[-1].action == "update:update" and audit[-1].before["amount_max_wan"] == 3000


def test_organiser_creates_event_with_participants(pages):
    pages.login("organiser")
    form = pages.get("/events/new")
    assert 'data-testid="picker-project_ids"' in form.text and "固态电池中试线建设" in form.text
    r = _post(pages, "/events/new", {"name": "2026 柳州中试项目对接会", "date": "2026年12月8日", "city": "柳州市",
                                      "project_ids": ["XM0001", "XM0002"], "product_ids": ["P-LOAN-001"],
                                      "slots": "6", "slot_minutes": "20", "tables": "4",
                                      "max_meetings_per_project": "3", "max_meetings_per_institution": "6"})
    assert r.status_code == 303, r.text
    key = r.headers["location"].rsplit("/", 1)[-1]
    event, audit = _stored(pages, "events", key)
    assert event.project_ids == ["XM0001", "XM0002"] and event.city == "柳州" and str(event.date) == "2026-12-08"
    assert audit and audit[0].actor.startswith("organiser")


def test_draft_review_shows_evidence_for_every_field(pages):
    pages.login("bank")
    text = ("关于开展“桂科贷”申报的通知\n支持对象：在柳州市注册的高新技术企业。\n单户贷款额度最高800万元。\n"
            "贷款期限不超过2年。\n年利率不超过3.2%。")
    r = pages.post("/products/draft", data={"text": text, "csrf": pages.csrf("/products/draft")})
    assert r.status_code == 200
    found = set(re.findall(r'data-testid="evidence-(\w+)"', r.text))
    assert found == set(draft_product(text).fields)  # every extracted field, with its sentence
    assert {"amount_max_wan", "tenor_months", "rate_pct", "cities", "required_certifications_any", "name"} <= found
    assert 'name="amount_max_wan" value="800"' in r.text and "单户贷款额度最高800万元。" in r.text


def test_import_page_reports_all_errors_and_offers_the_xlsx(pages):
    pages.login("admin")
    rows = office_rows()
    rows[0][5] = "量产"
    rows[2][6] = "很多"
    token = pages.csrf("/import")
    files = {"files": (OFFICE_FILE, office_workbook(rows), "application/octet-stream")}
    r = pages.post("/import", data={"csrf": token}, files=files)
    assert r.status_code == 422
    assert r.text.count('data-testid="import-error"') == 2
    assert "项目阶段" in r.text and "融资需求（万元）" in r.text and "第 4 行" in r.text and "第 6 行" in r.text
    assert 'data-testid="error-report"' in r.text
    ok = pages.post("/import", data={"csrf": token}, files={"files": (OFFICE_FILE, office_workbook(),
                                                                       "application/octet-stream")},
                    follow_redirects=True)
    assert "导入成功" in ok.text and "中试项目 新增 3 条" in ok.text

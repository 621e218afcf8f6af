"""CRUD, pagination, filtering, sorting, validation and the audit trail, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from finmatch.runtime import open_database
from finmatch.storage.orm import AuditRow, ProjectRow

NEW_PRODUCT = {"product_id": "P-GT-001", "institution_id": "I-BANK-01", "name": "科创担", "family": "担保",
               "kind": "科创担", "description": "中试项目融资担保", "amount_max_wan": 2000, "rate_pct": 1.0}


def _count(api, table) -> int:  # type: ignore[no-untyped-def]
    db = open_database(api.settings, migrate=False)
    try:
        with db.factory() as s:
            return int(s.scalar(select(func.count()).select_from(table)) or 0)
    finally:
        db.dispose()


def test_product_lifecycle_is_audited(api):
    r = api.post("admin", "/products", json=NEW_PRODUCT)
    assert r.status_code == 201, r.text
    assert r.json()["family"] == "guarantee"  # Chinese label in, English code out
    assert api.get("admin", "/products/P-GT-001").json()["name"] == "科创担"
    r = api.put("admin", "/products/P-GT-001", json={**NEW_PRODUCT, "amount_max_wan": 2500})
    assert r.status_code == 200 and r.json()["amount_max_wan"] == 2500
    r = api.patch("admin", "/products/P-GT-001", json={"rate_pct": 1.5})
    assert r.status_code == 200 and r.json()["rate_pct"] == 1.5 and r.json()["amount_max_wan"] == 2500
    assert api.delete("admin", "/products/P-GT-001").status_code == 204
    assert api.get("admin", "/products/P-GT-001").status_code == 404
    audit = api.get("admin", "/audit", params={"entity": "products", "entity_id": "P-GT-001"}).json()
    actions = [e["action"] for e in reversed(audit["items"])]
    assert actions == ["create:insert", "update:update", "update:update", "delete"]
    assert all(e["actor"].startswith("admin:") for e in audit["items"])
    update = audit["items"][-2]
    assert update["before"]["amount_max_wan"] == 2000 and update["after"]["amount_max_wan"] == 2500


def test_every_entity_crud(api):
    bodies = {
        "institutions": ("I-INS-01", {"institution_id": "I-INS-01", "name": "人保财险广西分公司", "type": "保险机构"},
                         {"city": "南宁"}),
        "enterprises": ("E0009", {"enterprise_id": "E0009", "name": "北海海洋科技公司", "city": "北海市"},
                        {"employees": 30}),
        "projects": ("XM0009", {"project_id": "XM0009", "enterprise_id": "E0001", "name": "储能系统中试",
                                "stage": "pilot", "funding_need_wan": 800}, {"trl": 5}),
        "events": ("EV-09", {"event_id": "EV-09", "name": "柳州对接会", "date": "2026-12-01",
                             "project_ids": ["XM0001"], "product_ids": ["P-LOAN-001"]}, {"tables": 4}),
        "outcomes": ("XM0002|P-EQ-001||contacted", {"project_id": "XM0002", "product_id": "P-EQ-001",
                                                    "stage": "contacted", "date": "2026-01-05"},
                     {"amount_wan": 10}),
    }
    for entity, (key, body, change) in bodies.items():
        r = api.post("admin", f"/{entity}", json=body)
        assert r.status_code == 201, (entity, r.text)
        assert api.get("admin", f"/{entity}/{key}").status_code == 200, entity
        r = api.patch("admin", f"/{entity}/{key}", json=change)
        assert r.status_code == 200, (entity, r.text)
        field, value = next(iter(change.items()))
        assert r.json()[field] == value
        assert api.post("admin", f"/{entity}", json=body).status_code == 409, entity
        assert api.delete("admin", f"/{entity}/{key}").status_code == 204, entity
        assert api.get("admin", f"/{entity}/{key}").status_code == 404, entity


def test_pagination_filter_sort_search(api):
    for i in range(5):
        body = {"project_id": f"XP{i:02d}", "enterprise_id": "E0002", "name": f"项目{i}", "stage": "pilot",
                "funding_need_wan": 100 * (i + 1), "sector": "biomedicine"}
        assert api.post("admin", "/projects", json=body).status_code == 201
    page = api.get("admin", "/projects", params={"limit": 2, "offset": 2, "sort": "project_id"}).json()
    assert page["total"] == 7 and page["offset"] == 2 and page["limit"] == 2
    assert [p["project_id"] for p in page["items"]] == ["XP00", "XP01"]
    page = api.get("admin", "/projects", params={"sector": "biomedicine", "sort": "-funding_need_wan"}).json()
    assert page["total"] == 5 and [p["funding_need_wan"] for p in page["items"]][:2] == [500, 400]
    assert api.get("admin", "/projects", params={"q": "固态"}).json()["total"] == 1
    assert api.get("admin", "/projects", params={"city": "柳州"}).json()["total"] == 1
    assert api.get("admin", "/projects", params={"funding_type": "equity"}).json()["total"] == 1
    last = api.get("admin", "/projects", params={"offset": 6, "limit": 50}).json()
    assert len(last["items"]) == 1 and last["total"] == 7
    # list filters: an unrestricted product serves every city and sector
    ids = {p["product_id"] for p in api.get("admin", "/products", params={"city": "桂林"}).json()["items"]}
    assert ids == {"P-LOAN-001", "P-EQ-001"}
    prods = api.get("admin", "/products", params={"sector": "biomedicine"}).json()["items"]
    assert [p["product_id"] for p in prods] == ["P-LOAN-001"]
    assert api.get("admin", "/products", params={"family": "equity"}).json()["total"] == 1
    r = api.get("admin", "/projects", params={"limit": 500})
    assert r.status_code == 422 and r.json()["field"] == "limit"
    r = api.get("admin", "/projects", params={"sort": "funding_types"})
    assert r.status_code == 422 and r.json()["field"] == "sort"
    r = api.get("admin", "/products", params={"family": "mortgage"})
    assert r.status_code == 422 and r.json()["field"] == "family"


def test_validation_errors_name_the_field_and_write_nothing(api):
    projects, audits = _count(api, ProjectRow), _count(api, AuditRow)
    bad = {"project_id": "XM0100", "enterprise_id": "E0001", "name": "", "stage": "中试", "funding_need_wan": 0}
    r = api.post("admin", "/projects", json=bad)
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_error" and body["field"] in {"name", "stage", "funding_need_wan"}
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"name", "stage", "funding_need_wan"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in body["errors"])
    r = api.post("admin", "/projects", json={**bad, "name": "n", "stage": "pilot", "funding_need_wan": 5,
                                             "enterprise_id": "E-NONE"})
    assert r.status_code == 404 and r.json()["field"] == "enterprise_id"
    r = api.put("admin", "/projects/XM0001", json={**bad, "name": "n", "stage": "pilot", "funding_need_wan": 5})
    assert r.status_code == 422 and r.json()["field"] == "project_id"
    r = api.patch("admin", "/projects/XM0001", json={"trl": 12})
    assert r.status_code == 422 and r.json()["field"] == "trl"
    r = api.patch("admin", "/projects/XM0001", json={"project_id": "OTHER"})
    assert r.status_code == 422 and r.json()["field"] == "project_id"
    r = api.delete("admin", "/enterprises/E0001")  # still referenced by its project
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert _count(api, ProjectRow) == projects and _count(api, AuditRow) == audits
    assert api.get("admin", "/projects/XM0001").json()["trl"] == 6

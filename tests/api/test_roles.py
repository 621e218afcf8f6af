"""Role boundaries: 401 without a key, 403 outside the role, nothing written on a refused write."""

from __future__ import annotations

from fastapi import Request

from api.deps import SESSION_KEY
from finmatch.schemas import CONTACT_FIELDS

PROTECTED = [("get", "/institutions"), ("get", "/enterprises/E0001"), ("post", "/projects"),
             ("put", "/products/P-LOAN-001"), ("patch", "/events/EV2025-01"), ("delete", "/outcomes/x"),
             ("post", "/import"), ("get", "/match/projects/XM0001"), ("get", "/match/products/P-EQ-001/prospects"),
             ("post", "/match"), ("get", "/events/EV2025-01/matrix"), ("post", "/events/EV2025-01/schedule"),
             ("get", "/events/EV2025-01/agenda"), ("get", "/events/EV2025-01/agenda.csv"),
             ("get", "/events/EV2025-01/roadshow"), ("get", "/models"), ("post", "/models/reload"), ("get", "/audit")]
OUTCOME = {"project_id": "XM0001", "product_id": "P-EQ-001", "stage": "contacted", "date": "2026-02-01"}


def test_unauthenticated_requests_get_401(api):
    for method, url in PROTECTED:
        r = api.client.request(method.upper(), url)
        assert r.status_code == 401, (method, url, r.status_code)
        assert r.json()["code"] == "unauthorized"
    r = api.client.get("/projects", headers={"X-API-Key": "fm_nothere_xxxxxxxx"})
    assert r.status_code == 401 and "无效" in r.json()["message"]
    assert api.client.get("/health").status_code == 200


def test_bearer_header_is_accepted_and_the_page_cookie_is_not(api):
    r = api.client.get("/projects", headers={"Authorization": f"Bearer {api.keys['bank']}"})
    assert r.status_code == 200

    async def login(request: Request) -> dict:
        request.session[SESSION_KEY] = api.keys["organiser"].split("_")[1]  # a signed-in page session
        return {"ok": True}

    api.client.app.add_api_route("/_test_login", login, methods=["POST"])
    assert api.client.post("/_test_login").status_code == 200
    cookie = api.client.cookies.get("finmatch_session")
    assert cookie and api.keys["organiser"] not in cookie and "." not in cookie  # a random id, nothing else
    # JSON API routes never take the page cookie (CSRF): see tests/security for the page side
    assert api.client.get("/events/EV2025-01/matrix").status_code == 401
    api.client.cookies.clear()


def test_institution_sees_and_writes_only_its_own(api):
    # prospects: own product yes, another institution's no
    assert api.get("bank", "/match/products/P-LOAN-001/prospects").status_code == 200
    r = api.get("bank", "/match/products/P-EQ-001/prospects")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert api.get("fund", "/match/products/P-EQ-001/prospects").status_code == 200
    # outcomes: recording for another institution's product is refused and writes nothing
    before = api.get("admin", "/outcomes").json()["total"]
    assert api.post("bank", "/outcomes", json=OUTCOME).status_code == 403
    assert api.get("admin", "/outcomes").json()["total"] == before
    r = api.post("fund", "/outcomes", json=OUTCOME)
    assert r.status_code == 201
    key = r.json()["outcome_key"]
    assert api.get("bank", f"/outcomes/{key}").status_code == 403
    assert api.delete("bank", f"/outcomes/{key}").status_code == 403
    assert {o["product_id"] for o in api.get("bank", "/outcomes").json()["items"]} == {"P-LOAN-001"}
    assert {o["product_id"] for o in api.get("fund", "/outcomes").json()["items"]} == {"P-EQ-001"}
    # products: edit own, not another's; cannot move a product to another institution
    assert api.patch("bank", "/products/P-LOAN-001", json={"rate_pct": 3.1}).status_code == 200
    assert api.patch("bank", "/products/P-EQ-001", json={"name": "改名"}).status_code == 403
    assert api.patch("bank", "/products/P-LOAN-001", json={"institution_id": "I-FUND-01"}).status_code == 403
    new = {"product_id": "P-X", "institution_id": "I-FUND-01", "name": "x", "family": "loan"}
    assert api.post("bank", "/products", json=new).status_code == 403
    assert api.post("bank", "/products", json={**new, "institution_id": "I-BANK-01"}).status_code == 201
    assert api.delete("bank", "/products/P-EQ-001").status_code == 403
    assert api.get("admin", "/products/P-EQ-001").json()["name"] == "新能源子基金"
    # catalogue and projects readable; everything else refused
    assert api.get("bank", "/products").json()["total"] == 3
    assert api.get("bank", "/projects/XM0001").status_code == 200
    assert api.get("bank", "/match/projects/XM0001").status_code == 200
    bodies = {"/institutions": {"institution_id": "I9", "name": "x", "type": "bank"},
              "/projects": {"project_id": "X9", "enterprise_id": "E0001", "name": "x", "stage": "pilot",
                            "funding_need_wan": 1},
              "/events": {"event_id": "EV9", "name": "x", "date": "2026-01-01"}}
    for method, url in [("post", "/institutions"), ("post", "/projects"), ("post", "/events"),
                        ("get", "/events/EV2025-01/matrix"), ("post", "/events/EV2025-01/schedule"),
                        ("get", "/events/EV2025-01/roadshow"), ("post", "/models/reload"), ("get", "/audit")]:
        r = api.client.request(method.upper(), url, headers=api.h("bank"), json=bodies.get(url, {}))
        assert r.status_code == 403, (method, url, r.status_code, r.text)
    assert api.client.post("/import", headers=api.h("bank"), files={"files": ("a.json", b"{}")}).status_code == 403


def test_contact_fields_only_for_staff(api):
    for who in ("admin", "organiser"):
        e = api.get(who, "/enterprises/E0001").json()
        assert e["contact_person"] == "李工" and e["credit_code"]
    e = api.get("bank", "/enterprises/E0001").json()
    assert all(e[f] is None for f in CONTACT_FIELDS)
    listed = api.get("bank", "/enterprises").json()["items"]
    assert all(item[f] is None for item in listed for f in CONTACT_FIELDS)
    assert e["annual_revenue_wan"] == 8600.5  # match-relevant fields stay


def test_organiser_runs_events_but_not_the_catalogue(api):
    ev = {"event_id": "EV-ORG", "name": "组织方活动", "date": "2026-12-01", "project_ids": ["XM0001"]}
    assert api.post("organiser", "/events", json=ev).status_code == 201
    assert api.patch("organiser", "/events/EV-ORG", json={"slots": 4}).status_code == 200
    assert api.get("organiser", "/events/EV2025-01/matrix").status_code == 200
    assert api.post("organiser", "/outcomes", json=OUTCOME).status_code == 201
    assert api.patch("organiser", "/products/P-EQ-001", json={"name": "x"}).status_code == 403
    assert api.post("organiser", "/institutions", json={"institution_id": "I9", "name": "x",
                                                        "type": "bank"}).status_code == 403
    assert api.post("organiser", "/models/reload").status_code == 403
    assert api.get("organiser", "/audit").status_code == 403
    assert api.post("bank", "/events", json={**ev, "event_id": "EV-BANK"}).status_code == 403
    assert api.get("admin", "/events/EV-BANK").status_code == 404

"""CSRF: JSON API routes never take the page cookie; page writes need the token and our own origin."""

from __future__ import annotations

from sqlalchemy import func, select

from finmatch.storage.orm import AgendaRow, ProjectRow
from tests.security.conftest import HTML, csrf_of, sign_in

ATTACKS = [  # what the probe rode into with the admin's cookie from a page on another port
    ("POST", "/import", {"files": [("files", ("p.json", b'{"format": "finmatch/v1", "projects": []}',
                                               "application/json"))]}),
    ("POST", "/events/EV2025-01/schedule", {"json": {}}),
    ("POST", "/models/reload", {}),
    ("POST", "/projects", {"json": {"project_id": "XM-CSRF", "enterprise_id": "E0001", "name": "x",
                                    "stage": "pilot", "funding_need_wan": 1}}),
    ("DELETE", "/outcomes/x", {}),
]


def test_api_routes_refuse_the_page_cookie(sec) -> None:
    c = sec.client
    sign_in(c, sec.keys["admin"])
    db = c.app.state.finmatch.db
    for method, url, kw in ATTACKS:
        r = c.request(method, url, headers={"Accept": "*/*", "Origin": "http://127.0.0.1:9999"}, **kw)
        assert r.status_code == 401, (method, url, r.status_code, r.text)
    with db.factory() as s:
        assert s.scalar(select(func.count()).select_from(AgendaRow)) == 0
        assert s.get(ProjectRow, "XM-CSRF") is None
    # the same requests with the key header work: the refusal is about the cookie only
    assert c.post("/models/reload", headers=sec.h("admin")).status_code in (200, 503)


def test_page_writes_check_origin_and_fetch_site(sec) -> None:
    c = sec.client
    sign_in(c, sec.keys["admin"])
    token = csrf_of(c, "/outcomes/new")
    form = {"csrf": token, "project_id": "XM0001", "product_id": "P-EQ-001", "stage": "contacted",
            "date": "2026-02-01"}
    for bad in ({"Origin": "http://127.0.0.1:9999"}, {"Sec-Fetch-Site": "same-site"},
                {"Sec-Fetch-Site": "cross-site"}):
        r = c.post("/outcomes", data=form, headers={**HTML, **bad}, follow_redirects=False)
        assert r.status_code == 403, (bad, r.status_code)
        assert "其他网站" in r.text
    r = c.post("/outcomes", data={**form, "csrf": "wrong"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 403
    r = c.post("/outcomes", data=form, headers={**HTML, "Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
               follow_redirects=False)
    assert r.status_code == 303, r.text

"""Page behaviour without a browser: sign-in, role rules, forms (errors kept next to fields), negotiation."""

from __future__ import annotations

import csv
import io

from tests.pages.conftest import Pages


def test_unauthenticated_pages_redirect_to_login(pages: Pages) -> None:
    r = pages.get("/projects/XM0001", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fprojects%2FXM0001"


def test_api_clients_still_get_json_on_shared_urls(pages: Pages) -> None:
    r = pages.client.get("/projects/XM0001", headers={"X-API-Key": pages.keys["admin"]})
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["project_id"] == "XM0001"
    assert pages.client.get("/projects").status_code == 401  # no Accept: text/html, no key -> the API's 401


def test_bad_key_keeps_input_and_shows_field_error(pages: Pages) -> None:
    r = pages.post("/login", data={"api_key": "fm_nope", "csrf": pages.csrf(), "next": "/"})
    assert r.status_code == 401
    assert 'data-field="api_key"' in r.text and "无效" in r.text
    assert 'value="fm_nope"' in r.text
    assert pages.get("/", follow_redirects=False).status_code == 303  # still signed out


def test_login_requires_csrf_and_logout_clears_session(pages: Pages) -> None:
    r = pages.post("/login", data={"api_key": pages.keys["admin"], "csrf": "forged"})
    assert r.status_code == 403
    pages.login("admin")
    assert pages.get("/").status_code == 200
    pages.post("/logout", data={"csrf": pages.csrf("/")}, follow_redirects=False)
    assert pages.get("/", follow_redirects=False).status_code == 303


def test_next_parameter_never_leaves_the_site(pages: Pages) -> None:
    r = pages.post("/login", data={"api_key": pages.keys["admin"], "csrf": pages.csrf(), "next": "//evil.example/"},
                   follow_redirects=False)
    assert r.headers["location"] == "/"


def test_nav_follows_role(pages: Pages) -> None:
    pages.login("admin")
    assert 'href="/import"' in pages.get("/").text
    pages.client.cookies.clear()
    pages.login("bank")
    home = pages.get("/").text
    assert 'href="/import"' not in home
    assert pages.get("/import").status_code == 403


def test_institution_sees_no_contacts_and_only_own_prospects(pages: Pages) -> None:
    pages.login("admin")
    assert "0772-1234567" in pages.get("/projects/XM0001").text
    pages.client.cookies.clear()
    pages.login("bank")
    page = pages.get("/projects/XM0001").text
    assert "0772-1234567" not in page and "李工" not in page
    assert pages.get("/products/P-LOAN-001").status_code == 200
    denied = pages.get("/products/P-EQ-001")
    assert denied.status_code == 403 and "本机构" in denied.text
    assert 'href="/products/P-EQ-001"' not in pages.get("/products").text
    assert pages.get("/outcomes/new?project_id=XM0001&product_id=P-EQ-001").status_code == 403


def test_prospect_filter_errors_are_shown_and_downloads_work(pages: Pages) -> None:
    pages.login("admin")
    r = pages.get("/products/P-LOAN-001?amount_min=abc&city=柳州")
    assert 'data-field="amount_min"' in r.text and 'value="abc"' in r.text and 'value="柳州"' in r.text
    csv_resp = pages.get("/products/P-LOAN-001?format=csv")
    assert csv_resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_resp.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["名次", "项目编号", "项目名称"]
    xlsx = pages.get("/products/P-LOAN-001?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_outcome_form_keeps_input_on_error_and_records(pages: Pages) -> None:
    pages.login("bank")
    token = pages.csrf("/outcomes/new?project_id=XM0001&product_id=P-LOAN-001")
    form = {"csrf": token, "project_id": "XM0001", "product_id": "P-LOAN-001", "event_id": "", "stage": "contacted",
            "amount_wan": "很多", "date": "2026-11-20"}
    r = pages.post("/outcomes", data=form)
    assert r.status_code == 422
    assert 'data-field="amount_wan"' in r.text and 'value="很多"' in r.text and 'value="2026-11-20"' in r.text
    r = pages.post("/outcomes", data={**form, "product_id": "P-EQ-001", "amount_wan": ""})
    assert r.status_code == 422 and 'data-field="product_id"' in r.text
    r = pages.post("/outcomes", data={**form, "amount_wan": "120"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/projects/XM0001")
    listed = pages.client.get("/outcomes?project_id=XM0001&stage=contacted", headers={"X-API-Key": pages.keys["admin"]})
    assert listed.json()["total"] == 1


def test_import_with_errors_writes_nothing(pages: Pages) -> None:
    pages.login("admin")
    bad = "project_id,enterprise_id,name,stage,funding_need_wan\nXM9001,E0001,好项目,中试熟化,300\nXM9002,E0001,坏项目,不存在的阶段,-5\n"
    r = pages.post("/import", data={"csrf": pages.csrf("/import")},
                   files={"files": ("projects.csv", bad.encode("utf-8"), "text/csv")})
    assert r.status_code == 422
    assert 'data-testid="import-errors"' in r.text and "stage" in r.text and "funding_need_wan" in r.text
    assert pages.get("/projects/XM9001").status_code == 404


def test_event_page_shows_roadshow_order_to_staff_only(pages: Pages) -> None:
    pages.login("admin")
    page = pages.get("/events/EV2025-01").text
    assert page.count('data-testid="roadshow"') == 1 and "8+7" in page
    title = page.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and "路演" not in title  # the page title is the event's name, nothing more
    rows = page.split('data-testid="roadshow"')[1].split("</table>")[0].count("<tr>") - 1
    assert rows == 2  # both of the event's projects get a pitch slot
    pages.client.cookies.clear()
    pages.login("bank")
    assert 'data-testid="roadshow"' not in pages.get("/events/EV2025-01").text


def test_page_only_urls_answer_any_client(pages: Pages) -> None:
    """curl and probes (Accept: */*) get the sign-in page; shared URLs still give API clients JSON."""
    r = pages.client.get("/login", headers={"Accept": "*/*"})
    assert r.status_code == 200 and "API 密钥" in r.text
    r = pages.client.get("/", headers={"Accept": "*/*"}, follow_redirects=False)
    assert r.status_code in (302, 303, 307) and r.headers["location"].startswith("/login")
    r = pages.client.get("/projects", headers={"Accept": "application/json"})
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"


def test_resolve_during_the_event_keeps_held_meetings_and_drops_no_shows(pages: Pages) -> None:
    from finmatch.services import agenda as agenda_service

    pages.login("admin")
    form = {"csrf": pages.csrf("/events/EV2025-01"), "time_limit_s": "5"}
    assert pages.post("/events/EV2025-01/schedule", data=form, follow_redirects=False).status_code == 303
    db = pages.client.app.state.finmatch.db
    with db.factory() as s:
        first = agenda_service.agenda_from_row(agenda_service.require_row(s, "EV2025-01"))
    assert first.meetings
    held = [m for m in first.meetings if m.slot == 0]
    bad = {**form, "now_slot": "0"}
    pages.post("/events/EV2025-01/schedule", data=bad)
    with db.factory() as s:  # a bad slot changes nothing
        assert agenda_service.agenda_from_row(agenda_service.require_row(s, "EV2025-01")).meetings == first.meetings
    again = {**form, "now_slot": "2", "no_shows": "I-FUND-01"}
    page = pages.post("/events/EV2025-01/schedule", data=again).text
    assert "保留第 1 时段前已进行的洽谈" in page
    with db.factory() as s:
        second = agenda_service.agenda_from_row(agenda_service.require_row(s, "EV2025-01"))
    for m in held:  # meetings of slot 1 were held and stay as they were, unless the party never came
        assert (m in second.meetings) == (m.institution_id != "I-FUND-01")
    assert not [m for m in second.meetings if m.institution_id == "I-FUND-01"]
    assert all(m.slot >= 1 for m in second.meetings if m not in held)  # nothing new in a past slot


def _edit_links(html: str) -> set[str]:
    """The hrefs of the create/edit links on a page."""
    import re

    return set(re.findall(r'href="(/(?:projects|products|events|enterprises|institutions)/[^"]*(?:new|edit))"', html))


def test_create_and_edit_links_follow_write_rights(pages: Pages) -> None:
    """A bank sees an edit link only on its own product; projects are the admin's; events the staff's."""
    pages.login("bank")
    listing = _edit_links(pages.get("/products").text)
    assert listing == {"/products/new", "/products/P-LOAN-001/edit"}  # its own product only, not P-EQ-001
    assert _edit_links(pages.get("/products/P-LOAN-001").text) == {"/products/P-LOAN-001/edit"}
    assert pages.get("/products/P-LOAN-001/edit").status_code == 200  # the link leads to a form it may submit
    assert _edit_links(pages.get("/projects").text) == set()
    assert _edit_links(pages.get("/projects/XM0001").text) == set()
    assert _edit_links(pages.get("/events").text) == set()
    assert not {u for u in _edit_links(pages.get("/events/EV2025-01").text) if u.startswith("/events/")}
    pages.client.cookies.clear()
    pages.login("organiser")
    assert _edit_links(pages.get("/events").text) == {"/events/new", "/events/EV2025-01/edit"}
    assert "/events/EV2025-01/edit" in _edit_links(pages.get("/events/EV2025-01").text)
    assert _edit_links(pages.get("/products").text) == set()
    assert _edit_links(pages.get("/projects").text) == set()
    pages.client.cookies.clear()
    pages.login("admin")
    assert {"/projects/new", "/projects/XM0001/edit"} <= _edit_links(pages.get("/projects").text)
    assert "/projects/XM0001/edit" in _edit_links(pages.get("/projects/XM0001").text)
    assert {"/products/P-LOAN-001/edit", "/products/P-EQ-001/edit"} <= _edit_links(pages.get("/products").text)


def test_project_page_names_the_model_version_to_admins_only(pages: Pages) -> None:
    pages.login("admin")
    version = pages.client.app.state.finmatch.models.current.describe()["version"]
    assert f"模型 {version}" in pages.get("/projects/XM0001").text
    for who in ("organiser", "bank"):
        pages.client.cookies.clear()
        pages.login(who)
        page = pages.get("/projects/XM0001").text
        label = page.split('data-testid="model-label">')[1].split("</small>")[0]
        assert version not in label and "排序" in label


def test_resolve_form_meets_package_institutions(pages: Pages) -> None:
    from api.pages.event_pages import _schedule_options
    from finmatch.services import agenda as agenda_service

    pages.login("organiser")
    page = pages.get("/events/EV2025-01").text
    assert 'name="package_must_meet"' in page and "按融资方案安排必见机构" in page
    assert _schedule_options("5", "", "", "", package_must_meet=True).package_must_meet
    assert not _schedule_options("5", "", "", "").package_must_meet
    form = {"csrf": pages.csrf("/events/EV2025-01"), "time_limit_s": "5", "package_must_meet": "1"}
    assert pages.post("/events/EV2025-01/schedule", data=form, follow_redirects=False).status_code == 303
    db = pages.client.app.state.finmatch.db
    with db.factory() as s:
        meetings = agenda_service.agenda_from_row(agenda_service.require_row(s, "EV2025-01")).meetings
    assert ("XM0001", "I-FUND-01") in {(m.project_id, m.institution_id) for m in meetings}  # its package's fund


def test_project_page_lists_other_families_apart(pages: Pages) -> None:
    """A project open to equity only: the loan it qualifies for is shown apart, not among the matches."""
    r = pages.client.patch("/projects/XM0001", json={"funding_types": ["equity"]},
                           headers={"X-API-Key": pages.keys["admin"]})
    assert r.status_code == 200, r.text
    pages.login("admin")
    page = pages.get("/projects/XM0001").text
    assert "其他可考虑的产品（不在项目意向融资方式内）" in page
    matches, others = page.split('data-testid="matches"')[1].split('data-testid="other-families"')
    others = others.split("</ol>")[0]
    assert 'data-product="P-LOAN-001"' in others and 'data-product="P-LOAN-001"' not in matches
    assert 'data-product="P-EQ-001"' in matches and 'data-product="P-EQ-001"' not in others

"""Every route × every role, from the OpenAPI: a route without a row here fails the test.

A row says who may call it: ``Y`` allowed, ``N`` refused (403), ``O`` the institution only for its own
objects (the row's parameters name another institution's, so it is refused), ``P`` public, ``T`` a
link signed for one project (no key; a forged token is refused). Reads are
called by every role; writes are called by the refused roles with a valid body (so the refusal is
the role's, not the body's, and nothing may change) and by the allowed ones with an empty body
(auth passes: anything but 401/403). Without a key every non-public route answers 401.
To add a route: add its row; the columns are admin, organiser, institution.
"""

from __future__ import annotations

from sqlalchemy import func, select

from finmatch.storage.orm import AuditRow

ROLES = ("admin", "organiser", "bank")  # bank: institution I-BANK-01 (P-EQ-001 belongs to I-FUND-01)
OUTCOME_KEY = "XM0001|P-EQ-001||contacted"
BODIES = {
    "institutions": {"institution_id": "I-NEW", "name": "新机构", "type": "bank"},
    "enterprises": {"enterprise_id": "E-NEW", "name": "新企业"},
    "projects": {"project_id": "XM-NEW", "enterprise_id": "E0001", "name": "新项目", "stage": "pilot",
                 "funding_need_wan": 10},
    "products": {"product_id": "P-NEW", "institution_id": "I-FUND-01", "name": "新产品", "family": "equity"},
    "events": {"event_id": "EV-NEW", "name": "新活动", "date": "2026-12-01"},
    "outcomes": {"project_id": "XM0001", "product_id": "P-EQ-001", "stage": "meeting", "date": "2026-02-01"},
}
PARAMS = {"project_id": "XM0001", "product_id": "P-EQ-001", "event_id": "EV2025-01", "fmt": "csv"}
KEYS = {"institutions": "I-FUND-01", "enterprises": "E0001", "projects": "XM0001", "products": "P-EQ-001",
        "events": "EV2025-01", "outcomes": OUTCOME_KEY}

# (METHOD, path): (admin, organiser, institution)
TABLE: dict[tuple[str, str], str] = {
    ("GET", "/health"): "PPP", ("GET", "/ready"): "PPP",
    ("GET", "/match/projects/{project_id}"): "YYY",
    ("GET", "/match/products/{product_id}/prospects"): "YYO",
    ("POST", "/match"): "YYY",
    ("GET", "/packages/projects/{project_id}"): "YYY",
    ("GET", "/packages/projects/{project_id}/handout.{fmt}"): "YYY",
    ("GET", "/packages/events/{event_id}/handout.{fmt}"): "YYN",
    ("GET", "/events/{key}/matrix"): "YYN",
    ("POST", "/events/{event_id}/schedule"): "YYN",
    ("GET", "/events/{event_id}/agenda"): "YYY",  # an institution sees its own meetings only
    ("GET", "/events/{event_id}/agenda.{fmt}"): "YYY",  # likewise its own rows
    ("GET", "/events/{event_id}/projects/{project_id}/agenda.{fmt}"): "TTT",  # a signed link, no key
    ("GET", "/events/{event_id}/roadshow"): "YYN",  # README: staff only
    ("GET", "/events/{event_id}/roadshow.{fmt}"): "YYN",
    ("POST", "/import"): "YNN",
    ("GET", "/models"): "YYY", ("POST", "/models/reload"): "YNN",
    ("GET", "/audit"): "YNN",
}
for _entity in BODIES:
    _write = {"events": "YYN", "products": "YNO", "outcomes": "YYO"}.get(_entity, "YNN")
    TABLE[("GET", f"/{_entity}")] = "YYY"
    TABLE[("GET", f"/{_entity}/{{key}}")] = "YYO" if _entity == "outcomes" else "YYY"
    for _m in ("POST", "PUT", "PATCH", "DELETE"):
        TABLE[(_m, f"/{_entity}" if _m == "POST" else f"/{_entity}/{{key}}")] = _write


def _routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops]


def _url(path: str) -> str:
    entity = path.strip("/").split("/")[0]
    out = path.replace("{key}", KEYS.get(entity, "x"))
    for name, value in PARAMS.items():
        out = out.replace("{" + name + "}", value)
    return out


def _body(method: str, path: str) -> dict | None:
    entity = path.strip("/").split("/")[0]
    if method in ("POST", "PUT") and entity in BODIES and path in (f"/{entity}", f"/{entity}/{{key}}"):
        body = dict(BODIES[entity])
        if method == "PUT" and entity != "outcomes":
            body[next(iter(body))] = KEYS[entity]
        if method == "PUT" and entity == "outcomes":
            body["stage"] = "contacted"
        return body
    if method == "PATCH":
        return {"name": "改名"} if entity != "outcomes" else {"amount_wan": 1}
    if path == "/match":
        return {"projects": [BODIES["projects"]]}
    return None


def test_every_route_has_a_row(sec) -> None:
    missing = [r for r in _routes(sec.client.app) if r not in TABLE]
    assert not missing, f"routes without a row in the role table: {missing}"


def _call(sec, who: str | None, method: str, path: str, body: dict | None):  # type: ignore[no-untyped-def]
    headers = sec.h(who) if who else {}
    if path == "/import":
        files = [("files", ("p.json", b'{"format": "finmatch/v1", "projects": []}', "application/json"))]
        return sec.client.request(method, _url(path), headers=headers, files=files)
    return sec.client.request(method, _url(path), headers=headers, json=body)


def test_role_route_table(sqlite_sec) -> None:
    """One app for the whole table (refused calls change nothing; allowed writes get bodies that fail)."""
    sec = sqlite_sec
    assert sec.post("admin", "/outcomes", json={"project_id": "XM0001", "product_id": "P-EQ-001",
                                                 "stage": "contacted", "date": "2026-02-01"}).status_code == 201
    db = sec.client.app.state.finmatch.db
    failures: list[tuple] = []
    for (method, path), rule in sorted(TABLE.items()):
        body = _body(method, path)
        if rule == "TTT":
            r = sec.client.get(_url(path), params={"token": "forged.token"})
            if r.status_code not in (403, 404):
                failures.append(("anonymous+forged token", method, path, r.status_code, r.text[:120]))
            continue
        if rule == "PPP":
            if _call(sec, None, method, path, None).status_code == 401:
                failures.append(("anonymous", method, path, 401))
            continue
        r = _call(sec, None, method, path, body)
        if r.status_code != 401:
            failures.append(("anonymous", method, path, r.status_code, r.text[:120]))
        for who, allowed in sorted(zip(ROLES, rule, strict=True), key=lambda x: x[1] not in "NO"):
            if allowed in ("N", "O"):
                with db.factory() as s:
                    before = s.scalar(select(func.count()).select_from(AuditRow))
                r = _call(sec, who, method, path, body)
                with db.factory() as s:
                    changed = s.scalar(select(func.count()).select_from(AuditRow)) != before
                if r.status_code != 403 or changed:
                    failures.append((who, method, path, r.status_code, r.text[:120]))
                continue
            if method == "GET":
                r = _call(sec, who, method, path, None)
            elif method == "DELETE":  # allowed: the key passes; a missing id keeps the data
                r = sec.client.request(method, _url(path).rsplit("/", 1)[0] + "/no-such-id", headers=sec.h(who))
            else:
                r = _call(sec, who, method, path, {})
            if r.status_code in (401, 403):
                failures.append((who, method, path, r.status_code, r.text[:120]))
    assert not failures, "\n".join(map(str, failures))

"""Matching routes: ranked products with reasons, what-if, prospects, event matrix, ad-hoc, models."""

from __future__ import annotations

from api.payloads import AdhocMatchResponse, EventMatrix, ProjectMatches, Prospects
from finmatch.runtime import open_database
from finmatch.schemas import Product
from finmatch.storage import Repository, transaction


def test_project_matches_ranked_with_reasons_and_what_if(api):
    r = api.get("bank", "/match/projects/XM0001")
    assert r.status_code == 200
    body = ProjectMatches.model_validate(r.json())
    assert body.model == api.get("bank", "/models").json()["version"] == "prior"
    assert [m.rank for m in body.matches] == list(range(1, len(body.matches) + 1))
    assert [m.score for m in body.matches] == sorted((m.score for m in body.matches), reverse=True)
    assert {m.product_id for m in body.matches} == {"P-LOAN-001", "P-EQ-001"}
    assert all(0 <= m.probability <= 1 and m.reasons and m.eligibility_reasons for m in body.matches)
    # XM0002 (loss-making, proof of concept) fails the loan's profit clause: reasons and what-if
    body = ProjectMatches.model_validate(api.get("admin", "/match/projects/XM0002").json())
    loan = next(x for x in body.ineligible if x.product_id == "P-LOAN-001")
    assert "requires_profit" in loan.failed and loan.reasons
    assert body.sector_inferred is False or body.sector is not None
    equity = next(x for x in body.ineligible if x.product_id == "P-EQ-001")
    # XM0002's blank sector is inferred from its text (biomedicine), outside the new-energy fund's focus
    assert body.sector == "biomedicine" and body.sector_inferred is True
    assert set(equity.failed) == {"sectors", "stages"} and any("概念验证" in r for r in equity.reasons)
    # XM0001 needs 3,000万; with the loan's ceiling at 1,000万 the what-if says how to fit
    api.patch("admin", "/products/P-LOAN-001", json={"amount_max_wan": 1000})
    body = ProjectMatches.model_validate(api.get("admin", "/match/projects/XM0001").json())
    loan = next(x for x in body.ineligible if x.product_id == "P-LOAN-001")
    assert loan.failed == ["amount_max_wan"] and loan.what_if and loan.what_if[0].description
    r = api.get("admin", "/match/projects/XM0002", params={"what_if": False})
    assert all(not x["what_if"] for x in r.json()["ineligible"])


def test_family_filter_grouping_and_errors(api):
    body = api.get("admin", "/match/projects/XM0001", params={"family": "equity"}).json()
    assert [m["product_id"] for m in body["matches"]] == ["P-EQ-001"] and body["families"] == ["equity"]
    body = api.get("admin", "/match/projects/XM0001", params={"group_by_family": True, "top_k": 1}).json()
    assert set(body["groups"]) == {"loan", "equity"}
    assert all(len(v) == 1 and v[0]["rank"] == 1 for v in body["groups"].values())
    assert len(body["matches"]) == 1
    r = api.get("admin", "/match/projects/NOPE")
    assert r.status_code == 404 and r.json()["field"] == "project_id"
    r = api.get("admin", "/match/projects/XM0001", params={"family": "stocks"})
    assert r.status_code == 422 and r.json()["field"].startswith("family")


def test_catalogue_changes_show_at_once(api):
    first = api.get("admin", "/match/projects/XM0001").json()
    assert "P-LOAN-001" in {m["product_id"] for m in first["matches"]}
    # through the API: the loan's ceiling drops below the project's need
    assert api.patch("bank", "/products/P-LOAN-001", json={"amount_max_wan": 1000}).status_code == 200
    second = api.get("admin", "/match/projects/XM0001").json()
    assert "P-LOAN-001" in {x["product_id"] for x in second["ineligible"]}
    # another process writes through the repository: the data version changes, the cache follows
    db = open_database(api.settings, migrate=False)
    try:
        with transaction(db.factory) as session:
            new = Product(product_id="P-NEW", institution_id="I-BANK-01", name="中试贷", family="loan")
            Repository(session, actor="cli").save("products", new)
    finally:
        db.dispose()
    third = api.get("admin", "/match/projects/XM0001").json()
    assert "P-NEW" in {m["product_id"] for m in third["matches"]}


def test_recording_outcomes_keeps_cached_rankings(api):
    """Outcomes do not change a ranking (history is frozen in the model): the cached view survives them,
    while a catalogue write still invalidates it."""
    state = api.client.app.state.finmatch
    api.get("admin", "/match/projects/XM0002")
    hits = state.responses.hits
    r = api.post("bank", "/outcomes", json={"project_id": "XM0002", "product_id": "P-LOAN-001",
                                            "stage": "contacted", "date": "2026-11-20"})
    assert r.status_code == 201, r.text
    api.get("admin", "/match/projects/XM0002")
    assert state.responses.hits == hits + 1
    assert api.patch("admin", "/products/P-EQ-001", json={"rate_pct": 1.0}).status_code == 200
    api.get("admin", "/match/projects/XM0002")
    assert state.responses.hits == hits + 1  # a miss: recomputed after the catalogue change


def test_prospects_filters(api):
    r = api.get("fund", "/match/products/P-EQ-001/prospects")
    body = Prospects.model_validate(r.json())
    assert [p.project_id for p in body.items] == ["XM0001"] and body.items[0].rank == 1
    assert body.items[0].city == "柳州" and body.total == 1
    for params, n in [({"city": "桂林"}, 0), ({"city": "柳州"}, 1), ({"stage": "pilot"}, 1),
                      ({"stage": "scale_up"}, 0), ({"amount_min": 3500}, 0), ({"amount_max": 3000}, 1),
                      ({"sector": "new_energy_storage"}, 1), ({"sector": "biomedicine"}, 0)]:
        assert api.get("admin", "/match/products/P-EQ-001/prospects", params=params).json()["total"] == n, params
    assert api.get("admin", "/match/products/NOPE/prospects").status_code == 404


def test_event_matrix(api):
    body = EventMatrix.model_validate(api.get("organiser", "/events/EV2025-01/matrix").json())
    assert [i.institution_id for i in body.institutions] == ["I-BANK-01", "I-FUND-01"]
    row = next(r for r in body.rows if r.project_id == "XM0001")
    cells = {c.institution_id: c for c in row.cells}
    assert cells["I-FUND-01"].product_id == "P-EQ-001" and 0 < cells["I-FUND-01"].probability <= 1
    empty = next(r for r in body.rows if r.project_id == "XM0002")
    assert all(c.probability is None and c.product_id is None for c in empty.cells)
    assert api.get("organiser", "/events/NOPE/matrix").status_code == 404


def test_adhoc_match_stores_nothing(api):
    project = {"project_id": "TMP-1", "enterprise_id": "E-TMP", "name": "临时项目", "stage": "中试熟化",
               "funding_need_wan": 2000, "sector": "new_energy_storage", "trl": 6}
    enterprise = {"enterprise_id": "E-TMP", "name": "临时企业", "city": "南宁", "certifications": ["high_tech"],
                  "net_profit_wan": 10, "founded_year": 2015, "tax_grade": "A", "debt_ratio": 0.3}
    r = api.post("bank", "/match", json={"projects": [project], "enterprises": [enterprise], "top_k": 1})
    assert r.status_code == 200, r.text
    body = AdhocMatchResponse.model_validate(r.json())
    assert body.model == "prior" and len(body.matches["TMP-1"]) == 1
    assert api.get("admin", "/projects/TMP-1").status_code == 404
    assert api.get("admin", "/enterprises/E-TMP").status_code == 404
    r = api.post("bank", "/match", json={"projects": [project]})
    assert r.status_code == 404 and r.json()["field"] == "projects.0.enterprise_id"
    r = api.post("bank", "/match", json={"projects": [{**project, "funding_need_wan": -5}]})
    assert r.status_code == 422 and r.json()["field"] == "projects.0.funding_need_wan"


def test_requested_funding_types_split_matches_from_other_families(api):
    """A project open to equity only: equity in ``matches``, its other eligible products apart."""
    project = {"project_id": "TMP-2", "enterprise_id": "E-TMP", "name": "临时项目", "stage": "中试熟化",
               "funding_need_wan": 800, "sector": "new_energy_storage", "trl": 6}
    enterprise = {"enterprise_id": "E-TMP", "name": "临时企业", "city": "南宁", "certifications": ["high_tech"],
                  "net_profit_wan": 10, "founded_year": 2015, "tax_grade": "A", "debt_ratio": 0.3}
    def post(**extra):
        r = api.post("bank", "/match", json={"projects": [{**project, **extra}], "enterprises": [enterprise],
                                              "top_k": 10})
        assert r.status_code == 200, r.text
        return AdhocMatchResponse.model_validate(r.json())
    open_to_all = post()
    assert not open_to_all.other_families["TMP-2"]
    families = {m.family for m in open_to_all.matches["TMP-2"]}
    assert "equity" in families and len(families) > 1
    body = post(funding_types=["equity"])
    matches, others = body.matches["TMP-2"], body.other_families["TMP-2"]
    assert matches and {m.family for m in matches} == {"equity"}
    assert others and "equity" not in {m.family for m in others}
    assert [m.rank for m in others] == list(range(1, len(others) + 1))
    assert ({m.product_id for m in matches} | {m.product_id for m in others}
            == {m.product_id for m in open_to_all.matches["TMP-2"]})


def test_models_and_reload(api):
    body = api.get("fund", "/models").json()
    assert body["version"] == "prior" and body["is_prior"] is True
    before = body["loaded_at"]
    r = api.post("admin", "/models/reload")
    assert r.status_code == 200 and r.json()["version"] == "prior" and r.json()["loaded_at"] >= before
    assert api.get("admin", "/match/projects/XM0001").json()["model"] == "prior"

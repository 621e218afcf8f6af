from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from finmatch import credit_code
from finmatch.enums import GUANGXI_CITIES
from finmatch.schemas import Document
from training.synthetic import generate_projects
from training.synthetic.preferences import infer_sector
from training.synthetic.projects import SECTORS, STAGES


@pytest.fixture(scope="module")
def big() -> tuple[list, list]:
    return generate_projects(3000, 99)


def test_deterministic_for_a_seed() -> None:
    a = generate_projects(150, 5)
    b = generate_projects(150, 5)
    c = generate_projects(150, 6)
    assert [x.model_dump() for x in a[1]] == [x.model_dump() for x in b[1]]
    assert [x.model_dump() for x in a[0]] == [x.model_dump() for x in b[0]]
    assert [x.description for x in a[1]] != [x.description for x in c[1]]


def test_entities_validate_with_valid_credit_codes(big: tuple[list, list]) -> None:
    ents, projs = big
    doc = Document.model_validate({"enterprises": [e.model_dump(mode="json") for e in ents[:500]],
                                   "projects": [p.model_dump(mode="json") for p in projs[:500]]})
    assert len(doc.projects) == 500
    assert all(credit_code.validate(e.credit_code) == e.credit_code for e in ents)
    assert ents[0].enterprise_id == "E0001" and projs[0].project_id == "XM0001"
    assert {p.enterprise_id for p in projs} <= {e.enterprise_id for e in ents}


def test_coverage_and_label_frequencies(big: tuple[list, list]) -> None:
    ents, projs = big
    n = len(projs)
    assert {p.sector.value for p in projs if p.sector} == set(SECTORS)
    assert {p.stage.value for p in projs} == set(STAGES)
    assert set(GUANGXI_CITIES) <= {e.city for e in ents}
    assert 0.07 < sum(p.sector is None for p in projs) / n < 0.13
    assert 0.12 < sum(p.trl is None for p in projs) / n < 0.18
    outside = sum(e.city not in GUANGXI_CITIES for e in ents) / n
    assert 0.03 < outside < 0.08
    city = Counter(e.city for e in ents)
    assert (city["南宁"] + city["柳州"] + city["桂林"]) / n > 0.4
    assert 0.3 < sum(e.has_collateral for e in ents) / n < 0.7
    assert sum("high_tech" in [c.value for c in e.certifications] for e in ents) / n > 0.15


def test_city_clusters_shape_sectors(big: tuple[list, list]) -> None:
    ents, projs = big
    city = {e.enterprise_id: e.city for e in ents}
    def share(sector: str, cities: set[str]) -> float:
        rows = [p for p in projs if p.sector and city[p.enterprise_id] in cities]
        return sum(p.sector.value == sector for p in rows) / len(rows)
    everywhere = set(city.values())
    assert share("new_energy_vehicles", {"柳州"}) > 1.5 * share("new_energy_vehicles", everywhere)
    assert share("advanced_materials", {"梧州", "贺州", "河池", "百色"}) > 1.5 * share("advanced_materials", everywhere)
    assert share("marine_economy", {"北海", "钦州", "防城港"}) > 2 * share("marine_economy", everywhere)


def test_funding_needs_follow_domain_ranges(big: tuple[list, list]) -> None:
    _, projs = big
    need = np.array([p.funding_need_wan for p in projs])
    assert 800 < np.median(need) < 3000
    assert np.percentile(need, 95) > 8000  # long tail
    kit = [p.funding_need_wan for p in projs if p.sector and p.sector.value == "advanced_materials"
           and p.stage.value == "pilot"]
    assert sum(200 <= x <= 500 for x in kit) / len(kit) > 0.2
    gmp = [p.funding_need_wan for p in projs if p.sector and p.sector.value == "biomedicine"
           and p.stage.value in ("pilot", "incubation", "scale_up")]
    assert min(gmp) >= 1000


def test_descriptions_read_like_forms_and_vary(big: tuple[list, list]) -> None:
    _, projs = big
    lengths = [len(p.description) for p in projs]
    assert min(lengths) >= 80 and max(lengths) <= 200
    assert len({p.description for p in projs}) == len(projs)
    # not one template with a swapped noun: many distinct openings and sentence counts within a sector
    same_sector = [p.description for p in projs if p.sector and p.sector.value == "biomedicine"]
    assert len({d[:6] for d in same_sector}) > 10
    assert len({d.count("。") for d in same_sector}) >= 3
    assert all("万元" in p.description for p in projs)


def test_sector_is_recoverable_from_text(big: tuple[list, list]) -> None:
    _, projs = big
    stated = [p for p in projs if p.sector]
    hits = sum(infer_sector(p.description) == p.sector.value for p in stated)
    assert hits / len(stated) > 0.95

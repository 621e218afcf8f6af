"""Seeded generator of enterprises and pilot projects with Guangxi-shaped distributions.

Numbers are drawn vectorised with numpy; only the text is composed row by row (cheap enough for
100,000 projects). Distributions follow docs/domain.md: city industry clusters, need ranges
(materials kit 200–500万, biopharma GMP >1000万, typical 2,800–3,500万 with a long tail).
"""

from __future__ import annotations

import random
from collections.abc import Iterable

import numpy as np
from tqdm import tqdm

from finmatch import credit_code
from finmatch.enums import FAMILY_CODES, GUANGXI_CITIES, STAGE_CODES, Certification
from finmatch.schemas import Enterprise, Project
from training.synthetic.text import TextInput, name_and_describe
from training.synthetic.vocab import BRAND_CHARS, NAMED_PLATFORMS, SECTOR_SHORT

SECTORS = ("artificial_intelligence", "high_end_equipment", "advanced_materials", "next_gen_it", "green_chemicals",
           "new_energy_storage", "biomedicine", "modern_agriculture", "marine_economy", "green_low_carbon",
           "new_energy_vehicles")
STAGES = STAGE_CODES
STAGE_P = np.array([0.12, 0.18, 0.38, 0.12, 0.20])
OUTSIDE = ("广州", "深圳", "长沙", "昆明")
CITIES = GUANGXI_CITIES + OUTSIDE
CITY_P = np.array([0.20, 0.16, 0.14, 0.05, 0.06, 0.03, 0.06, 0.03, 0.06, 0.04, 0.03, 0.03, 0.03, 0.03,
                   0.02, 0.015, 0.01, 0.005])
REGION_CODE = dict(zip(CITIES, ("450100", "450200", "450300", "450400", "450500", "450600", "450700", "450800",
                                "450900", "451000", "451100", "451200", "451300", "451400", "440100", "440300",
                                "430100", "530100"), strict=True))
SECTOR_BASE = np.array([0.07, 0.13, 0.16, 0.08, 0.08, 0.09, 0.11, 0.09, 0.05, 0.07, 0.07])
# domain.md clusters: sugar 崇左 来宾 南宁; chemical materials 钦州 北海 防城港; NEV 柳州 南宁; rare metals 河池 百色;
# metals 防城港 北海; inorganic non-metal 梧州 贺州; aluminium 百色 来宾; equipment 柳州 玉林 桂林; textiles 玉林 河池.
CLUSTERS: dict[str, tuple[str, ...]] = {
    "南宁": ("modern_agriculture", "new_energy_vehicles", "artificial_intelligence", "next_gen_it", "biomedicine"),
    "柳州": ("new_energy_vehicles", "high_end_equipment", "new_energy_storage"),
    "桂林": ("high_end_equipment", "biomedicine", "next_gen_it", "artificial_intelligence"),
    "梧州": ("advanced_materials",), "北海": ("green_chemicals", "advanced_materials", "marine_economy", "next_gen_it"),
    "防城港": ("green_chemicals", "advanced_materials", "marine_economy"),
    "钦州": ("green_chemicals", "advanced_materials", "marine_economy", "new_energy_storage"),
    "贵港": ("new_energy_vehicles", "modern_agriculture"), "玉林": ("high_end_equipment", "biomedicine", "advanced_materials"),
    "百色": ("advanced_materials", "modern_agriculture", "green_low_carbon"), "贺州": ("advanced_materials",),
    "河池": ("advanced_materials", "green_low_carbon"), "来宾": ("modern_agriculture", "advanced_materials"),
    "崇左": ("modern_agriculture", "advanced_materials"),
}
PROCESS_P = dict(zip(SECTORS, (0.05, 0.05, 0.9, 0.1, 0.95, 0.5, 0.85, 0.8, 0.4, 0.8, 0.05), strict=True))
HAZARD_P = dict(zip(SECTORS, (0.0, 0.02, 0.2, 0.02, 0.55, 0.18, 0.15, 0.03, 0.05, 0.12, 0.03), strict=True))
THREE_FIRST = {"high_end_equipment": ("first_set", 0.3), "new_energy_vehicles": ("first_set", 0.2),
               "marine_economy": ("first_set", 0.15), "advanced_materials": ("first_batch", 0.25),
               "green_chemicals": ("first_batch", 0.15), "new_energy_storage": ("first_batch", 0.15),
               "artificial_intelligence": ("first_version", 0.25), "next_gen_it": ("first_version", 0.25)}
STAGE_TRL = np.array([3.0, 4.0, 6.0, 6.5, 8.0])
STAGE_REV = np.array([-1.3, -1.0, 0.0, -0.3, 0.8])  # log-revenue offsets
STAGE_NEED = np.array([0.18, 0.25, 1.0, 0.8, 2.6])
SECTOR_NEED = dict(zip(SECTORS, (0.8, 1.2, 1.0, 0.8, 1.3, 1.3, 1.5, 0.6, 1.0, 1.0, 1.6), strict=True))
STAGE_MONTHS = np.array([36, 24, 15, 12, 6])
FAMILY_P = {"equity": (0.6, 0.6, 0.5, 0.5, 0.35), "loan": (0.15, 0.3, 0.6, 0.6, 0.8),
            "guarantee": (0.1, 0.15, 0.3, 0.3, 0.3), "insurance": (0.1, 0.3, 0.35, 0.2, 0.1),
            "subsidy": (0.4, 0.35, 0.3, 0.2, 0.15)}
DATA_YEAR = 2025  # enterprise figures are "last year" as of the 2024–2026 events


def _sector_matrix() -> np.ndarray:
    m = np.tile(SECTOR_BASE, (len(CITIES), 1))
    for ci, city in enumerate(CITIES):
        for s in CLUSTERS.get(city, ("artificial_intelligence", "next_gen_it", "biomedicine")):
            m[ci, SECTORS.index(s)] *= 4.0
    return m / m.sum(axis=1, keepdims=True)


def _categorical(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """Row-wise categorical draws from a (n, k) probability matrix."""
    u = np.asarray(rng.random(probs.shape[0]))[:, None]
    return np.minimum((probs.cumsum(axis=1) < u).sum(axis=1), probs.shape[1] - 1)


def _draw(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """All numeric columns for n enterprise/project pairs."""
    d: dict[str, np.ndarray] = {}
    city = rng.choice(len(CITIES), size=n, p=CITY_P / CITY_P.sum())
    sector = _categorical(rng, _sector_matrix()[city])
    stage = rng.choice(5, size=n, p=STAGE_P)
    early = stage <= 1
    age = np.clip(np.round(np.exp(rng.normal(np.log(7.0) - 0.5 * early, 0.7))), 0, 35).astype(int)
    employees = np.clip(np.round(np.exp(rng.normal(np.log(60) + 0.3 * np.log1p(age), 0.9))), 5, 3000).astype(int)
    log_rev = rng.normal(np.log(2500) + STAGE_REV[stage] + 0.25 * (np.log1p(age) - 2.0), 1.2)
    revenue = np.round(np.clip(np.exp(log_rev), 0, 300000), 1)
    revenue[(age <= 3) & (rng.random(n) < 0.35)] = 0.0
    margin = rng.normal(0.05 - 0.12 * (age < 3) - 0.05 * early, 0.10)
    profit = np.round(np.where(revenue > 0, margin * revenue, -rng.uniform(50, 500, n)), 1)
    debt = np.round(np.clip(rng.beta(2.5, 3.2, n), 0.03, 0.95), 3)
    rd = np.clip(rng.beta(2.0, 25.0, n) + 0.05 * early + 0.1 * (revenue < 300), 0.0, 0.6)
    rd = np.where(revenue > 0, np.round(rd, 3), np.nan)
    patents = rng.poisson(np.exp(rng.normal(np.log(3.0) + 0.2 * (stage >= 2), 0.8)))
    d.update(city=city, sector=sector, stage=stage, age=age, employees=employees, revenue=revenue, profit=profit,
             debt=debt, rd=rd, patents=patents)
    # certifications (domain.md thresholds, applied loosely like real labelling)
    rd_need = np.where(revenue <= 5000, 0.05, np.where(revenue <= 20000, 0.04, 0.03))
    ok_rd = np.nan_to_num(rd) >= rd_need
    d["tech_sme"] = (employees <= 500) & (revenue <= 20000) & (rng.random(n) < 0.6)
    d["high_tech"] = (age >= 1) & (rng.random(n) < np.where(ok_rd & (patents >= 1), 0.55, 0.08))
    d["innovative_sme"] = (employees <= 1000) & (rng.random(n) < 0.3)
    d["specialized_sme"] = (age >= 2) & (revenue >= 1000) & (rng.random(n) < 0.22)
    d["little_giant"] = d["specialized_sme"] & (rng.random(n) < 0.25)
    d["gazelle"] = (revenue >= 1000) & (age <= 10) & (rng.random(n) < 0.08)
    d["tax"] = rng.choice(6, size=n, p=[0.38, 0.37, 0.14, 0.06, 0.02, 0.03])
    d["tax"] = np.where((age < 2) & (d["tax"] < 2) & (rng.random(n) < 0.5), 2, d["tax"])
    d["collateral"] = rng.random(n) < 1 / (1 + np.exp(0.5 - 0.6 * (np.log1p(revenue) - np.log(2500))))
    d["first_loan"] = rng.random(n) < 0.2 + 0.3 * (age <= 3)
    # project
    trl = np.clip(np.round(STAGE_TRL[stage] + rng.choice([-1, 0, 0, 1], size=n)), 1, 9).astype(int)
    d["trl"] = np.where(rng.random(n) < 0.15, 0, trl)  # 0 = unknown
    d["blank_sector"] = rng.random(n) < 0.10
    d["process"] = rng.random(n) < np.array([PROCESS_P[SECTORS[s]] for s in sector])
    d["no_industry_type"] = rng.random(n) < 0.10
    sect_need = np.array([SECTOR_NEED[SECTORS[s]] for s in sector])
    need = np.exp(rng.normal(np.log(1800), 0.9, n)) * STAGE_NEED[stage] * sect_need
    kit = (sector == SECTORS.index("advanced_materials")) & (stage == 2) & (rng.random(n) < 0.35)
    need = np.where(kit, rng.uniform(200, 500, n), need)
    gmp = (sector == SECTORS.index("biomedicine")) & (stage >= 2)
    need = np.where(gmp, np.maximum(need, rng.uniform(1000, 2500, n)), need)
    d["need"] = np.round(np.clip(need, 30, 200000), -1)
    fam = np.zeros((n, 5), dtype=bool)
    for j, f in enumerate(FAMILY_P):
        p = np.array(FAMILY_P[f])[stage] + (0.15 if f == "guarantee" else 0.0) * ~d["collateral"]
        fam[:, j] = rng.random(n) < p
    none = ~fam.any(axis=1)
    fam[none, np.where(stage[none] >= 2, 1, 0)] = True
    fam[rng.random(n) < 0.35] = False  # open to all
    d["families"] = fam
    d["months"] = np.where(rng.random(n) < 0.10, -1,
                           np.clip(np.round(STAGE_MONTHS[stage] * rng.uniform(0.6, 1.5, n)), 1, 72)).astype(int)
    d["hazard"] = rng.random(n) < np.array([HAZARD_P[SECTORS[s]] for s in sector])
    tf_p = np.array([THREE_FIRST.get(SECTORS[s], ("", 0.0))[1] for s in sector]) * (1.0 + 0.5 * (stage >= 2))
    d["three_first"] = rng.random(n) < tf_p
    d["gov"] = rng.random(n) < 0.2 + 0.1 * early
    d["platform"] = rng.random(n) < 0.55
    return d


def _purposes(rng: random.Random, stage: str, families: Iterable[str], patents: int, age: int) -> tuple[str, ...]:
    w = {"equipment": 3.0 if stage in ("pilot", "scale_up") else 1.0, "working_capital": 2.0 if stage == "scale_up" else 1.0,
         "testing": 1.5 if stage in ("proof_of_concept", "pilot") else 0.6, "ip": 1.5 if patents >= 5 else 0.4,
         "talent": 1.5 if age <= 3 else 0.5, "market": 1.5 if stage in ("incubation", "scale_up") else 0.5,
         "risk": 2.0 if "insurance" in families else 0.3, "line": 2.0 if stage == "pilot" else 0.5}
    k = rng.choice((1, 2, 2, 3))
    tags = list(w)
    picked: list[str] = []
    while len(picked) < k:
        t = rng.choices(tags, weights=[w[x] for x in tags])[0]
        if t not in picked:
            picked.append(t)
    return tuple(picked)


def _platform(rng: random.Random, city: str, sector: str) -> str:
    named = NAMED_PLATFORMS.get((city, sector))
    if named and rng.random() < 0.7:
        return named
    if city in OUTSIDE:
        return f"{city}{SECTOR_SHORT[sector]}中试平台"
    return rng.choice((f"{city}{SECTOR_SHORT[sector]}中试基地", f"广西{SECTOR_SHORT[sector]}中试平台",
                       f"{city}高新区制造业中试平台"))


_CERTS = ("high_tech", "tech_sme", "specialized_sme", "little_giant", "innovative_sme", "gazelle")
_TAX = ("A", "B", "M", "C", "D", None)
_FAMILIES = FAMILY_CODES
_FAMILY_WORDS = {"equity": "股权融资", "loan": "银行贷款", "guarantee": "融资担保", "insurance": "科技保险",
                 "subsidy": "财政补贴"}


def generate_projects(n: int, seed: int, progress: bool = False) -> tuple[list[Enterprise], list[Project]]:
    """n enterprises and one pilot project each (E0001/XM0001 …), deterministic for a seed."""
    nrng = np.random.default_rng(seed)
    d = _draw(n, nrng)
    prng = random.Random(seed)
    width = max(4, len(str(n)))
    enterprises: list[Enterprise] = []
    projects: list[Project] = []
    for i in tqdm(range(n), desc="企业与项目", disable=not progress, unit="个"):
        city, sector, stage = CITIES[d["city"][i]], SECTORS[d["sector"][i]], STAGES[d["stage"][i]]
        certs = [c for c in _CERTS if d[c][i]]
        eid, pid = f"E{i + 1:0{width}d}", f"XM{i + 1:0{width}d}"
        brand = "".join(prng.sample(BRAND_CHARS, 2))
        suffix = prng.choice(("有限公司", "股份有限公司", "科技有限公司"))
        ent_name = f"{city}{brand}{SECTOR_SHORT[sector]}{suffix}".replace("科技科技", "科技")
        rd = d["rd"][i]
        enterprises.append(Enterprise(
            enterprise_id=eid, name=ent_name, credit_code=credit_code.generate(prng, REGION_CODE[city]), city=city,
            founded_year=DATA_YEAR - int(d["age"][i]), employees=int(d["employees"][i]),
            annual_revenue_wan=float(d["revenue"][i]), net_profit_wan=float(d["profit"][i]),
            debt_ratio=float(d["debt"][i]), rd_ratio=None if np.isnan(rd) else float(rd),
            invention_patents=int(d["patents"][i]), certifications=certs, tax_grade=_TAX[d["tax"][i]],
            has_collateral=bool(d["collateral"][i]), first_time_borrower=bool(d["first_loan"][i])))
        families = [f for j, f in enumerate(_FAMILIES) if d["families"][i, j]]
        trl = int(d["trl"][i]) or None
        three = [THREE_FIRST[sector][0]] if d["three_first"][i] else []
        platform = _platform(prng, city, sector) if d["platform"][i] else None
        text_in = TextInput(
            sector=sector, stage=stage, city=city, enterprise=ent_name, founded_year=DATA_YEAR - int(d["age"][i]),
            patents=int(d["patents"][i]), cert_label=Certification(certs[0]).label if certs else None,
            platform=platform, trl=trl, need_wan=float(d["need"][i]), hazardous=bool(d["hazard"][i]),
            three_firsts=tuple(three), purposes=_purposes(prng, stage, families, int(d["patents"][i]), int(d["age"][i])),
            funding_label="、".join(_FAMILY_WORDS[f] for f in families[:2]) if families else None)
        name, description = name_and_describe(prng, text_in)
        industry = None if d["no_industry_type"][i] else ("process" if d["process"][i] else "discrete")
        months = int(d["months"][i])
        projects.append(Project(
            project_id=pid, enterprise_id=eid, name=name, description=description, sector=None if d["blank_sector"][i] else sector,
            industry_type=industry, stage=stage, trl=trl, pilot_platform=platform, funding_need_wan=float(d["need"][i]),
            funding_types=families, months_to_production=None if months < 0 else months,
            hazardous_chemicals=bool(d["hazard"][i]), three_firsts=three, government_supported=bool(d["gov"][i])))
    return enterprises, projects

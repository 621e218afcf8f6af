"""The hidden preference model behind the synthetic outcome history (the oracle).

Every term and weight here is written down in data_samples/README.md; change one, change both.
``utility`` is the noise-free expected utility of a project–product pair; the outcome simulator
(``training.synthetic.outcomes``) adds noise, capacity limits and budgets on top of it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from finmatch.enums import GUANGXI_CITIES
from finmatch.schemas import Event, Outcome
from training.synthetic.outcomes import simulate_outcomes as simulate
from training.synthetic.vocab import FOCUS_KEYWORDS, PURPOSE_KEYWORDS, SECTOR_VOCAB

SECTORS = tuple(SECTOR_VOCAB)
TAGS = tuple(PURPOSE_KEYWORDS)
GUARANTEE_CERTS = frozenset({"high_tech", "tech_sme", "specialized_sme", "little_giant"})
REFERENCE_YEAR = 2025  # company age for the hidden model = 2025 - founded_year

# weights (README.md "Hidden preference model")
W_INTENT_MATCH, W_INTENT_MISS = 0.8, -1.2
W_FOCUS_MATCH, W_FOCUS_MISS = 1.0, -0.8
W_TAG, TAG_CAP = 0.45, 2
TASTE_SECTOR_SD, TASTE_CITY_SD, HOME_CITY, OUTSIDE_GX, INTERCEPT_SD = 0.5, 0.25, 0.3, -0.3, 0.3
W_TICKET = -0.5


def _seeded(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])


def infer_sector(text: str) -> str | None:
    """The sector whose vocabulary the text uses most (how the hidden model reads a blank sector)."""
    best, best_hits = None, 0
    for sector, voc in SECTOR_VOCAB.items():
        hits = sum(text.count(term) for terms in voc.values() for term in terms)
        if hits > best_hits:
            best, best_hits = sector, hits
    return best


def text_tags(text: str) -> frozenset[str]:
    """Purpose tags (equipment, ip, risk, …) whose keywords occur in the text."""
    return frozenset(t for t, kws in PURPOSE_KEYWORDS.items() if any(k in text for k in kws))


def product_focus(sectors: Iterable[str], description: str) -> tuple[frozenset[str], bool]:
    """(focus sectors, focus_from_text): the listed sectors, or those named in the text when none are listed."""
    listed = frozenset(sectors or ())
    if listed:
        return listed, False
    found = frozenset(s for s, kws in FOCUS_KEYWORDS.items() if any(k in description for k in kws))
    return found, bool(found)


def _col(frame: pd.DataFrame, name: str, default: object = None) -> pd.Series:
    return frame[name] if name in frame.columns else pd.Series(default, index=frame.index)


def _num(frame: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(_col(frame, name), errors="coerce").to_numpy(dtype=float)


def _sets(frame: pd.DataFrame, name: str) -> list[frozenset[str]]:
    return [frozenset(v) if isinstance(v, tuple | list | set | frozenset) else frozenset() for v in _col(frame, name)]


class HiddenPreferenceModel:
    """Seeded hidden utility per institution type, with institution taste and text-only signals."""

    def __init__(self, seed: int, institution_cities: Mapping[str, str] | None = None) -> None:
        self.seed = seed
        self.institution_cities = institution_cities

    def _home(self, institution_id: str) -> str | None:
        if self.institution_cities is None:  # default: the committed catalogue's institutions
            from training.synthetic.catalogue import load_catalogue

            self.institution_cities = {i.institution_id: i.city or "" for i in load_catalogue().institutions}
        return self.institution_cities.get(institution_id)

    # -- seeded taste ------------------------------------------------------------------------------
    def sector_taste(self, institution_id: str) -> dict[str, float]:
        draws = _seeded(self.seed, "sector:" + institution_id).normal(0.0, TASTE_SECTOR_SD, len(SECTORS))
        return dict(zip(SECTORS, draws.tolist(), strict=True))

    def city_taste(self, institution_id: str) -> dict[str, float]:
        draws = _seeded(self.seed, "city:" + institution_id).normal(0.0, TASTE_CITY_SD, len(GUANGXI_CITIES))
        return dict(zip(GUANGXI_CITIES, draws.tolist(), strict=True))

    def intercept(self, product_id: str) -> float:
        return float(_seeded(self.seed, "product:" + product_id).normal(0.0, INTERCEPT_SD))

    # -- features ----------------------------------------------------------------------------------
    @staticmethod
    def project_features(projects: pd.DataFrame) -> dict[str, np.ndarray]:
        desc = _col(projects, "description", "").fillna("").astype(str).tolist()
        stated = _col(projects, "sector").tolist()
        sector = [s if isinstance(s, str) and s else infer_sector(t) for s, t in zip(stated, desc, strict=True)]
        certs = _sets(projects, "certifications")
        three = _sets(projects, "three_firsts")
        tax = _col(projects, "tax_grade").tolist()
        debt = np.nan_to_num(_num(projects, "debt_ratio"), nan=0.5)
        tax_ab = np.array([t in ("A", "B") for t in tax])
        has_g_cert = np.array([bool(c & GUARANTEE_CERTS) for c in certs])
        return {
            "sector": np.array([s or "" for s in sector], dtype=object),
            "stage": _col(projects, "stage").to_numpy(dtype=object),
            "trl": _num(projects, "trl"),
            "need": _num(projects, "funding_need_wan"),
            "revenue": np.nan_to_num(_num(projects, "annual_revenue_wan"), nan=0.0),
            "profit": np.nan_to_num(_num(projects, "net_profit_wan"), nan=-1.0),
            "debt": debt,
            "rd": np.nan_to_num(_num(projects, "rd_ratio"), nan=0.0),
            "patents": np.nan_to_num(_num(projects, "invention_patents"), nan=0.0),
            "age": REFERENCE_YEAR - np.nan_to_num(_num(projects, "founded_year"), nan=REFERENCE_YEAR - 5),
            "city": _col(projects, "city").fillna("").to_numpy(dtype=object),
            "collateral": _col(projects, "has_collateral", False).fillna(False).to_numpy(dtype=bool),
            "first_loan": _col(projects, "first_time_borrower", False).fillna(False).to_numpy(dtype=bool),
            "hazard": _col(projects, "hazardous_chemicals", False).fillna(False).to_numpy(dtype=bool),
            "gov": _col(projects, "government_supported", False).fillna(False).to_numpy(dtype=bool),
            "platform": _col(projects, "pilot_platform").notna().to_numpy(dtype=bool),
            "tax": np.array([{"A": 0.3, "B": 0.0}.get(t, -0.3) for t in tax]),
            "guarantee_ok": has_g_cert & tax_ab & (debt <= 0.75),
            "little_giant": np.array(["little_giant" in c for c in certs]),
            "high_tech": np.array(["high_tech" in c for c in certs]),
            "tech_sme": np.array(["tech_sme" in c for c in certs]),
            "growth_cert": np.array([bool(c & {"gazelle", "little_giant"}) for c in certs]),
            "first_set": np.array(["first_set" in t for t in three]),
            "first_batch": np.array(["first_batch" in t for t in three]),
            "first_version": np.array(["first_version" in t for t in three]),
            "families": np.array(_sets(projects, "funding_types"), dtype=object),
            "tags": np.array([text_tags(t) for t in desc], dtype=object),
        }

    # -- utility -----------------------------------------------------------------------------------
    def simulate_outcomes(self, events: Sequence[Event], projects_df: pd.DataFrame, products_df: pd.DataFrame,
                          eligible: pd.DataFrame | Mapping[str, pd.DataFrame], rng: np.random.Generator,
                          progress: bool = False) -> list[Outcome]:
        """Outcome rows for the events from this model's utility (see training.synthetic.outcomes)."""
        return _simulate(self, events, projects_df, products_df, eligible, rng, progress)

    def utility(self, projects: pd.DataFrame, products: pd.DataFrame) -> pd.DataFrame:
        """Noise-free expected utility, N×M (index project_id, columns product_id): the oracle."""
        f = self.project_features(projects)
        n = len(projects)
        out = np.zeros((n, len(products)))
        sector_idx = {s: i for i, s in enumerate(SECTORS)}
        sec = np.array([sector_idx.get(s, -1) for s in f["sector"]])
        for j, (_, q) in enumerate(products.iterrows()):
            out[:, j] = self._column(f, sec, q, n)
        return pd.DataFrame(out, index=pd.Index(projects.index, name="project_id"),
                            columns=pd.Index(products.index, name="product_id"))

    def _column(self, f: dict[str, np.ndarray], sec: np.ndarray, q: pd.Series, n: int) -> np.ndarray:
        family = str(q.get("family"))
        itype = str(q.get("institution_type") or _TYPE_OF_FAMILY.get(family, ""))
        inst = str(q.get("institution_id") or "")
        desc = str(q.get("description") or "")
        u = np.full(n, self.intercept(str(q.get("product_id"))))
        # C1 funding intent
        wants = np.array([not fams or family in fams for fams in f["families"]])
        u += np.where(wants, W_INTENT_MATCH, W_INTENT_MISS)
        # C2 sector focus (listed, or stated only in the description)
        focus, _ = product_focus(q.get("sectors") or (), desc)
        if focus:
            u += np.where(np.isin(f["sector"], list(focus)), W_FOCUS_MATCH, W_FOCUS_MISS)
        # C3 purpose-tag affinity between the need text and the product text
        ptags = text_tags(desc)
        if ptags:
            shared = np.array([min(len(t & ptags), TAG_CAP) for t in f["tags"]])
            u += W_TAG * shared
        # C4 institution taste: sector, city, home city, outside Guangxi
        taste = np.array(list(self.sector_taste(inst).values()) + [0.0])
        u += taste[sec]
        ctaste = self.city_taste(inst)
        u += np.array([ctaste.get(c, OUTSIDE_GX) for c in f["city"]])
        u += HOME_CITY * (f["city"] == self._home(inst))
        # C6 ticket sweet spot
        lo, hi = _f(q.get("amount_min_wan")), _f(q.get("amount_max_wan"))
        if lo > 0 and hi > 0:
            u += W_TICKET * np.minimum(np.abs(np.log(f["need"] / np.sqrt(lo * hi))), 2.0)
        u += _TYPE_TERMS.get(itype, _none)(f, str(q.get("kind") or ""), desc)
        return u


def _f(v: object) -> float:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return x


def _none(f: dict[str, np.ndarray], kind: str, desc: str) -> np.ndarray:
    return np.zeros(len(f["need"]))


def _trl_in(trl: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return (trl >= lo) & (trl <= hi)


def fund_terms(f: dict[str, np.ndarray], kind: str, desc: str) -> np.ndarray:
    """F1 TRL-window × stage (non-linear), F2 IP, F3 growth, F4 platform/gov, F5 hazard."""
    stage, trl = f["stage"], f["trl"]
    known = ~np.isnan(trl)
    window = np.select(
        [(stage == "tech_research") | (known & (trl <= 3)),
         np.isin(stage, ["pilot", "incubation"]) & known & _trl_in(trl, 5, 7),
         (stage == "proof_of_concept") & known & _trl_in(trl, 4, 6),
         (stage == "scale_up") & known & (trl >= 8),
         ~known & np.isin(stage, ["pilot", "incubation"]),
         ~known & (stage == "proof_of_concept"),
         ~known & (stage == "scale_up")],
        [-0.8, 1.2, 0.6, 0.4, 0.4, 0.2, 0.1], default=-0.2)
    rd = np.clip((f["rd"] - 0.05) / 0.10, -1.0, 1.0)
    return (window + 0.6 * np.tanh(f["patents"] / 6.0) + 0.5 * f["growth_cert"] + 0.8 * rd
            + 0.3 * f["platform"] + 0.3 * f["gov"] - 0.4 * f["hazard"])


def bank_terms(f: dict[str, np.ndarray], kind: str, desc: str) -> np.ndarray:
    """B1 scale, B2 profit, B3 debt × (collateral or guarantee), B4 tax, B5 kind, B6 first loan."""
    scale = 0.5 * np.clip((np.log1p(f["revenue"]) - np.log(3000.0)) / 1.5, -2.0, 2.0)
    profit = np.where(f["profit"] > 0, 0.6, -0.6)
    secured = (f["collateral"] | f["guarantee_ok"]).astype(float)
    security = 0.6 * secured - 3.0 * np.maximum(0.0, f["debt"] - 0.5) * (1.0 - 0.8 * secured)
    u = scale + profit + security + f["tax"]
    trl_ok = np.isnan(f["trl"]) | (f["trl"] >= 5)
    if "中试" in kind:
        u += 0.7 * (np.isin(f["stage"], ["proof_of_concept", "pilot"]) & trl_ok)
    elif "知识产权" in kind:
        u += 0.8 * np.tanh(f["patents"] / 4.0) - 0.3
    elif "人才" in kind:
        u += 0.6 * ((f["age"] <= 3) & (f["rd"] >= 0.08))
    u += np.where(f["first_loan"], 0.5 if "首贷" in desc else -0.3, 0.0)
    return u


def guarantor_terms(f: dict[str, np.ndarray], kind: str, desc: str) -> np.ndarray:
    """G1 certification share, G2 no collateral, G3 debt, G4 young × first loan, G5 profit, G6 中试担."""
    cert = np.select([f["little_giant"], f["high_tech"], f["tech_sme"]], [0.8, 0.6, 0.4], default=0.0)
    u = cert + 0.5 * ~f["collateral"] - 2.0 * np.maximum(0.0, f["debt"] - 0.6)
    u += 0.6 * (f["first_loan"] & (f["age"] <= 2)) + 0.3 * (f["profit"] > 0)
    if "中试" in kind:
        u += 0.5 * (f["stage"] == "pilot")
    return u


def insurer_terms(f: dict[str, np.ndarray], kind: str, desc: str) -> np.ndarray:
    """N1 pilot technical risk, N2 three-firsts × kind, N3 hazard (text can lift it), N4 R&D for 科技保险."""
    trl = f["trl"]
    risky = np.isin(f["stage"], ["proof_of_concept", "pilot"])
    u = np.where(risky & _trl_in(trl, 4, 7), 1.0, np.where(risky & np.isnan(trl), 0.5, 0.0))
    u -= 0.3 * (f["stage"] == "scale_up")
    for word, flag in (("首台", "first_set"), ("首批次", "first_batch"), ("首版次", "first_version")):
        if word in kind:
            u += np.where(f[flag], 1.5, -1.0)
    if "中试" in kind:
        u += np.where(f["hazard"], 0.4 if "危险化学品" in desc else -0.6, 0.0)
    else:
        u -= 0.2 * f["hazard"]
    if "科技保险" in kind:
        u += 0.5 * np.clip(f["rd"] / 0.10, 0.0, 1.5)
    return u


def government_terms(f: dict[str, np.ndarray], kind: str, desc: str) -> np.ndarray:
    """S1 government-supported, S2 first loan, S3 high-tech, S4 early stage."""
    early = np.isin(f["stage"], ["tech_research", "proof_of_concept", "pilot"])
    return 0.5 * f["gov"] + 0.3 * f["first_loan"] + 0.3 * f["high_tech"] + 0.3 * early


_TYPE_TERMS = {"fund_manager": fund_terms, "bank": bank_terms, "guarantor": guarantor_terms,
               "insurer": insurer_terms, "government": government_terms}
_TYPE_OF_FAMILY = {"equity": "fund_manager", "loan": "bank", "guarantee": "guarantor", "insurance": "insurer",
                   "subsidy": "government"}


def _simulate(self: HiddenPreferenceModel, events: Sequence[Event], projects_df: pd.DataFrame,
              products_df: pd.DataFrame, eligible: pd.DataFrame | Mapping[str, pd.DataFrame],
              rng: np.random.Generator, progress: bool = False) -> list[Outcome]:
    """Outcome rows for the events from this model's utility (see training.synthetic.outcomes)."""
    ids = sorted({p for e in events for p in e.project_ids} & set(projects_df.index))
    products = [q for q in dict.fromkeys(q for e in events for q in e.product_ids) if q in products_df.index]
    utility = self.utility(projects_df.loc[ids], products_df.loc[products])
    return simulate(utility, events, projects_df, products_df, eligible, rng, progress)



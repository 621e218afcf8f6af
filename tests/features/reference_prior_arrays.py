"""Frozen copy of ``finmatch/matching/prior_arrays.py`` as it was before the feature-matrix speed work (issue 15): the
reference ``test_feature_matrix_equivalence.py`` compares the current code against. Do not edit.

The original module docstring follows.

The prior's terms as numpy gathers: per-project and per-product arrays, then one gather per pair.

Every value a term reads is computed once per project (the rows the pairs use) or once per product (once
per catalogue frame, cached by frame identity) with the same scalar rules as ``PriorScorer``'s helpers, and
the pair terms are then array arithmetic over the integer positions ``pi``/``qj``. The arithmetic is the
scalar code's, operation for operation, so values are identical (``math`` log/exp on the unique ratios,
not numpy's, which may differ by an ulp at a reason threshold).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from finmatch.enums import Family

# product family-fit classes: which rule of ``PriorScorer._family_fit`` a product falls under
EQUITY, LOAN, GUARANTEE, THREE_FIRST, INSURANCE_PILOT, SUBSIDY, NEUTRAL = range(7)
_POPCOUNT = np.array([bin(k).count("1") for k in range(256)], dtype=np.int64)


def _column(frame: pd.DataFrame, col: str, rows: np.ndarray | None = None) -> np.ndarray:
    """A column as Python objects (None where the frame lacks it), as the scalar code's ``_records`` reads it."""
    n = len(frame) if rows is None else len(rows)
    if col not in frame.columns:
        return np.full(n, None, dtype=object)
    values = frame[col].to_numpy(dtype=object)
    return values if rows is None else values[rows]


@dataclass
class ProductTerms:
    """Per-product arrays of one catalogue frame (M products)."""

    family: np.ndarray  # str per product, as ``str(q.get("family"))``
    family_code: np.ndarray  # index into ``families``
    families: list[str]
    fit_class: np.ndarray  # one of EQUITY … NEUTRAL
    three_kinds: np.ndarray  # bit mask over THREE_FIRST_KINDS named by ``kind``
    sector_member: np.ndarray  # bool (codes + 1, M): code in the product's focus; the last row is "no code"
    sector_codes: dict[str, int]
    focus_empty: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    purpose: np.ndarray  # bit mask over PURPOSES named by the product's text
    focus_key: np.ndarray  # int group of (focus list, focus_inferred): the sector reason's product inputs
    family_key: np.ndarray  # int group of (family, requires three-firsts, kind names one): family reason's
    ticket_key: np.ndarray  # int group of (lo, hi): the ticket reason's product inputs


def product_terms(products: pd.DataFrame) -> ProductTerms:
    from tests.matching import reference_prior as P

    family = np.array([str(v) for v in _column(products, "family")], dtype=object)
    families = sorted(set(family.tolist()))
    fam_index = {f: k for k, f in enumerate(families)}
    kinds = [str(v or "") for v in _column(products, "kind")]
    requires = [bool(v) for v in _column(products, "requires_three_firsts")]
    names, descriptions = _column(products, "name"), _column(products, "description")
    texts = [P._text(k, n, d) for k, n, d in zip(_column(products, "kind"), names, descriptions, strict=True)]
    kind_bits = list(P.THREE_FIRST_KINDS)
    three = np.array([sum(1 << b for b, t in enumerate(kind_bits) if any(w in kind for w in P.THREE_FIRST_KINDS[t]))
                      for kind in kinds], dtype=np.int64)
    fit_class = np.empty(len(products), dtype=np.int64)
    for j, (fam, text) in enumerate(zip(family, texts, strict=True)):
        if fam == Family.EQUITY:
            c = EQUITY
        elif fam == Family.LOAN:
            c = LOAN
        elif fam == Family.GUARANTEE:
            c = GUARANTEE
        elif three[j] or requires[j]:
            c = THREE_FIRST
        elif fam == Family.INSURANCE:
            c = INSURANCE_PILOT if any(w in text for w in P.PILOT_INSURANCE_WORDS) else NEUTRAL
        elif fam == Family.SUBSIDY:
            c = SUBSIDY
        else:
            c = NEUTRAL
        fit_class[j] = c
    focus = [P._list(f) or P._list(s) for f, s in zip(_column(products, "focus_sectors"),
                                                       _column(products, "sectors"), strict=True)]
    codes = {code: k for k, code in enumerate(sorted({code for f in focus for code in f}))}
    member = np.zeros((len(codes) + 1, len(products)), dtype=bool)
    for j, f in enumerate(focus):
        for code in f:
            member[codes[code], j] = True
    purpose_bits = list(P.PURPOSES)
    purpose = np.array([_bits(P.purposes_of(t), purpose_bits) for t in texts], dtype=np.int64)
    lo = np.array([P._num(v) for v in _column(products, "amount_min_wan")], dtype=float)
    hi = np.array([P._num(v) for v in _column(products, "amount_max_wan")], dtype=float)
    inferred = [bool(v) for v in _column(products, "focus_inferred")]
    kind_named = three != 0
    return ProductTerms(
        family=family, family_code=np.array([fam_index[f] for f in family], dtype=np.int64), families=families,
        fit_class=fit_class, three_kinds=three, sector_member=member, sector_codes=codes,
        focus_empty=np.array([not f for f in focus], dtype=bool), lo=lo, hi=hi, purpose=purpose,
        focus_key=_groups([(tuple(f), i) for f, i in zip(focus, inferred, strict=True)]),
        family_key=_groups(list(zip(family.tolist(), requires, kind_named.tolist(), strict=True))),
        ticket_key=_groups([(repr(a), repr(b)) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]))


def _bits(tags: set[str], order: list[str]) -> int:
    return sum(1 << b for b, t in enumerate(order) if t in tags)


def _groups(keys: list[Any]) -> np.ndarray:
    index: dict[Any, int] = {}
    return np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)


@dataclass
class ProjectTerms:
    """Per-project arrays of the projects the pairs use (U rows; pairs read them through ``row``)."""

    fit: np.ndarray  # (U, 7): the family-fit value of each product class (THREE_FIRST column unused)
    three: np.ndarray  # bit mask over THREE_FIRST_KINDS the project claims
    three_any: np.ndarray  # the project claims any three-first at all
    no_wanted: np.ndarray  # no funding_types stated
    wanted: np.ndarray  # bool (U, families): family among funding_types
    sector_code: np.ndarray  # (U, 2) index into the product side's codes (last = none)
    sector_conf: np.ndarray  # (U, 2) confidence, 0 where no code
    no_sector: np.ndarray
    need: np.ndarray
    purpose: np.ndarray  # bit mask over PURPOSES named by the project's text


def project_terms(projects: pd.DataFrame, rows: np.ndarray, side: ProductTerms) -> ProjectTerms:
    from tests.matching import reference_prior as P

    cols = ["stage", "trl", "three_firsts", "annual_revenue_wan", "net_profit_wan", "has_collateral",
            "first_time_borrower", "hazardous_chemicals", "government_supported", "description", "sector",
            "inferred_sector", "sector_confidence", "sector_second", "sector_second_confidence",
            "funding_need_wan", "funding_types", "name"]
    have = [c for c in cols if c in projects.columns]
    values = {c: _column(projects, c, rows) for c in have}
    u = len(rows)
    fit = np.full((u, 7), 0.5)
    three = np.zeros(u, dtype=np.int64)
    three_any = np.zeros(u, dtype=bool)
    no_wanted = np.zeros(u, dtype=bool)
    wanted = np.zeros((u, len(side.families)), dtype=bool)
    fam_index = {f: k for k, f in enumerate(side.families)}
    none = len(side.sector_codes)
    sector_code = np.full((u, 2), none, dtype=np.int64)
    sector_conf = np.zeros((u, 2))
    no_sector = np.zeros(u, dtype=bool)
    need = np.empty(u)
    purpose = np.zeros(u, dtype=np.int64)
    kind_bits, purpose_bits = list(P.THREE_FIRST_KINDS), list(P.PURPOSES)
    pilot_text = P.PILOT_INSURANCE_WORDS[0]
    fam_fit = P.ReferencePriorScorer._family_fit
    for k in range(u):
        p = {c: values[c][k] for c in have}
        fit[k, EQUITY] = fam_fit(p, {}, Family.EQUITY.value, "")
        fit[k, LOAN] = fam_fit(p, {}, Family.LOAN.value, "")
        fit[k, GUARANTEE] = fam_fit(p, {}, Family.GUARANTEE.value, "")
        fit[k, INSURANCE_PILOT] = fam_fit(p, {}, Family.INSURANCE.value, pilot_text)
        fit[k, SUBSIDY] = fam_fit(p, {}, Family.SUBSIDY.value, "")
        claimed = set(P._list(p.get("three_firsts")))
        three[k] = _bits(claimed, kind_bits)
        three_any[k] = bool(claimed)
        want = P._list(p.get("funding_types"))
        no_wanted[k] = not want
        for f in want:
            if f in fam_index:
                wanted[k, fam_index[f]] = True
        mine = P.ReferencePriorScorer._project_sectors(p)
        no_sector[k] = not mine
        for s, (code, conf) in enumerate(mine):
            sector_code[k, s] = side.sector_codes.get(code, none)
            sector_conf[k, s] = conf
        need[k] = P._num(p.get("funding_need_wan"))
        purpose[k] = _bits(P.purposes_of(P._text(p.get("name"), p.get("description"))), purpose_bits)
    return ProjectTerms(fit, three, three_any, no_wanted, wanted, sector_code, sector_conf, no_sector, need, purpose)


def _exp_neg_abs_log(ratio: np.ndarray) -> np.ndarray:
    """``math.exp(-abs(math.log(r)))`` per element, via the unique ratios (bit-identical to the scalar code)."""
    if len(ratio) == 0:
        return np.zeros(0)
    uniq, inv = np.unique(ratio, return_inverse=True)
    return np.array([math.exp(-abs(math.log(r))) for r in uniq.tolist()], dtype=float)[inv.reshape(-1)]


def pair_terms(pt: ProjectTerms, side: ProductTerms, row: np.ndarray, qj: np.ndarray) -> dict[str, np.ndarray]:
    """``intent``, ``family_fit``, ``sector_focus``, ``ticket_fit`` and ``purpose`` of the pairs
    (``row``: position in ``pt``, ``qj``: position in ``side``)."""
    n = len(row)
    # intent: 1 for a requested family, 0.5 when none is stated, else 0
    intent = np.where(pt.no_wanted[row], 0.5, pt.wanted[row, side.family_code[qj]].astype(float))
    # family fit: the project's value for the product's rule; three-firsts need a matching claim
    cls = side.fit_class[qj]
    family_fit = pt.fit[row, cls]
    tf = cls == THREE_FIRST
    if tf.any():
        kinds = side.three_kinds[qj[tf]]
        r = row[tf]
        matches = np.where(kinds != 0, (pt.three[r] & kinds) != 0, pt.three_any[r])
        family_fit[tf] = np.where(matches, 1.0, 0.1)
    # sector focus: confidences of the project's codes in the product's focus
    hit0 = side.sector_member[pt.sector_code[row, 0], qj]
    hit1 = side.sector_member[pt.sector_code[row, 1], qj]
    total = np.where(hit0, pt.sector_conf[row, 0], 0.0) + np.where(hit1, pt.sector_conf[row, 1], 0.0)
    sector = np.where(side.focus_empty[qj], 0.5, np.where(pt.no_sector[row], 0.3, np.minimum(1.0, total)))
    # ticket fit
    need, lo, hi = pt.need[row], side.lo[qj], side.hi[qj]
    ticket = np.full(n, 0.5)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo_nan, hi_nan = np.isnan(lo), np.isnan(hi)
        live = ~np.isnan(need) & (need > 0) & ~(lo_nan & hi_nan)
        below = live & ~lo_nan & (need < lo)
        rest = live & ~below
        above = rest & ~hi_nan & (need > hi)
        inside = rest & ~hi_nan & ~(need > hi)
        ticket[rest & hi_nan] = 1.0
        ticket[below] = _exp_neg_abs_log(lo[below] / need[below])
        ticket[above] = _exp_neg_abs_log(need[above] / hi[above])
        share = need[inside] / hi[inside]
        ticket[inside] = np.where(share >= 0.2, 1.0, 0.6 + 0.4 * share / 0.2)
    # purpose: share of the project's uses the product's text also names
    mine, theirs = pt.purpose[row], side.purpose[qj]
    with np.errstate(invalid="ignore", divide="ignore"):
        share_p = _POPCOUNT[mine & theirs] / _POPCOUNT[mine]
    purpose = np.where(mine == 0, 0.5, np.where(theirs == 0, 0.3, share_p))
    return {"intent": intent, "family_fit": family_fit, "sector_focus": sector, "ticket_fit": ticket,
            "purpose": purpose}

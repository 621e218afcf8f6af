"""The prior's terms as numpy gathers: per-project and per-product arrays, then one gather per pair.

Every value a term reads is computed once per project (the rows the pairs use) or once per product (once
per catalogue frame, cached by frame identity) with the same scalar rules as ``PriorScorer``'s helpers, and
the pair terms are then array arithmetic over the integer positions ``pi``/``qj``. The arithmetic is the
scalar code's, operation for operation, so values are identical (``math`` log/exp on the unique ratios,
not numpy's, which may differ by an ulp at a reason threshold). Terms that depend on a project and a
small product key (family, family-fit rule, focus group, purpose mask) are evaluated on the
project × key grid and read by one flat gather per pair; a pair-level choice uses ``select`` (bitwise,
no branch per element: ``np.where`` on an unpredictable mask costs ~7 ns a value).

``Rows``, ``select`` and ``used_rows`` are shared with the feature builder (``features.pair_*``); the frame's
columns are read once per call through ``eligibility.values.FrameColumns``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from finmatch.eligibility.values import FrameColumns
from finmatch.enums import Family
from finmatch.matching.prior_words import _words, purpose_masks, word_bits  # noqa: F401 (re-exported)

# product family-fit classes: which rule of ``PriorScorer._family_fit`` a product falls under
EQUITY, LOAN, GUARANTEE, THREE_FIRST, INSURANCE_PILOT, SUBSIDY, NEUTRAL = range(7)
_KIND_COLUMN = 7  # family-fit table: column 7 + k is a three-first product naming the kinds of bit mask k
_POPCOUNT = np.array([bin(k).count("1") for k in range(256)], dtype=np.int64)
_LOAN_STAGES = ("incubation", "scale_up", "pilot")
_PILOT_STAGES = ("proof_of_concept", "pilot")


class Rows:
    """Gathers of per-row values onto pairs (``values[index]``), as ``np.repeat`` when the index is sorted
    (the engine's pairs come project by project): the same values, 2-3× cheaper."""

    def __init__(self, index: np.ndarray, size: int) -> None:
        self.index = np.asarray(index, dtype=np.int64)
        self.counts: np.ndarray | None = None
        if len(self.index) > 64 and bool((self.index[1:] >= self.index[:-1]).all()):
            self.counts = np.bincount(self.index, minlength=size)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        if self.counts is not None:
            return np.repeat(values, self.counts, axis=0)
        return values.take(self.index, axis=0)


def select(cond: np.ndarray, a: Any, b: Any) -> np.ndarray:
    """``np.where(cond, a, b)`` for float64 values, bit for bit, without a branch per element."""
    a_bits = np.asarray(a, dtype=np.float64).view(np.int64)
    b_bits = np.asarray(b, dtype=np.float64).view(np.int64)
    mask = cond.astype(np.int64)
    np.negative(mask, out=mask)  # 0 or all ones
    out = np.bitwise_xor(a_bits, b_bits)
    out = np.bitwise_and(out, mask, out=out if out.shape == mask.shape else None)
    np.bitwise_xor(out, b_bits, out=out)
    return out.view(np.float64)


def finite(x: np.ndarray) -> np.ndarray:
    """``np.nan_to_num(x)`` (a copy), skipping its passes over the values when all of them are finite."""
    x = np.asarray(x, dtype=float)
    return x.copy() if np.isfinite(x).all() else np.nan_to_num(x)


def used_rows(pi: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(pi, return_inverse=True)`` without the sort: the rows used and each pair's position in them."""
    present = np.zeros(n, dtype=bool)
    present[pi] = True
    used = np.flatnonzero(present)
    position = np.cumsum(present, dtype=np.int64) - 1
    return used, position.take(pi)


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
    fit_column: np.ndarray  # column of the family-fit table: the class, or 7 + kind mask for three-firsts
    focus_group: np.ndarray  # int group of the focus set (what the sector term reads)
    group_member: np.ndarray  # bool (codes + 1, groups)
    group_empty: np.ndarray  # bool (groups,)


def product_terms(products: pd.DataFrame) -> ProductTerms:
    from finmatch.matching import prior as P

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
    group = _groups([frozenset(f) for f in focus])
    first = np.unique(group, return_index=True)[1] if len(group) else np.zeros(0, dtype=np.int64)
    purpose = np.array(purpose_masks(texts), dtype=np.int64)
    lo = np.array([P._num(v) for v in _column(products, "amount_min_wan")], dtype=float)
    hi = np.array([P._num(v) for v in _column(products, "amount_max_wan")], dtype=float)
    inferred = [bool(v) for v in _column(products, "focus_inferred")]
    kind_named = three != 0
    empty = np.array([not f for f in focus], dtype=bool)
    return ProductTerms(
        family=family, family_code=np.array([fam_index[f] for f in family], dtype=np.int64), families=families,
        fit_class=fit_class, three_kinds=three, sector_member=member, sector_codes=codes,
        focus_empty=empty, lo=lo, hi=hi, purpose=purpose,
        focus_key=_groups([(tuple(f), i) for f, i in zip(focus, inferred, strict=True)]),
        family_key=_groups(list(zip(family.tolist(), requires, kind_named.tolist(), strict=True))),
        ticket_key=_groups([(repr(a), repr(b)) for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]),
        fit_column=np.where(fit_class == THREE_FIRST, _KIND_COLUMN + three, fit_class),
        focus_group=group, group_member=member[:, first], group_empty=empty[first])


def _bits(tags: set[str], order: list[str]) -> int:
    return sum(1 << b for b, t in enumerate(order) if t in tags)


def _groups(keys: list[Any]) -> np.ndarray:
    index: dict[Any, int] = {}
    return np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)


@dataclass
class ProjectTerms:
    """Per-project arrays of the projects the pairs use (U rows; pairs read them through ``row``)."""

    fit: np.ndarray  # (U, 15): the family-fit value of each product class, then of each three-first kind mask
    three: np.ndarray  # bit mask over THREE_FIRST_KINDS the project claims
    three_any: np.ndarray  # the project claims any three-first at all
    no_wanted: np.ndarray  # no funding_types stated
    wanted: np.ndarray  # bool (U, families): family among funding_types
    sector_code: np.ndarray  # (U, 2) index into the product side's codes (last = none)
    sector_conf: np.ndarray  # (U, 2) confidence, 0 where no code
    no_sector: np.ndarray
    need: np.ndarray
    purpose: np.ndarray  # bit mask over PURPOSES named by the project's text


def _numbers(columns: FrameColumns, col: str, rows: np.ndarray) -> list[float]:
    """``prior._num`` of each value (numpy numbers convert exactly as ``float()`` does)."""
    from finmatch.matching import prior as P

    if columns.numeric(col):
        return columns.floats(col).take(rows).tolist()
    return [P._num(v) for v in columns.objects(col)[rows].tolist()]


def project_terms(projects: pd.DataFrame, rows: np.ndarray, side: ProductTerms,
                  columns: FrameColumns | None = None) -> ProjectTerms:
    """One pass over the used projects with the rules of ``PriorScorer._family_fit`` / ``_project_sectors``
    written out (the five family-fit values of a project, its claims, wants, sectors, need, purposes)."""
    from finmatch.matching import prior as P

    cols = columns if columns is not None else FrameColumns(projects)

    def obj(c: str) -> list[Any]:
        return cols.objects(c)[rows].tolist()

    u = len(rows)
    fam_index = {f: k for k, f in enumerate(side.families)}
    none = len(side.sector_codes)
    kind_bits = list(P.THREE_FIRST_KINDS)
    blank, as_list, flag, text_of = P._blank, P._list, P._flag, P._text
    fits: list[tuple[float, float, float, float, bool, float]] = []
    three: list[int] = []
    three_any: list[bool] = []
    no_wanted: list[bool] = []
    no_sector: list[bool] = []
    wanted_at: list[tuple[int, int]] = []
    sectors: list[tuple[int, int, int, float]] = []
    described: list[str] = []
    named: list[str] = []
    rows_of = zip(obj("stage"), _numbers(cols, "trl", rows), _numbers(cols, "annual_revenue_wan", rows),
                  _numbers(cols, "net_profit_wan", rows), obj("has_collateral"), obj("first_time_borrower"),
                  obj("hazardous_chemicals"), obj("government_supported"), obj("description"), obj("name"),
                  obj("three_firsts"), obj("funding_types"), obj("sector"), obj("inferred_sector"),
                  _numbers(cols, "sector_confidence", rows), obj("sector_second"),
                  _numbers(cols, "sector_second_confidence", rows), strict=True)
    for k, (stage, trl, rev, prof, coll, first_loan, haz, gov, desc, name, claims, wants, stated, inf1, conf1,
            inf2, conf2) in enumerate(rows_of):
        base = P.EQUITY_STAGES.get(str(stage), 0.5)
        if not math.isnan(trl):
            base *= 1.0 if 5 <= trl <= 7 else (0.7 if trl in (4, 8) else 0.4)
        if math.isnan(rev):
            loan = 0.4
        else:
            capacity = 1.0 if prof > 0 and rev >= 1000 else (0.7 if prof > 0 else (0.45 if rev > 0 else 0.2))
            loan = capacity * (1.0 if stage in _LOAN_STAGES else 0.7)
        collateral, first = flag(coll), flag(first_loan)
        guarantee = 1.0 if collateral is False or first is True else (0.5 if collateral is None else 0.3)
        fits.append((base, loan, guarantee, 1.0 if stage in _PILOT_STAGES else 0.4, bool(flag(haz)),
                     1.0 if flag(gov) else 0.4))
        described.append(text_of(desc))
        named.append(text_of(name, desc))
        claimed = set(as_list(claims))
        three.append(_bits(claimed, kind_bits))
        three_any.append(bool(claimed))
        want = as_list(wants)
        no_wanted.append(not want)
        wanted_at.extend((k, fam_index[f]) for f in want if f in fam_index)
        if not blank(stated):
            mine = [(str(stated), 1.0)]
        else:
            mine = [(str(code), 0.5 if math.isnan(conf) else conf)
                    for code, conf in ((inf1, conf1), (inf2, conf2)) if not blank(code)]
        no_sector.append(not mine)
        sectors.extend((k, s, side.sector_codes.get(code, none), conf) for s, (code, conf) in enumerate(mine))
    novel = word_bits(described, _words("novel"))
    fit = np.full((u, _KIND_COLUMN + 8), 0.5)
    if u:
        # 中试险: pilot-stage work, more so hazardous or novel processes (``_family_fit``'s insurance rule)
        values = [(equity, loan, guarantee, min(1.0, pilot * (0.75 + 0.25 * (hazard or bool(new)))), subsidy)
                  for (equity, loan, guarantee, pilot, hazard, subsidy), new in zip(fits, novel, strict=True)]
        fit[:, [EQUITY, LOAN, GUARANTEE, INSURANCE_PILOT, SUBSIDY]] = np.array(values, dtype=float)
    three_a, any_a = np.array(three, dtype=np.int64), np.array(three_any, dtype=bool)
    # a three-first product: 1.0 when the project claims a kind the product names (any claim if it names none)
    for mask in range(8):
        fit[:, _KIND_COLUMN + mask] = np.where((three_a & mask) != 0 if mask else any_a, 1.0, 0.1)
    wanted = np.zeros((u, len(side.families)), dtype=bool)
    for k, f in wanted_at:
        wanted[k, f] = True
    sector_code = np.full((u, 2), none, dtype=np.int64)
    sector_conf = np.zeros((u, 2))
    for k, s, code, conf in sectors:
        sector_code[k, s] = code
        sector_conf[k, s] = conf
    need = np.array(_numbers(cols, "funding_need_wan", rows), dtype=float)
    return ProjectTerms(fit, three_a, any_a, np.array(no_wanted, dtype=bool), wanted, sector_code, sector_conf,
                        np.array(no_sector, dtype=bool), need, np.array(purpose_masks(named), dtype=np.int64))


def _exp_neg_abs_log(ratio: np.ndarray) -> np.ndarray:
    """``math.exp(-abs(math.log(r)))`` per element, via the unique ratios (bit-identical to the scalar code)."""
    if len(ratio) == 0:
        return np.zeros(0)
    uniq, inv = np.unique(ratio, return_inverse=True)
    return np.array([math.exp(-abs(math.log(r))) for r in uniq.tolist()], dtype=float)[inv.reshape(-1)]


def _purpose_table(bits: int) -> np.ndarray:
    """The purpose term of every (project mask, product mask), flattened: share of the project's uses the
    product also names, 0.5 when the project names none, 0.3 when only the product names none."""
    mine, theirs = np.divmod(np.arange(1 << (2 * bits), dtype=np.int64), 1 << bits)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = _popcount(mine & theirs) / _popcount(mine)
    return np.where(mine == 0, 0.5, np.where(theirs == 0, 0.3, share))


def _popcount(x: np.ndarray) -> np.ndarray:
    out = np.zeros(len(x), dtype=np.int64)
    for shift in range(0, 64, 8):
        out += _POPCOUNT[(x >> shift) & 255]
    return out


_PURPOSE_TABLES: dict[int, np.ndarray] = {}


def _sector_term(pt: ProjectTerms, side: ProductTerms, a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The sector-focus term for project rows ``a`` and focus groups ``g`` (element by element)."""
    groups = side.group_member.shape[1]
    member = side.group_member.ravel()
    hit0 = member.take(pt.sector_code[:, 0].take(a) * groups + g)
    hit1 = member.take(pt.sector_code[:, 1].take(a) * groups + g)
    total = (np.where(hit0, pt.sector_conf[:, 0].take(a), 0.0) + np.where(hit1, pt.sector_conf[:, 1].take(a), 0.0))
    return np.where(side.group_empty.take(g), 0.5, np.where(pt.no_sector.take(a), 0.3, np.minimum(1.0, total)))


def pair_terms(pt: ProjectTerms, side: ProductTerms, row: np.ndarray, qj: np.ndarray) -> dict[str, np.ndarray]:
    """``intent``, ``family_fit``, ``sector_focus``, ``ticket_fit`` and ``purpose`` of the pairs
    (``row``: position in ``pt``, ``qj``: position in ``side``)."""
    n, u = len(row), len(pt.need)
    by_row = Rows(row, u)
    # intent: 1 for a requested family, 0.5 when none is stated, else 0 (project × family table)
    families = max(len(side.families), 1)
    intent_table = np.where(pt.no_wanted[:, None], 0.5, pt.wanted.astype(float)).reshape(-1)
    intent = intent_table.take(by_row(np.arange(u, dtype=np.int64) * families) + side.family_code.take(qj)) \
        if pt.wanted.shape[1] else np.full(n, 0.5)
    # family fit: the project's value for the product's rule (three-firsts: per kind mask)
    width = pt.fit.shape[1]
    family_fit = pt.fit.reshape(-1).take(by_row(np.arange(u, dtype=np.int64) * width) + side.fit_column.take(qj))
    # sector focus: confidences of the project's codes in the product's focus, per focus group
    groups = len(side.group_empty)
    g = side.focus_group.take(qj)
    if u * groups <= n:
        a = np.repeat(np.arange(u, dtype=np.int64), groups)
        table = _sector_term(pt, side, a, np.tile(np.arange(groups, dtype=np.int64), u))
        sector = table.take(by_row(np.arange(u, dtype=np.int64) * groups) + g)
    else:
        sector = _sector_term(pt, side, row, g)
    # ticket fit
    need, lo, hi = by_row(pt.need), side.lo.take(qj), side.hi.take(qj)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo_nan, hi_nan = np.isnan(lo), np.isnan(hi)
        live = ~np.isnan(need) & (need > 0) & ~(lo_nan & hi_nan)
        below = live & ~lo_nan & (need < lo)
        rest = live & ~below
        over = need > hi
        share = need / hi
        inside = select(share >= 0.2, 1.0, 0.6 + 0.4 * share / 0.2)
        ticket = select(rest & ~hi_nan & ~over, inside, select(rest & hi_nan, 1.0, 0.5))
        above = np.flatnonzero(rest & ~hi_nan & over)
        low = np.flatnonzero(below)
        if len(low):
            ticket[low] = _exp_neg_abs_log(lo[low] / need[low])
        if len(above):
            ticket[above] = _exp_neg_abs_log(need[above] / hi[above])
    # purpose: share of the project's uses the product's text also names (a table of the two bit masks)
    bits = max(int(side.purpose.max(initial=0)).bit_length(), int(pt.purpose.max(initial=0)).bit_length(), 1)
    if bits not in _PURPOSE_TABLES:
        _PURPOSE_TABLES[bits] = _purpose_table(bits)
    purpose = _PURPOSE_TABLES[bits].take(by_row(pt.purpose << bits) + side.purpose.take(qj))
    return {"intent": intent, "family_fit": family_fit, "sector_focus": sector, "ticket_fit": ticket,
            "purpose": purpose}

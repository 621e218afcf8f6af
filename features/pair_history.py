"""Institution-history features over pairs, computed at the level they vary on and then gathered.

A rate depends on the institution (meet, sign), the institution × project sector, the institution ×
project city, or the product, never on the pair itself; so each is computed once per key
(institutions × sectors, …) with the same smoothing ``(s + m·prior) / (n + m)`` the per-pair lookup
used, and pairs read it by position. Keys the outcome log never saw get the parent rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from finmatch.matching.prior_arrays import Rows

PRODUCT_FEATURES = ("hist_inst_n", "hist_inst_meet_rate", "hist_inst_sign_rate", "hist_product_meet_rate")
HISTORY_FEATURES = ("hist_inst_n", "hist_inst_meet_rate", "hist_inst_sign_rate", "hist_inst_sector_meet_rate",
                    "hist_inst_sector_sign_rate", "hist_inst_city_meet_rate", "hist_product_meet_rate")


def _vocab(values: list[Any]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for v in values:
        out.setdefault(v, len(out))
    return out


def _rates_1d(table: pd.DataFrame, what: str, keys: dict[Any, int], prior: np.ndarray,
              m: float) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed rate and count per key position (``prior`` aligned with the positions)."""
    if len(table) == 0:
        return prior.copy(), np.zeros(len(prior))
    s, n = np.zeros(len(prior)), np.zeros(len(prior))
    sums = table[(what, "sum")].to_numpy(dtype=float)
    counts = table[(what, "count")].to_numpy(dtype=float)
    for key, sv, nv in zip(table.index, sums, counts, strict=True):
        k = keys.get(key)
        if k is not None:
            s[k], n[k] = sv, nv
    s, n = np.nan_to_num(s), np.nan_to_num(n)
    return (s + m * prior) / (n + m), n


def _rates_2d(table: pd.DataFrame, what: str, rows: dict[Any, int], prior: np.ndarray,
              m: float) -> tuple[dict[Any, int], np.ndarray]:
    """Columns of the second key the log knows (plus a last column for any other value) and the
    smoothed rate per (row, column); ``prior`` is per row."""
    cols = _vocab([b for _, b in table.index]) if len(table) else {}
    shape = (len(prior), len(cols) + 1)
    if len(table) == 0:
        return cols, np.broadcast_to(prior[:, None], shape).copy()
    s, n = np.zeros(shape), np.zeros(shape)
    sums = table[(what, "sum")].to_numpy(dtype=float)
    counts = table[(what, "count")].to_numpy(dtype=float)
    for (a, b), sv, nv in zip(table.index, sums, counts, strict=True):
        r = rows.get(a)
        if r is not None:
            s[r, cols[b]], n[r, cols[b]] = sv, nv
    s, n = np.nan_to_num(s), np.nan_to_num(n)
    return cols, (s + m * prior[:, None]) / (n + m)


@dataclass
class HistoryTables:
    """The rates of one outcome-log snapshot for one catalogue, per institution / product / key."""

    inst_code: np.ndarray  # per product
    count_log: np.ndarray  # per institution
    meet: np.ndarray
    sign: np.ndarray
    sector_cols: dict[Any, int]
    sector_meet: np.ndarray  # (institutions, sectors + 1)
    sector_sign: np.ndarray
    city_cols: dict[Any, int]
    city_meet: np.ndarray
    product_meet: np.ndarray  # per product
    product_block: np.ndarray  # (products, 4): the rates that depend on the product alone, PRODUCT_FEATURES order


def history_tables(stats: dict[str, Any], institution: np.ndarray, product_ids: list[str]) -> HistoryTables:
    m = stats["m"]
    insts = _vocab(list(institution))
    ic = np.array([insts[i] for i in institution], dtype=np.int64)
    n_inst = len(insts)
    im, count = _rates_1d(stats["inst"], "meet", insts, np.full(n_inst, stats["p_meet"]), m)
    isg, _ = _rates_1d(stats["inst"], "sign", insts, np.full(n_inst, stats["p_sign"]), m)
    sector_cols, ism = _rates_2d(stats["inst_sector"], "meet", insts, im, m)
    _, iss = _rates_2d(stats["inst_sector"], "sign", insts, isg, m)
    city_cols, icm = _rates_2d(stats["inst_city"], "meet", insts, im, m)
    pm, _ = _rates_1d(stats["product"], "meet", {p: j for j, p in enumerate(product_ids)}, im[ic], m)
    count_log = np.log1p(count)
    block = np.column_stack([count_log[ic], im[ic], isg[ic], pm]) if len(ic) else np.zeros((0, 4))
    return HistoryTables(ic, count_log, im, isg, sector_cols, ism, iss, city_cols, icm, pm, block)


def pair_history(t: HistoryTables, sector: list[Any], city: list[str], pi: np.ndarray, qj: np.ndarray,
                 by_project: Rows | None = None) -> dict[str, np.ndarray]:
    """The history features that depend on the pair (institution × project sector / city); the others are
    ``t.product_block`` gathered by product."""
    p = by_project if by_project is not None else Rows(pi, len(sector))
    other_s, other_c = len(t.sector_cols), len(t.city_cols)
    sc = np.array([t.sector_cols.get(s, other_s) for s in sector], dtype=np.int64)
    cc = np.array([t.city_cols.get(c, other_c) for c in city], dtype=np.int64)
    pic = t.inst_code.take(qj)
    at = pic * (other_s + 1) + p(sc)
    return {"hist_inst_sector_meet_rate": t.sector_meet.reshape(-1).take(at),
            "hist_inst_sector_sign_rate": t.sector_sign.reshape(-1).take(at),
            "hist_inst_city_meet_rate": t.city_meet.reshape(-1).take(pic * (other_c + 1) + p(cc))}


def history_columns(t: HistoryTables, sector: list[Any], city: list[str], pi: np.ndarray,
                    qj: np.ndarray) -> dict[str, np.ndarray]:
    """The seven history features of pairs (pi, qj); ``sector`` / ``city`` per project."""
    other_s, other_c = len(t.sector_cols), len(t.city_cols)
    sc = np.array([t.sector_cols.get(s, other_s) for s in sector], dtype=np.int64)
    cc = np.array([t.city_cols.get(c, other_c) for c in city], dtype=np.int64)
    pic = t.inst_code[qj]
    return dict(zip(HISTORY_FEATURES, (t.count_log[pic], t.meet[pic], t.sign[pic], t.sector_meet[pic, sc[pi]],
                                       t.sector_sign[pic, sc[pi]], t.city_meet[pic, cc[pi]], t.product_meet[qj]),
                    strict=True))

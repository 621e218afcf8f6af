"""Product-side state of one catalogue frame, and the pair features as blocks assembled into one matrix.

``ProductSide`` is built once per products frame object and kept by the feature builder as runtime state
(never fitted state, never in the model file): a service keeps one catalogue frame per data version, a batch
job one per run, so every request or partition after the first reads these arrays instead of rebuilding
them. A frame changed in place is not noticed; the services build a new frame on every data change.

``PairFeatures`` holds the features of n pairs as per-pair columns and as row blocks (a per-project,
per-product or per-project × product-class table and the row each pair reads). ``matrix`` writes them
straight into one preallocated (n, F) array in chunks of rows that stay in cache; a column-by-column
copy into a C-order matrix costs ~30 ms at 50,000 pairs × 74 features, the chunks ~8 ms.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from features.pair_columns import (
    CLASS_FEATURES,
    ProductColumns,
    ProjectColumns,
    pair_columns,
    product_columns,
)
from features.pair_history import (
    HISTORY_FEATURES,
    PRODUCT_FEATURES,
    HistoryTables,
    history_tables,
    pair_history,
)
from finmatch.matching.prior_arrays import Rows

CHUNK = 2048  # rows assembled at a time: 2,048 × 74 floats ≈ 1.2 MB, inside a core's L2


@dataclass
class ProductSide:
    frame: weakref.ref  # the products frame these arrays were built from
    models: dict[str, Any]  # the text models used (fitted or refit on this catalogue)
    ids: np.ndarray  # product ids (str objects)
    columns: ProductColumns
    text_col: np.ndarray  # column of each product in the BM25 matrices (-1: not fitted)
    embedding_col: np.ndarray  # column in the embedding similarity (-1: none)
    affinity_row: np.ndarray  # row in the sector-affinity table (-1: none)
    _history: tuple[dict[str, Any], HistoryTables] | None = None
    _focused: pd.DataFrame | None = None
    _affinity: tuple[np.ndarray, dict[Any, int]] | None = None

    def focused(self, products: pd.DataFrame) -> pd.DataFrame:
        """The catalogue with ``focus_sectors`` (stated or read from the text), inferred once per frame:
        the prior-score feature would otherwise infer it again on every call."""
        if "focus_sectors" in products.columns:
            return products
        if self._focused is None:
            from features.sector import infer_product_focus

            self._focused = infer_product_focus(products)
        return self._focused

    def history(self, stats: dict[str, Any], keep: bool) -> HistoryTables:
        """The history rates of ``stats`` for this catalogue; kept when ``keep`` (the serving snapshot)."""
        if self._history is not None and self._history[0] is stats:
            return self._history[1]
        tables = history_tables(stats, self.columns.institution, list(self.ids))
        if keep:
            self._history = (stats, tables)
        return tables

    def affinity(self) -> tuple[np.ndarray, dict[Any, int]] | None:
        """The sector-affinity table, flattened with a NaN column and row for "no sector" / "no product"
        (so a pair reads it with one gather), and the column of each sector; None without a classifier."""
        aff = self.models.get("sector_affinity")
        if aff is None:
            return None
        if self._affinity is None:
            values = aff.to_numpy()
            padded = np.full((values.shape[0] + 1, values.shape[1] + 1), np.nan, dtype=values.dtype)
            padded[:-1, :-1] = values
            self._affinity = (padded.reshape(-1), {c: k for k, c in enumerate(aff.columns.tolist())})
        return self._affinity

    @classmethod
    def build(cls, products: pd.DataFrame, models: dict[str, Any], rate_median: dict[str, float],
              institution_city: dict[str, str]) -> ProductSide:
        ids = pd.Index(products.index.astype(str) if len(products) else products.index)
        text_col = models["bm25"].product_ids_.get_indexer(products.index)
        emb = models.get("embedding")
        emb_col = (emb.product_ids_.get_indexer(products.index) if emb is not None
                   else np.full(len(products), -1, dtype=np.int64))
        aff = models.get("sector_affinity")
        aff_row = (aff.index.get_indexer(products.index) if aff is not None
                   else np.full(len(products), -1, dtype=np.int64))
        return cls(weakref.ref(products), models, np.asarray(ids, dtype=object),
                   product_columns(products, rate_median, institution_city),
                   np.asarray(text_col, dtype=np.int64), np.asarray(emb_col, dtype=np.int64),
                   np.asarray(aff_row, dtype=np.int64))


@dataclass
class _Block:
    names: list[str]
    table: np.ndarray  # (rows, len(names)), C order
    index: np.ndarray | None  # the table row of each pair; None: row k is pair k


class PairFeatures(Mapping[str, np.ndarray]):
    """The features of n pairs, by name (a mapping, in the builder's feature order), as columns and blocks."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._order: list[str] = []
        self._columns: dict[str, np.ndarray] = {}
        self._blocks: dict[str, tuple[_Block, int]] = {}

    def add(self, name: str, values: np.ndarray) -> None:
        if name not in self._columns and name not in self._blocks:
            self._order.append(name)
        self._blocks.pop(name, None)
        self._columns[name] = np.asarray(values, dtype=float)

    def update(self, columns: Mapping[str, np.ndarray]) -> None:
        for name, values in columns.items():
            self.add(name, values)

    def add_block(self, names: list[str] | tuple[str, ...], table: np.ndarray, index: np.ndarray | None) -> None:
        """Columns ``names`` of pair k are ``table[index[k]]`` (``table[k]`` without an index)."""
        block = _Block(list(names), np.ascontiguousarray(table, dtype=float), index)
        for c, name in enumerate(block.names):
            if name not in self._columns and name not in self._blocks:
                self._order.append(name)
            self._columns.pop(name, None)
            self._blocks[name] = (block, c)

    def move_to_end(self, names: tuple[str, ...] | list[str]) -> None:
        """Put ``names`` last, in that order (the mapping's order is the feature order a fit records)."""
        self._order = [x for x in self._order if x not in names] + [x for x in names if x in self]

    def __contains__(self, name: object) -> bool:
        return name in self._columns or name in self._blocks

    def __getitem__(self, name: str) -> np.ndarray:
        if name in self._columns:
            return self._columns[name]
        block, c = self._blocks[name]
        column = block.table[:, c]
        return column.take(block.index) if block.index is not None else column.copy()

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def matrix(self, names: list[str], order: str = "C") -> np.ndarray:
        """The (n, len(names)) float matrix, C order (rows contiguous, as LightGBM reads them) or F order
        (columns contiguous: cheaper to write, for a scorer that reads feature by feature); KeyError for a
        name not computed."""
        blocks = list({id(b): b for b, _ in self._blocks.values()}.values())
        block_runs, singles, single_runs = _plan(tuple(names), tuple(tuple(b.names) for b in blocks),
                                                 tuple(self._columns))
        if order == "F":
            return self._columns_first(names, blocks, block_runs, singles, single_runs)
        out = np.empty((self.n, len(names)), dtype=float)
        if singles:
            stacked = np.empty((len(singles), self.n))
            for k, name in enumerate(singles):
                stacked[k] = self._columns[name]
        for a in range(0, self.n, CHUNK):
            b = min(a + CHUNK, self.n)
            rows = out[a:b]
            for block, runs in zip(blocks, block_runs, strict=True):
                if not runs:
                    continue
                part = block.table.take(block.index[a:b], axis=0) if block.index is not None else block.table[a:b]
                for d0, d1, s0 in runs:
                    rows[:, d0:d1] = part[:, s0:s0 + d1 - d0]
            for d0, d1, s0 in single_runs:
                rows[:, d0:d1] = stacked[s0:s0 + d1 - d0, a:b].T
        return out

    def _columns_first(self, names: list[str], blocks: list[_Block], block_runs: list[list[tuple[int, int, int]]],
                       singles: list[str], single_runs: list[tuple[int, int, int]]) -> np.ndarray:
        out = np.empty((self.n, len(names)), dtype=float, order="F")
        for block, runs in zip(blocks, block_runs, strict=True):
            for d0, d1, s0 in runs:
                for d in range(d0, d1):
                    column = block.table[:, s0 + d - d0]
                    if block.index is None:
                        out[:, d] = column
                    else:
                        np.take(column, block.index, out=out[:, d], mode="clip")  # positions are valid
        for d0, d1, s0 in single_runs:
            for d in range(d0, d1):
                out[:, d] = self._columns[singles[s0 + d - d0]]
        return out


_PLANS: dict[tuple, tuple[list[list[tuple[int, int, int]]], list[str], list[tuple[int, int, int]]]] = {}


def _plan(names: tuple[str, ...], blocks: tuple[tuple[str, ...], ...],
          singles: tuple[str, ...]) -> tuple[list[list[tuple[int, int, int]]], list[str], list[tuple[int, int, int]]]:
    """Where each block's columns and each single column go in the matrix, as runs of columns copied
    together (the same for every call with the same features; kept)."""
    key = (names, blocks, singles)
    plan = _PLANS.get(key)
    if plan is None:
        where = {name: k for k, name in enumerate(names)}
        have = set(singles).union(*blocks)
        missing = [name for name in names if name not in have]
        if missing:
            raise KeyError(missing[0])
        block_runs = [_runs([(where[name], c) for c, name in enumerate(b) if name in where]) for b in blocks]
        ordered = sorted((where[name], name) for name in singles if name in where)
        plan = (block_runs, [name for _, name in ordered], _runs([(dst, k) for k, (dst, _) in enumerate(ordered)]))
        if len(_PLANS) > 32:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def _runs(pairs: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(destination, source) column pairs as runs (d0, d1, s0) where both advance together."""
    out: list[tuple[int, int, int]] = []
    for dst, src in sorted(pairs):
        if out and out[-1][1] == dst and out[-1][2] + (dst - out[-1][0]) == src:
            out[-1] = (out[-1][0], dst + 1, out[-1][2])
        else:
            out.append((dst, dst + 1, src))
    return out


def class_features(pc: ProjectColumns, qc: ProductColumns, a: np.ndarray, k: np.ndarray) -> dict[str, np.ndarray]:
    """``CLASS_FEATURES`` of project rows ``a`` and product classes ``k`` (element by element)."""
    c = qc.classes
    width = len(qc.family_vocab) + 1
    wants = np.zeros((pc.n, width), dtype=bool)
    named = np.array([bool(t) for t in pc.funding_types], dtype=bool)
    for i, t in enumerate(pc.funding_types):
        for x in t:
            j = qc.family_vocab.get(x) if isinstance(x, str) else None
            if j is not None:
                wants[i, j] = True
    collateral, hazard = pc.collateral.take(a), pc.hazard.take(a)
    first_time = pc.values["first_time_borrower"].take(a)
    three = (pc.three_firsts.astype(np.int64) << np.arange(pc.three_firsts.shape[1])).sum(axis=1)
    city_code = np.array([qc.inst_city_vocab.get(x, -2) for x in pc.city], dtype=np.int64)
    ic = c["inst_city_code"].take(k)
    return {
        "type_pref": np.where(named.take(a), wants.reshape(-1).take(a * width + c["family_code"].take(k)).astype(float),
                              0.5),
        "collateral_loan": collateral * c["fam_loan"].take(k),
        "no_collateral_guarantee": (1 - collateral) * c["fam_guarantee"].take(k),
        "three_firsts_match": ((three.take(a) & c["kind_mask"].take(k)) != 0).astype(float),
        "hazard_equity": hazard * c["fam_equity"].take(k),
        "hazard_insurance": hazard * c["fam_insurance"].take(k),
        "hazard_loan": hazard * c["fam_loan"].take(k),
        "first_loan_product": first_time * c["first_loan_text"].take(k),
        "hazard_product_text": hazard * c["hazard_text"].take(k),
        "home_city": np.where(ic < 0, np.nan, (ic == city_code.take(a)).astype(float)),
    }


def add_structured(f: PairFeatures, pc: ProjectColumns, qc: ProductColumns, pi: np.ndarray, qj: np.ndarray,
                   by_project: Rows) -> None:
    """The structured features, in the builder's order: project-only and product-only blocks, the pair
    formulas, then ``CLASS_FEATURES`` (on the project × product-class grid when it is smaller than the pairs)."""
    f.add_block(list(pc.values), pc.block(), pi)
    f.add_block(list(qc.values), qc.block, qj)
    f.update(pair_columns(pc, qc, pi, qj, by_project))
    classes = len(qc.classes["family_code"])
    k = qc.product_class.take(qj)
    if pc.n * classes <= len(pi):
        grid = class_features(pc, qc, np.repeat(np.arange(pc.n, dtype=np.int64), classes),
                              np.tile(np.arange(classes, dtype=np.int64), pc.n))
        table = np.column_stack([grid[name] for name in CLASS_FEATURES]) if len(k) else np.zeros((0, 0))
        f.add_block(CLASS_FEATURES, table.reshape(-1, len(CLASS_FEATURES)),
                    by_project(np.arange(pc.n, dtype=np.int64) * classes) + k)
    else:
        f.update(class_features(pc, qc, pi, k))


def add_history(f: PairFeatures, tables: HistoryTables, pc: ProjectColumns, pi: np.ndarray, qj: np.ndarray,
                by_project: Rows) -> None:
    """The seven history features, in ``HISTORY_FEATURES`` order."""
    f.add_block(PRODUCT_FEATURES, tables.product_block, qj)
    f.update(pair_history(tables, pc.sector, pc.city, pi, qj, by_project))
    f.move_to_end(HISTORY_FEATURES)


def flat_take(matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``matrix[rows, cols]`` as one flat gather (a 2-D fancy index costs ~10× more), in either memory order."""
    if matrix.flags.f_contiguous and not matrix.flags.c_contiguous:
        return matrix.T.reshape(-1).take(cols * matrix.shape[0] + rows)
    return np.ascontiguousarray(matrix).reshape(-1).take(rows * matrix.shape[1] + cols)

"""A LightGBM booster as flat arrays, scored by compiled loops: raw scores and exact TreeSHAP contributions.

Why: LightGBM's ``predict`` costs ~13 µs a row on our small trees (per-row set-up inside the library), and
``pred_contrib`` ~0.2 ms a row; both dominate a match request. The trees here are read from the booster's own
JSON dump and evaluated with LightGBM's decision rule (missing values, zero as missing, default direction), so:

- ``raw_score`` sums the leaf values in tree order, as LightGBM does: the same float64 result, bit for bit;
- ``contributions`` are LightGBM's path-dependent TreeSHAP values. A tree's SHAP vector depends on the row
  only through which way it goes at each split, so for every tree and every pattern of directions (2^splits,
  64 for our 7-leaf trees) the vector is computed once, at load, by the same algorithm as LightGBM's
  ``Tree::TreeSHAP``; a row then costs one pattern lookup per tree. The per-tree vectors are summed in tree
  order (LightGBM adds the terms one by one), so values agree to ~1e-15, not bit for bit.

A booster outside what this covers (categorical or linear trees, several trees per iteration, trees with
more than ``MAX_TABLE_SPLITS`` splits for the contribution tables) gives ``None`` from ``compile_booster``
or no tables, and the caller keeps LightGBM's own calls.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from finmatch.matching.tree_shap import fill_tables

log = logging.getLogger(__name__)

MAX_TABLE_SPLITS = 10  # 2^10 direction patterns per tree at most; bigger trees use LightGBM's pred_contrib
MAX_TABLE_BYTES = 64 * 2**20
_MISSING = {"None": 0, "Zero": 1, "NaN": 2}
_ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold (a float constant)


@dataclass(frozen=True)
class CompiledTrees:
    """The ensemble as arrays; split ``k`` of tree ``t`` is row ``node_off[t] + k``; a child < 0 is leaf ``~c``."""

    n_features: int
    feature: np.ndarray  # int64 per split
    threshold: np.ndarray  # float64
    missing: np.ndarray  # int8: 0 none, 1 zero, 2 NaN
    default_left: np.ndarray  # bool
    left: np.ndarray  # int64, local to the tree
    right: np.ndarray
    leaf_value: np.ndarray  # float64 per leaf
    node_off: np.ndarray  # int64, len trees + 1
    leaf_off: np.ndarray
    nan_left: np.ndarray  # bool per split: where a NaN goes (LightGBM reads NaN as 0 unless the split knows NaN)
    # per tree and direction pattern (bit k set = left at split k): the leaf value reached, and the SHAP value of
    # each of the tree's distinct split features ``slots[t, s]`` (-1 = unused); None when a tree is too big
    values: np.ndarray | None = None
    slots: np.ndarray | None = None
    table: np.ndarray | None = None
    bias: float = 0.0  # the sum of the trees' expected values (the last column of pred_contrib)

    @property
    def n_trees(self) -> int:
        return len(self.node_off) - 1

    @property
    def has_tables(self) -> bool:
        return self.table is not None

    def raw_score(self, x: np.ndarray) -> np.ndarray:
        """``booster.predict(x, raw_score=True)`` (the same floats: leaf values summed in tree order)."""
        x = _rows(x, self.n_features)
        out = np.empty(len(x), dtype=np.float64)
        if self.values is not None:
            _predict_patterns(x, self.feature, self.threshold, self.nan_left, self.missing == 1, self.default_left,
                              self.node_off, self.values, out)
        else:
            _predict(x, self.feature, self.threshold, self.missing, self.default_left, self.left, self.right,
                     self.leaf_value, self.node_off, self.leaf_off, out)
        return out

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """``booster.predict(x, pred_contrib=True)``: (n, features + 1), the last column the bias."""
        if self.table is None or self.slots is None:
            raise ValueError("no contribution tables for this booster (trees too large)")
        x = _rows(x, self.n_features)
        out = np.zeros((len(x), self.n_features + 1), dtype=np.float64)
        _contrib_patterns(x, self.feature, self.threshold, self.nan_left, self.missing == 1, self.default_left,
                          self.node_off, self.slots, self.table, out)
        out[:, -1] = self.bias
        return out


def _rows(x: Any, n_features: int) -> np.ndarray:
    x = np.ascontiguousarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(f"expected (n, {n_features}) features, got {x.shape}")
    return x


def compile_booster(booster: Any) -> CompiledTrees | None:
    """The booster's trees as arrays (and contribution tables), or None for a model this does not cover."""
    try:
        dump = booster.dump_model()
    except AttributeError:
        return None
    if isinstance(dump, str):
        dump = json.loads(dump)
    if int(dump.get("num_tree_per_iteration", 1)) != 1 or dump.get("average_output"):
        return None
    trees = dump.get("tree_info", [])
    if any(int(t.get("num_cat", 0)) or t.get("is_linear") for t in trees):
        return None
    n_features = int(dump["max_feature_idx"]) + 1
    nodes: list[tuple[int, float, int, bool, int, int, float]] = []
    leaves: list[tuple[float, float]] = []
    node_off, leaf_off = [0], [0]
    try:
        for t in trees:
            t_nodes, t_leaves = _flatten(t["tree_structure"], int(t["num_leaves"]))
            nodes.extend(t_nodes)
            leaves.extend(t_leaves)
            node_off.append(len(nodes))
            leaf_off.append(len(leaves))
    except ValueError as exc:  # a split or numbering this does not cover
        log.info("booster not compiled (%s): LightGBM's own predict stays in use", exc)
        return None
    arr = np.array(nodes, dtype=object).reshape(len(nodes), 7) if nodes else np.zeros((0, 7), dtype=object)
    lv = np.array(leaves, dtype=np.float64).reshape(len(leaves), 2)
    count = np.array([n[6] for n in nodes], dtype=np.float64)
    compiled = CompiledTrees(
        n_features=n_features, feature=arr[:, 0].astype(np.int64), threshold=arr[:, 1].astype(np.float64),
        missing=arr[:, 2].astype(np.int8), default_left=arr[:, 3].astype(bool), left=arr[:, 4].astype(np.int64),
        right=arr[:, 5].astype(np.int64), leaf_value=lv[:, 0].copy(), node_off=np.array(node_off, dtype=np.int64),
        leaf_off=np.array(leaf_off, dtype=np.int64), nan_left=_nan_left(arr))
    return _with_tables(compiled, count, lv[:, 1].copy())


def _nan_left(arr: np.ndarray) -> np.ndarray:
    """Where LightGBM sends a NaN at each split: the default side when the split treats it as missing (NaN or
    zero-as-missing, NaN being read as 0 there), else the side of 0.0 (NaN is read as 0)."""
    if len(arr) == 0:
        return np.zeros(0, dtype=bool)
    missing, thr, dleft = arr[:, 2].astype(np.int8), arr[:, 1].astype(np.float64), arr[:, 3].astype(bool)
    return np.where(missing == 0, thr >= 0.0, dleft)


def _flatten(root: dict, num_leaves: int) -> tuple[list, list]:
    """One tree's internal nodes by ``split_index`` and leaves by ``leaf_index`` (LightGBM's own numbering)."""
    if "leaf_value" in root and "split_index" not in root:  # a single-leaf tree
        return [], [(float(root["leaf_value"]), float(root.get("leaf_count", 0)))]
    nodes: dict[int, tuple] = {}
    leaves: dict[int, tuple[float, float]] = {}

    def child(c: dict) -> int:
        if "split_index" in c:
            return int(c["split_index"])
        leaves[int(c["leaf_index"])] = (float(c["leaf_value"]), float(c.get("leaf_count", 0)))
        return ~int(c["leaf_index"])

    stack = [root]
    while stack:
        n = stack.pop()
        if n.get("decision_type", "<=") != "<=":
            raise ValueError("categorical split")
        nodes[int(n["split_index"])] = (int(n["split_feature"]), float(n["threshold"]), _MISSING[n["missing_type"]],
                                        bool(n["default_left"]), child(n["left_child"]), child(n["right_child"]),
                                        float(n.get("internal_count", 0)))
        stack.extend(c for c in (n["right_child"], n["left_child"]) if "split_index" in c)
    if sorted(nodes) != list(range(len(nodes))) or sorted(leaves) != list(range(num_leaves)):
        raise ValueError("unexpected node numbering")
    return [nodes[k] for k in range(len(nodes))], [leaves[k] for k in range(num_leaves)]


def _with_tables(c: CompiledTrees, internal_count: np.ndarray, leaf_count: np.ndarray) -> CompiledTrees:
    """Add the per-pattern SHAP tables when every tree is small enough."""
    splits = np.diff(c.node_off)
    k_max = int(splits.max()) if len(splits) else 0
    bias = 0.0
    for t in range(c.n_trees):  # LightGBM adds each tree's expected value in tree order
        a, b = c.leaf_off[t], c.leaf_off[t + 1]
        if c.node_off[t + 1] == c.node_off[t]:
            bias += float(c.leaf_value[a])
        else:
            total = internal_count[c.node_off[t]]
            ev = 0.0
            for i in range(a, b):
                ev += (leaf_count[i] / total) * c.leaf_value[i]
            bias += ev
    size = c.n_trees * (2 ** k_max) * (max(k_max, 1) + 1) * 8
    if k_max > MAX_TABLE_SPLITS or size > MAX_TABLE_BYTES:
        log.info("trees with %d splits: scored by traversal, contributions by LightGBM's pred_contrib", k_max)
        return CompiledTrees(**{**c.__dict__, "bias": bias})
    slots = np.full((c.n_trees, max(k_max, 1)), -1, dtype=np.int64)
    for t in range(c.n_trees):
        used = list(dict.fromkeys(int(f) for f in c.feature[c.node_off[t]:c.node_off[t + 1]]))
        slots[t, :len(used)] = used
    values = np.zeros((c.n_trees, 2 ** k_max), dtype=np.float64)
    table = np.zeros((c.n_trees, 2 ** k_max, max(k_max, 1)), dtype=np.float64)
    fill_tables(c.feature, c.left, c.right, c.leaf_value, c.node_off, c.leaf_off, internal_count, leaf_count,
                 slots, values, table, c.n_features)
    return CompiledTrees(**{**c.__dict__, "values": values, "slots": slots, "table": table, "bias": bias})


# -- compiled kernels ------------------------------------------------------------------------------------------

@njit(cache=True, nogil=True, inline="always")
def _goes_left(v: float, thr: float, missing: int, default_left: bool) -> bool:
    """LightGBM's ``NumericalDecision``."""
    if np.isnan(v) and missing != 2:
        v = 0.0
    if (missing == 1 and -_ZERO <= v <= _ZERO) or (missing == 2 and np.isnan(v)):
        return default_left
    return v <= thr


@njit(cache=True, nogil=True)
def _predict(x, feature, threshold, missing, default_left, left, right, leaf_value, node_off, leaf_off,
             out):  # pragma: no cover - compiled
    n_trees = node_off.shape[0] - 1
    for i in range(x.shape[0]):
        s = 0.0
        for t in range(n_trees):
            base = node_off[t]
            if node_off[t + 1] == base:
                s += leaf_value[leaf_off[t]]
                continue
            node = 0
            while node >= 0:
                k = base + node
                if _goes_left(x[i, feature[k]], threshold[k], missing[k], default_left[k]):
                    node = left[k]
                else:
                    node = right[k]
            s += leaf_value[leaf_off[t] + ~node]
        out[i] = s


BLOCK = 256  # rows transposed at a time: a split's comparison then runs over contiguous values (SIMD)


@njit(cache=True, nogil=True, inline="always")
def _block_codes(xb, m, feature, threshold, nan_left, zero_missing, default_left, base, n_splits,
                 codes):  # pragma: no cover - compiled
    """Direction pattern of ``m`` transposed rows in one tree: bit k set when the row goes left at split k."""
    codes[:m] = 0
    for k in range(n_splits):
        row = xb[feature[base + k]]
        thr = threshold[base + k]
        if zero_missing[base + k]:  # zero (and NaN, read as 0) take the default side
            dl = default_left[base + k]
            for i in range(m):
                v = row[i]
                gone = np.isnan(v) or (v >= -_ZERO and v <= _ZERO)
                codes[i] |= np.int64(dl if gone else v <= thr) << k
        else:
            nl = nan_left[base + k]
            for i in range(m):
                v = row[i]
                codes[i] |= np.int64((v <= thr) | (np.isnan(v) & nl)) << k


@njit(cache=True, nogil=True, inline="always")
def _transpose(x, a, m, xb):  # pragma: no cover - compiled
    for i in range(m):
        for f in range(x.shape[1]):
            xb[f, i] = x[a + i, f]


@njit(cache=True, nogil=True)
def _predict_patterns(x, feature, threshold, nan_left, zero_missing, default_left, node_off, values,
                      out):  # pragma: no cover - compiled
    n_trees = node_off.shape[0] - 1
    xb = np.empty((x.shape[1], BLOCK))
    codes = np.zeros(BLOCK, dtype=np.int64)
    acc = np.zeros(BLOCK)
    for a in range(0, x.shape[0], BLOCK):
        m = min(x.shape[0], a + BLOCK) - a
        _transpose(x, a, m, xb)
        acc[:m] = 0.0
        for t in range(n_trees):
            _block_codes(xb, m, feature, threshold, nan_left, zero_missing, default_left, node_off[t],
                         node_off[t + 1] - node_off[t], codes)
            vt = values[t]
            for i in range(m):
                acc[i] += vt[codes[i]]  # tree order, as LightGBM sums
        out[a:a + m] = acc[:m]


@njit(cache=True, nogil=True)
def _contrib_patterns(x, feature, threshold, nan_left, zero_missing, default_left, node_off, slots, table,
                      out):  # pragma: no cover - compiled
    n_trees = node_off.shape[0] - 1
    xb = np.empty((x.shape[1], BLOCK))
    codes = np.zeros(BLOCK, dtype=np.int64)
    for a in range(0, x.shape[0], BLOCK):
        m = min(x.shape[0], a + BLOCK) - a
        _transpose(x, a, m, xb)
        for t in range(n_trees):
            _block_codes(xb, m, feature, threshold, nan_left, zero_missing, default_left, node_off[t],
                         node_off[t + 1] - node_off[t], codes)
            for s in range(slots.shape[1]):
                f = slots[t, s]
                if f < 0:
                    break
                col = table[t, :, s]
                for i in range(m):
                    out[a + i, f] += col[codes[i]]

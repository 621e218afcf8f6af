"""LightGBM's path-dependent TreeSHAP (``Tree::TreeSHAP``), run per tree for every pattern of split directions.

A tree's SHAP vector depends on the row only through the way it goes at each split, so ``fill_tables`` computes
it once per (tree, pattern) at load; ``compiled_trees`` then looks the patterns up per row. The algorithm and
its floating-point operations follow LightGBM's ``src/io/tree.cpp`` (ExtendPath, UnwindPath, UnwoundPathSum),
with the recursion on an explicit stack (numba cannot cache a recursive function).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def fill_tables(feature, left, right, leaf_value, node_off, leaf_off, internal_count, leaf_count, slots, values,
                 table, n_features):  # pragma: no cover - compiled
    """For each tree and direction pattern: the leaf reached into ``values``, LightGBM's TreeSHAP
    (``Tree::TreeSHAP``) into ``table``."""
    n_trees = node_off.shape[0] - 1
    max_len = 64
    size = max_len * (max_len + 1) // 2
    pf = np.empty(size, dtype=np.int64)
    pz = np.empty(size, dtype=np.float64)
    po = np.empty(size, dtype=np.float64)
    pw = np.empty(size, dtype=np.float64)
    phi = np.zeros(n_features + 1, dtype=np.float64)
    for t in range(n_trees):
        base, n_nodes = node_off[t], node_off[t + 1] - node_off[t]
        if n_nodes == 0:
            values[t, :] = leaf_value[leaf_off[t]]
            continue
        hot_left = np.zeros(n_nodes, dtype=np.bool_)
        for code in range(1 << n_nodes):
            for k in range(n_nodes):
                hot_left[k] = (code >> k) & 1 == 1
            node = 0
            while node >= 0:
                node = left[base + node] if hot_left[node] else right[base + node]
            values[t, code] = leaf_value[leaf_off[t] + ~node]
            phi[:] = 0.0
            _tree_shap(feature, left, right, leaf_value, internal_count, leaf_count, base, leaf_off[t], hot_left,
                       phi, pf, pz, po, pw)
            for s in range(slots.shape[1]):
                f = slots[t, s]
                if f < 0:
                    break
                table[t, code, s] = phi[f]


@njit(cache=True)
def _extend(pf, pz, po, pw, at, depth, zero_fraction, one_fraction, feature_index):  # pragma: no cover
    pf[at + depth] = feature_index
    pz[at + depth] = zero_fraction
    po[at + depth] = one_fraction
    pw[at + depth] = 1.0 if depth == 0 else 0.0
    for i in range(depth - 1, -1, -1):
        pw[at + i + 1] += one_fraction * pw[at + i] * (i + 1) / (depth + 1)
        pw[at + i] = zero_fraction * pw[at + i] * (depth - i) / (depth + 1)


@njit(cache=True)
def _unwind(pf, pz, po, pw, at, depth, path_index):  # pragma: no cover
    one_fraction = po[at + path_index]
    zero_fraction = pz[at + path_index]
    next_one = pw[at + depth]
    for i in range(depth - 1, -1, -1):
        if one_fraction != 0:
            tmp = pw[at + i]
            pw[at + i] = next_one * (depth + 1) / ((i + 1) * one_fraction)
            next_one = tmp - pw[at + i] * zero_fraction * (depth - i) / (depth + 1)
        else:
            pw[at + i] = (pw[at + i] * (depth + 1)) / (zero_fraction * (depth - i))
    for i in range(path_index, depth):
        pf[at + i] = pf[at + i + 1]
        pz[at + i] = pz[at + i + 1]
        po[at + i] = po[at + i + 1]


@njit(cache=True)
def _unwound_sum(pz, po, pw, at, depth, path_index):  # pragma: no cover
    one_fraction = po[at + path_index]
    zero_fraction = pz[at + path_index]
    next_one = pw[at + depth]
    total = 0.0
    if one_fraction != 0:
        for i in range(depth - 1, -1, -1):
            tmp = next_one / ((i + 1) * one_fraction)
            total += tmp
            next_one = pw[at + i] - tmp * zero_fraction * (depth - i)
    else:
        for i in range(depth - 1, -1, -1):
            total += pw[at + i] / (zero_fraction * (depth - i))
    return total * (depth + 1)


@njit(cache=True)
def _tree_shap(feature, left, right, leaf_value, internal_count, leaf_count, base, leaf_base, hot_left, phi,
               pf, pz, po, pw):  # pragma: no cover - compiled
    """``Tree::TreeSHAP`` with the row's decisions given as ``hot_left`` per split.

    The recursion runs on an explicit stack (numba cannot cache a recursive function), in the same order: the hot
    child's whole subtree, then the cold child; a call's path lives at ``parent_at + depth`` as in LightGBM.
    """
    cap = 2 * 64 + 2
    s_node = np.empty(cap, dtype=np.int64)
    s_depth = np.empty(cap, dtype=np.int64)
    s_at = np.empty(cap, dtype=np.int64)
    s_zero = np.empty(cap, dtype=np.float64)
    s_one = np.empty(cap, dtype=np.float64)
    s_feat = np.empty(cap, dtype=np.int64)
    top = 0
    s_node[0], s_depth[0], s_at[0], s_zero[0], s_one[0], s_feat[0] = 0, 0, 0, 1.0, 1.0, -1
    top = 1
    while top > 0:
        top -= 1
        node, depth, parent_at = s_node[top], s_depth[top], s_at[top]
        at = parent_at + depth
        if depth > 0:
            for i in range(depth):
                pf[at + i] = pf[parent_at + i]
                pz[at + i] = pz[parent_at + i]
                po[at + i] = po[parent_at + i]
                pw[at + i] = pw[parent_at + i]
        _extend(pf, pz, po, pw, at, depth, s_zero[top], s_one[top], s_feat[top])
        if node < 0:
            value = leaf_value[leaf_base + ~node]
            for i in range(1, depth + 1):
                w = _unwound_sum(pz, po, pw, at, depth, i)
                phi[pf[at + i]] += w * (po[at + i] - pz[at + i]) * value
            continue
        k = base + node
        hot = left[k] if hot_left[node] else right[k]
        cold = right[k] if hot_left[node] else left[k]
        w = internal_count[k]
        hot_count = internal_count[base + hot] if hot >= 0 else leaf_count[leaf_base + ~hot]
        cold_count = internal_count[base + cold] if cold >= 0 else leaf_count[leaf_base + ~cold]
        incoming_zero = 1.0
        incoming_one = 1.0
        split = feature[k]
        path_index = 0
        while path_index <= depth:
            if pf[at + path_index] == split:
                break
            path_index += 1
        if path_index != depth + 1:
            incoming_zero = pz[at + path_index]
            incoming_one = po[at + path_index]
            _unwind(pf, pz, po, pw, at, depth, path_index)
            depth -= 1
        # pushed cold first, so the hot subtree runs first (LightGBM's order)
        s_node[top], s_depth[top], s_at[top] = cold, depth + 1, at
        s_zero[top], s_one[top], s_feat[top] = cold_count / w * incoming_zero, 0.0, split
        top += 1
        s_node[top], s_depth[top], s_at[top] = hot, depth + 1, at
        s_zero[top], s_one[top], s_feat[top] = hot_count / w * incoming_zero, incoming_one, split
        top += 1

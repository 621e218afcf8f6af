"""Table numbers for chosen (project, institution, slot) triples.

Institutions usually stay seated while projects rotate, so within each slot the free tables are
assigned by a small assignment problem that keeps an institution at the table it used last, and
avoids taking a table another institution has been sitting at. Fixed meetings keep their tables.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.optimize import linear_sum_assignment

from finmatch.scheduling.problem import Meeting, Prepared

_KEEP, _UNCLAIMED, _TAKEN = 0.0, 1.0, 3.0


def assign_tables(prep: Prepared, chosen: list[tuple[str, str, int]]) -> list[Meeting]:
    """Return fixed meetings plus ``chosen`` with table numbers 1..tables, one meeting per table per slot."""
    tables = int(prep.request.tables)
    by_slot: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for p, i, s in chosen:
        by_slot[s].append((p, i))
    fixed_by_slot: dict[int, list[Meeting]] = defaultdict(list)
    for m in prep.fixed:
        fixed_by_slot[m.slot].append(m)

    home: dict[str, int] = {}  # institution -> table it sat at most recently
    out: list[Meeting] = list(prep.fixed)
    for s in range(int(prep.request.slots)):
        for m in fixed_by_slot[s]:
            home[m.institution_id] = m.table
        pairs = sorted(by_slot.get(s, []), key=lambda pi: (pi[1], pi[0]))
        if not pairs:
            continue
        taken = {m.table for m in fixed_by_slot[s]}
        free = [t for t in range(1, tables + 1) if t not in taken]
        if len(pairs) > len(free):
            raise ValueError(f"slot {s}: {len(pairs)} meetings but {len(free)} free tables")
        owners = defaultdict(set)
        for inst, t in home.items():
            owners[t].add(inst)
        cost = np.empty((len(pairs), len(free)))
        for r, (_, inst) in enumerate(pairs):
            for c, t in enumerate(free):
                if home.get(inst) == t:
                    cost[r, c] = _KEEP
                elif owners[t] - {inst}:
                    cost[r, c] = _TAKEN
                else:
                    cost[r, c] = _UNCLAIMED
                cost[r, c] += t * 1e-4  # prefer low table numbers among equals
        rows, cols = linear_sum_assignment(cost)
        for r, c in zip(rows, cols, strict=True):
            p, inst = pairs[r]
            t = free[c]
            out.append(Meeting(p, inst, s, t, prep.score[(p, inst)]))
            home[inst] = t
    return sorted(out, key=lambda m: (m.slot, m.table))

"""Larger inputs for the engine and batch benchmarks, built from the committed sample data.

The catalogue is the 54 curated products replicated with jittered tickets, rates, budgets and focus
lists (same texts and institutions, new ids), so eligibility, BM25 and the ranker see realistic rows.
Projects come from the synthetic generator (``generate_projects``) with its own seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finmatch.frames import products_frame, projects_frame
from training.synthetic import load_catalogue
from training.synthetic.projects import generate_projects


def scaled_products(m: int, seed: int = 7) -> pd.DataFrame:
    """``m`` products: the curated catalogue first, then jittered copies of it."""
    cat = load_catalogue()
    base = products_frame(cat.products, {i.institution_id: i for i in cat.institutions})
    if m <= len(base):
        return base.iloc[:m].copy()
    rng = np.random.default_rng(seed)
    copies = [base]
    k = 1
    while sum(len(c) for c in copies) < m:
        c = base.copy()
        c.index = [f"{pid}-X{k:03d}" for pid in base.index]
        c["product_id"] = c.index
        c["name"] = [f"{n}（{k}号）" for n in base["name"]]
        scale = rng.lognormal(0.0, 0.4, len(c))
        for col in ("amount_min_wan", "amount_max_wan", "budget_wan"):
            c[col] = pd.to_numeric(c[col], errors="coerce") * scale
        c["rate_pct"] = pd.to_numeric(c["rate_pct"], errors="coerce") * rng.uniform(0.8, 1.2, len(c))
        c["sectors"] = [tuple(s)[: max(1, len(s) - int(rng.integers(0, 2)))] if len(s) else s
                        for s in c["sectors"]]
        copies.append(c)
        k += 1
    out = pd.concat(copies).iloc[:m]
    out.index.name = base.index.name
    return out


def scaled_projects(n: int, seed: int = 20252) -> pd.DataFrame:
    enterprises, projects = generate_projects(n, seed, progress=False)
    return projects_frame(projects, {e.enterprise_id: e for e in enterprises})

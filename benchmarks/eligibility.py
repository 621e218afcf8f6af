"""Benchmark of the eligibility engine: 10,000 projects × 1,000 products, vectorised, next to the
plain per-pair reference measured on a sample in the same run (the ratio is what matters).

    .venv/bin/python benchmarks/eligibility.py [--projects 10000] [--products 1000] [--sample 200x100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from finmatch.eligibility import CLAUSE_FIELDS, evaluate  # noqa: E402
from finmatch.eligibility.reference import reference_matrix  # noqa: E402
from finmatch.enums import GUANGXI_CITIES, Certification, Sector, Stage  # noqa: E402
from finmatch.frames import PRODUCT_COLUMNS, PROJECT_COLUMNS  # noqa: E402

TODAY = dt.date(2025, 6, 30)
SECTORS = [s.value for s in Sector]
STAGES = [s.value for s in Stage]
CERTS = [c.value for c in Certification]
CITIES = [*GUANGXI_CITIES, "深圳", "广州", None]


def _maybe(rng: np.random.Generator, values: np.ndarray, p_missing: float) -> list:
    return [None if m else v for v, m in zip(values.tolist(), rng.random(len(values)) < p_missing, strict=True)]


def _subsets(rng: np.random.Generator, pool: list[str], n: int, p_empty: float, k_max: int) -> list[tuple]:
    out = []
    for _ in range(n):
        if rng.random() < p_empty:
            out.append(())
        else:
            out.append(tuple(rng.choice(pool, size=int(rng.integers(1, k_max + 1)), replace=False).tolist()))
    return out


def synthetic_projects(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [f"P{i:05d}" for i in range(n)]
    cols = {c: [None] * n for c in PROJECT_COLUMNS}
    cols.update(
        project_id=ids, enterprise_id=[f"E{i:05d}" for i in range(n)], name=[f"项目{i}" for i in range(n)],
        sector=_maybe(rng, rng.choice(SECTORS, n), 0.15), stage=rng.choice(STAGES, n).tolist(),
        trl=_maybe(rng, rng.integers(3, 9, n), 0.1), funding_need_wan=np.round(rng.lognormal(7, 1, n), 1).tolist(),
        hazardous_chemicals=(rng.random(n) < 0.1).tolist(),
        three_firsts=_subsets(rng, ["first_set", "first_batch", "first_version"], n, 0.85, 1),
        enterprise_name=[f"企业{i}" for i in range(n)], city=rng.choice(np.array(CITIES, dtype=object), n).tolist(),
        founded_year=_maybe(rng, rng.integers(2005, 2026, n), 0.05),
        annual_revenue_wan=_maybe(rng, np.round(rng.lognormal(8, 1.5, n)), 0.1),
        net_profit_wan=_maybe(rng, np.round(rng.normal(200, 500, n)), 0.1),
        debt_ratio=_maybe(rng, np.round(rng.uniform(0.1, 0.95, n), 2), 0.1),
        certifications=_subsets(rng, CERTS, n, 0.3, 3), tax_grade=_maybe(rng, rng.choice(list("ABMCD"), n), 0.2),
        has_collateral=(rng.random(n) < 0.4).tolist(),
    )
    frame = pd.DataFrame(cols, columns=list(PROJECT_COLUMNS)).set_index("project_id", drop=False)
    frame["inferred_sector"] = [rng.choice(SECTORS) if s is None else None for s in frame["sector"]]
    frame["sector_confidence"] = [0.8 if s else None for s in frame["inferred_sector"]]
    return frame


def synthetic_products(m: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lo = np.round(rng.choice([0, 50, 100, 500], m)).astype(float)
    hi = lo + np.round(rng.choice([500, 1000, 3000, 5000, 20000], m))
    cols = {c: [None] * m for c in PRODUCT_COLUMNS}
    cols.update(
        product_id=[f"Q{j:04d}" for j in range(m)], institution_id=[f"I{j % 40}" for j in range(m)],
        name=[f"产品{j}" for j in range(m)],
        family=rng.choice(["equity", "loan", "guarantee", "insurance", "subsidy"], m).tolist(),
        sectors=_subsets(rng, SECTORS, m, 0.4, 5), stages=_subsets(rng, STAGES, m, 0.4, 3),
        trl_min=_maybe(rng, rng.integers(3, 6, m), 0.5), trl_max=_maybe(rng, rng.integers(7, 10, m), 0.6),
        amount_min_wan=_maybe(rng, lo, 0.5), amount_max_wan=_maybe(rng, hi, 0.2),
        cities=[("广西",) if r < 0.5 else (() if r < 0.8 else tuple(rng.choice(GUANGXI_CITIES, 2).tolist()))
                for r in rng.random(m)],
        required_certifications_any=_subsets(rng, CERTS, m, 0.5, 3),
        min_revenue_wan=_maybe(rng, rng.choice([100.0, 500.0, 1000.0], m), 0.7),
        max_revenue_wan=_maybe(rng, rng.choice([20000.0, 50000.0], m), 0.7),
        min_company_age_years=_maybe(rng, rng.integers(1, 4, m), 0.6),
        max_company_age_years=_maybe(rng, rng.integers(10, 20, m), 0.8),
        max_debt_ratio=_maybe(rng, rng.choice([0.6, 0.7, 0.8], m), 0.5),
        requires_profit=(rng.random(m) < 0.3).tolist(), requires_collateral=(rng.random(m) < 0.2).tolist(),
        min_tax_grade=_maybe(rng, rng.choice(["A", "B", "M"], m), 0.6),
        excludes_hazardous=(rng.random(m) < 0.2).tolist(), requires_three_firsts=(rng.random(m) < 0.05).tolist(),
        budget_wan=_maybe(rng, rng.choice([500.0, 2000.0, 10000.0, 100000.0], m), 0.6),
        valid_to=_maybe(rng, np.array([TODAY + dt.timedelta(days=int(d)) for d in rng.integers(-60, 900, m)]), 0.4),
    )
    return pd.DataFrame(cols, columns=list(PRODUCT_COLUMNS)).set_index("product_id", drop=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=1_000)
    parser.add_argument("--sample", default="200x100", help="reference sample, projects x products")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sn, sm = (int(x) for x in args.sample.split("x"))

    projects, products = synthetic_projects(args.projects), synthetic_products(args.products)
    pairs = args.projects * args.products
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = evaluate(projects, products, today=TODAY)
        times.append(time.perf_counter() - t0)
    best = min(times)
    status_mb = sum(m.nbytes for m in result.status.values()) / 2**20
    print(f"vectorised: {args.projects:,} projects × {args.products:,} products = {pairs:,} pairs, "
          f"{len(CLAUSE_FIELDS)} clauses")
    print(f"  evaluate: best {best:.2f} s of {args.repeats} (all: {', '.join(f'{t:.2f}' for t in times)}), "
          f"{pairs / best:,.0f} pairs/s; status matrices {status_mb:,.0f} MiB; "
          f"eligible pairs {result.eligible.mean():.1%}")

    t0 = time.perf_counter()
    margins = result.margins()
    print(f"  margins: {time.perf_counter() - t0:.2f} s for {len(margins)} float32 matrices")

    sample_p, sample_q = projects.iloc[:sn], products.iloc[:sm]
    t0 = time.perf_counter()
    ref = reference_matrix(sample_p, sample_q, TODAY)
    ref_time = time.perf_counter() - t0
    ref_rate = sn * sm / ref_time
    agree = all(ref[i][j][f] == result.status[f][i, j] for i in range(sn) for j in range(sm) for f in CLAUSE_FIELDS)
    print(f"reference (per-pair Python): {sn}×{sm} = {sn * sm:,} pairs in {ref_time:.2f} s, {ref_rate:,.0f} pairs/s; "
          f"agrees with vectorised on the sample: {agree}")
    print(f"ratio vectorised / reference: {pairs / best / ref_rate:,.0f}× "
          f"(reference would take ~{pairs / ref_rate / 60:,.1f} min for the full grid)")

    ids = result.project_ids[:50]
    t0 = time.perf_counter()
    for pid in ids:
        for qid in result.product_ids[:20]:
            result.explain(pid, qid)
    explain_ms = (time.perf_counter() - t0) / (len(ids) * 20) * 1000
    t0 = time.perf_counter()
    n_changes = sum(len(result.project_what_if(pid)) for pid in ids)
    what_if_ms = (time.perf_counter() - t0) / len(ids) * 1000
    print(f"explain: {explain_ms:.2f} ms per pair; project_what_if: {what_if_ms:.0f} ms per project "
          f"against {args.products:,} products ({n_changes / len(ids):.1f} changes per project)")


if __name__ == "__main__":
    main()

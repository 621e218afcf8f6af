"""Package composer benchmark: exact CP-SAT vs the greedy baseline, solve time and objective.

1. one project over a 1,000-product catalogue (the sample catalogue's 54 products copied with seeded
   changes to ticket, rate, budget, collateral and debt cap);
2. every project of a 100-project event (the first 100 sample projects against the sample catalogue).
Prints, per objective, the exact and greedy solve times, their ratio, and how often the exact package
is strictly better / equal (it is never worse). Target: under 1 s per project.

    .venv/bin/python benchmarks/packaging.py [--projects 100] [--catalogue 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from finmatch.frames import products_frame, projects_frame  # noqa: E402
from finmatch.matching import PriorScorer  # noqa: E402
from finmatch.packaging import OBJECTIVES, compose, solve_greedy  # noqa: E402
from finmatch.packaging.figures import objective_key  # noqa: E402
from finmatch.schemas import Document  # noqa: E402
from finmatch.services.matching import match_frames  # noqa: E402
from finmatch.services.packages import problem_for  # noqa: E402
from finmatch.settings import Settings  # noqa: E402

TODAY = dt.date(2026, 11, 28)


def _load() -> tuple[dict, dict]:
    cat = json.loads((ROOT / "data_samples" / "catalogue.json").read_text("utf-8"))
    gen = json.loads((ROOT / "data_samples" / "generated.json").read_text("utf-8"))
    return cat, gen


def _big_catalogue(cat: dict, n: int, seed: int = 13) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        p = dict(rng.choice(cat["products"]))
        p["product_id"] = f"BP{k:05d}"
        p["name"] = f"{p['name']}·{k}"
        if p.get("amount_max_wan"):
            p["amount_max_wan"] = round(p["amount_max_wan"] * rng.uniform(0.5, 1.5))
            p["amount_min_wan"] = min(p.get("amount_min_wan") or 0, p["amount_max_wan"]) or None
        if p.get("rate_pct"):
            p["rate_pct"] = round(p["rate_pct"] * rng.uniform(0.8, 1.2), 2)
        if p["family"] == "loan":
            p["requires_collateral"] = rng.random() < 0.3
        p["sectors"], p["cities"] = [], []
        out.append(p)
    return out


def _frames(cat: dict, gen: dict, products: list[dict], n_projects: int):  # type: ignore[no-untyped-def]
    projects = gen["projects"][:n_projects]
    wanted = {p["enterprise_id"] for p in projects}
    doc = Document.model_validate({"institutions": cat["institutions"], "products": products,
                                   "enterprises": [e for e in gen["enterprises"] if e["enterprise_id"] in wanted],
                                   "projects": projects})
    inst = {i.key: i for i in doc.institutions}
    ents = {e.key: e for e in doc.enterprises}
    return projects_frame(doc.projects, ents), products_frame(doc.products, inst)


def _run(problems: list, label: str) -> None:  # type: ignore[type-arg]
    print(f"\n== {label}: {len(problems)} project(s), "
          f"{statistics.mean(len(p.candidates) for p in problems):.1f} candidates per project on average")
    print(f"{'objective':<12}{'exact s/proj':>14}{'greedy s/proj':>15}{'ratio':>9}{'better':>8}{'equal':>7}{'worse':>7}"
          f"{'optimal':>9}")
    for objective in OBJECTIVES:
        te = tg = 0.0
        better = equal = worse = optimal = 0
        for p in problems:
            t = time.perf_counter()
            exact = compose(p, objective)
            te += time.perf_counter() - t
            t = time.perf_counter()
            greedy = solve_greedy(p, objective)
            tg += time.perf_counter() - t
            assert exact is not None
            optimal += exact.optimal
            ke, kg = objective_key(exact, objective), objective_key(greedy, objective)
            better += ke < kg
            equal += ke == kg
            worse += ke > kg
        n = len(problems)
        print(f"{objective:<12}{te / n:>14.4f}{tg / n:>15.5f}{te / max(tg, 1e-9):>9.0f}{better:>8}{equal:>7}{worse:>7}"
              f"{optimal:>9}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=100)
    ap.add_argument("--catalogue", type=int, default=1000)
    ap.add_argument("--top", type=int, default=None, help="candidates kept per family (default: the composer's)")
    args = ap.parse_args()
    settings = Settings(today=TODAY, use_embeddings=False)
    scorer = PriorScorer()
    cat, gen = _load()

    # 1. one project, 1,000 products: the sample project with the most usable products
    projects, products = _frames(cat, gen, _big_catalogue(cat, args.catalogue), 40)
    t = time.perf_counter()
    result = match_frames(projects, products, scorer, settings)
    build = [problem_for(result, scorer, str(pid), settings) for pid in projects.index]
    prep = (time.perf_counter() - t) / len(build)
    one = max(build, key=lambda p: len(p.candidates))
    print(f"matching + problem building: {prep:.3f} s/project ({args.catalogue} products)")
    _run([one], f"one project ({one.project_id}, need {one.need_wan:,} 万元) over {args.catalogue} products")

    # 2. a 100-project event against the sample catalogue
    projects, products = _frames(cat, gen, cat["products"], args.projects)
    result = match_frames(projects, products, scorer, settings)
    problems = [problem_for(result, scorer, str(pid), settings) for pid in projects.index]
    _run(problems, f"{args.projects}-project event, sample catalogue ({len(products)} products)")


if __name__ == "__main__":
    main()

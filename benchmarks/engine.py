"""Benchmark of the matching engine: 1 project × 1,000 products and 300 × 1,000, against LightGBM's own
``predict`` / ``pred_contrib`` on the same feature rows and against the engine before the rewrite
(frozen in ``tests/matching/reference_engine.py``), all measured in this run.

    .venv/bin/python benchmarks/engine.py [--products 1000] [--projects 300] [--trees 400] [--repeat 15]

The model is a LambdaRank fit on the default synthetic sample (seed 20251, embeddings off) with a fixed
tree count; the catalogue is the curated one replicated with jittered tickets (``benchmarks/_scale.py``);
the projects are a fresh synthetic set (seed 20252). Times are medians; CPU time is this process's
(``time.process_time``), which is what to read on a shared machine, wall time next to it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
# run from a checkout: the repository root on the path, this folder off it (its modules would shadow packages)
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

import numpy as np  # noqa: E402

from benchmarks._scale import scaled_products, scaled_projects  # noqa: E402

TODAY = dt.date(2026, 11, 28)


def train_scorer(trees: int) -> Any:
    """A ModelScorer fitted on the default sample (embeddings off), like ``finmatch train`` without the
    evaluation runs; the calibration is a fixed monotone map (it does not change the timings)."""
    from features.pairs import PairFeatureBuilder
    from finmatch.matching.model_scorer import ModelScorer, MonotoneCalibration
    from training.dataset import TrainingData, build_groups
    from training.fit import fit_ranker, load_config
    from training.labels import attach_events, outcomes_frame
    from training.synthetic import generate_dataset, load_catalogue
    from training.synthetic.dataset import frames

    cat, doc = load_catalogue(), generate_dataset()
    projects, products = frames(doc, cat)
    outcomes = attach_events(outcomes_frame(doc.outcomes), doc.events)
    cities = {i.institution_id: i.city or "" for i in cat.institutions}
    builder = PairFeatureBuilder(use_embeddings=False).fit(projects, products, outcomes, cities)
    builder.bind_runtime(None, False, TODAY)
    groups = build_groups(TrainingData(projects, products, doc.events, outcomes, cities), builder, progress=False)
    model, _ = fit_ranker(groups, list(builder.feature_names_), load_config(), n_estimators=trees)
    calibration = MonotoneCalibration(x=np.array([-2.0, 0.0, 2.0]), y=np.array([0.1, 0.4, 0.8]))
    return ModelScorer("bench", builder, model.booster_, calibration, list(builder.feature_names_))


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Median wall and CPU seconds of ``repeat`` calls, and the last result."""
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return statistics.median(walls), statistics.median(cpus), out


def view(engine: Any, projects: Any, products: Any, top_k: int = 5) -> Any:
    """What a project page or ``finmatch match`` does: run, then the top K with reasons.

    The token cache is cleared first, so every view pays jieba's cut (the cold cost of a new project)."""
    from features.tokenize import clear_token_cache

    clear_token_cache()
    result = engine.run(projects, products)
    for pid in result.projects.index:
        result.ranked(pid, top_k)
    return result


def batch_partition(scorer: Any, projects: Any, products: Any, top_k: int = 5) -> Any:
    """What one ``finmatch batch`` partition does on a worker (``score_partition``): run, the top K of every
    project with the model's reasons, each product's best 100 projects as prospect candidates."""
    from features.tokenize import clear_token_cache
    from finmatch.batch.partition import score_partition

    clear_token_cache()
    return score_partition(projects, products, scorer, TODAY, top_k, 100)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--projects", type=int, default=300)
    ap.add_argument("--trees", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--no-reference", action="store_true", help="skip the old engine (slow)")
    args = ap.parse_args()

    from finmatch.matching import MatchEngine
    from tests.matching.reference_engine import OldMatchEngine

    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} cores")
    scorer = train_scorer(args.trees)
    booster = scorer.booster
    products = scaled_products(args.products)
    projects = scaled_projects(args.projects)
    new, old = MatchEngine(scorer, today=TODAY), OldMatchEngine(scorer, today=TODAY)
    view(new, projects.iloc[:1], products)  # warm: tokenizer, product-side arrays
    print(f"model: {booster.num_trees()} trees, {len(scorer.feature_names)} features; "
          f"catalogue {len(products)} products")

    one = [projects.iloc[k:k + 1] for k in range(args.repeat)]
    it = iter(one * 3)
    w1, c1, r1 = timed(lambda: view(new, next(it), products), args.repeat)
    n1 = statistics.median(len(new.run(p, products).scores) for p in one[:5])
    x1 = scorer.feature_matrix(r1.projects, products, *np.nonzero(r1.eligibility.eligible))
    wp, cp, _ = timed(lambda: booster.predict(x1, raw_score=True), args.repeat)
    wc, cc, _ = timed(lambda: booster.predict(x1, pred_contrib=True), args.repeat)
    print(f"\n1 project × {len(products)} products ({n1:.0f} eligible pairs, median of {args.repeat}):")
    print(f"  engine (run + top 5 with reasons): {c1 * 1e3:7.2f} ms CPU  {w1 * 1e3:7.2f} ms wall")
    print(f"  LightGBM predict, same rows:       {cp * 1e3:7.2f} ms CPU  → engine / predict = {c1 / cp:6.1f}×")
    print(f"  LightGBM pred_contrib, same rows:  {cc * 1e3:7.2f} ms CPU  → engine / pred_contrib = {c1 / cc:6.2f}×")
    if not args.no_reference:
        it = iter(one * 3)
        wo, co, _ = timed(lambda: view(old, next(it), products), max(3, args.repeat // 3))
        print(f"  engine before the rewrite:         {co * 1e3:7.2f} ms CPU  → speed-up {co / c1:6.1f}×")

    compiled = scorer.compiled
    if compiled is not None:
        _, ct, _ = timed(lambda: compiled.raw_score(x1), args.repeat)
        _, cx, _ = timed(lambda: compiled.contributions(x1), args.repeat)
        print(f"  compiled trees, same rows:         {ct * 1e3:7.2f} ms CPU scores ({cp / ct:5.1f}× faster than "
              f"predict), {cx * 1e3:6.2f} ms contributions ({cc / cx:5.1f}× faster than pred_contrib)")

    wn, cn, rn = timed(lambda: view(new, projects, products), 3)
    pairs = len(rn.scores)
    wb, cb, _ = timed(lambda: batch_partition(scorer, projects, products), 3)
    xn = scorer.feature_matrix(rn.projects, products, *np.nonzero(rn.eligibility.eligible))
    wpn, cpn, _ = timed(lambda: booster.predict(xn, raw_score=True), 3)
    wcn, ccn, _ = timed(lambda: booster.predict(xn[:5000], pred_contrib=True), 1)
    print(f"\n{len(projects)} projects × {len(products)} products ({pairs} eligible pairs):")
    print(f"  batch partition (run + top 5 with the model's reasons + prospect candidates):"
          f"  {cb:6.3f} s CPU {wb:6.3f} s wall → {pairs / cb:9,.0f} eligible pairs/s per core")
    print(f"  project views (run + top 5 each with clause sentences): {cn:6.3f} s CPU {wn:6.3f} s wall → "
          f"{pairs / cn:9,.0f} eligible pairs/s per core")
    print(f"  LightGBM predict:           {cpn:6.3f} s CPU → batch / predict = {cb / cpn:5.2f}×")
    print(f"  LightGBM pred_contrib (all rows, from 5,000): {ccn * pairs / 5000:6.2f} s CPU "
          f"→ batch / pred_contrib = {cb / (ccn * pairs / 5000):5.3f}×")
    if compiled is not None:
        _, ctn, _ = timed(lambda: compiled.raw_score(xn), 3)
        print(f"  compiled trees, all rows:   {ctn:6.3f} s CPU ({cpn / ctn:5.1f}× faster than LightGBM predict)")
    try:
        from features.prior_feature import prior_feature

        proj = scorer.pipeline.enrich_projects(projects)
        ii, jj = np.nonzero(rn.eligibility.eligible)
        _, cf, _ = timed(lambda: prior_feature(proj, products, ii, jj, None), 1)
        print(f"  of which the prior_score feature (PriorScorer.components per pair): {cf:6.2f} s CPU "
              f"({cf / cn:.0%})")
    except ImportError:
        pass
    if not args.no_reference:
        wo, co, ro = timed(lambda: view(old, projects, products), 1)
        print(f"  engine before the rewrite:  {co:6.2f} s CPU → {len(ro.scores) / co:9,.0f} pairs/s; "
              f"speed-up {co / cn:5.1f}×")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

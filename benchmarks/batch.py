"""Benchmark of ``finmatch batch``: N projects × 1,000 products on a LocalCluster of this machine's cores,
with 1 worker and with 2 (the scaling ratio is measured in the same run).

    .venv/bin/python benchmarks/batch.py [--projects 100000] [--products 1000] [--partition-size 1000]
                                         [--workers 1,2] [--trees 400]

The model and data are those of ``benchmarks/engine.py`` (a LambdaRank fit on the default sample,
embeddings off; the curated catalogue replicated to 1,000 products; fresh synthetic projects). Peak
memory per worker is each worker process's maximum resident set size (``ru_maxrss``). Output goes
to a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from benchmarks._scale import scaled_products, scaled_projects  # noqa: E402
from benchmarks.engine import TODAY, train_scorer  # noqa: E402


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _cpu_seconds() -> float:
    return time.process_time()


def run(projects, products, scorer, workers: int, partition_size: int, out: Path) -> dict[str, float]:
    from finmatch.batch import BatchOptions, run_batch
    from finmatch.batch.job import open_client

    client, cluster = open_client(workers=workers, processes=True)
    try:
        client.wait_for_workers(workers, timeout=120)
        cpu0 = client.run(_cpu_seconds)
        start = time.perf_counter()
        summary = run_batch(projects, products, scorer, BatchOptions(out, partition_size=partition_size,
                                                                      today=TODAY, overwrite=True), client)
        wall = time.perf_counter() - start
        peaks = client.run(_peak_rss_mb)
        cpu1 = client.run(_cpu_seconds)
    finally:
        client.close()
        cluster.close()
    return {"wall": wall, "pairs": summary.n_eligible, "peak_mb": max(peaks.values()),
            "partitions": summary.n_partitions, "cpu": sum(cpu1[k] - cpu0[k] for k in cpu1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--products", type=int, default=1000)
    ap.add_argument("--partition-size", type=int, default=1000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--trees", type=int, default=400)
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; "
          f"{args.projects:,} projects × {args.products:,} products, partitions of {args.partition_size}")
    t = time.perf_counter()
    scorer = train_scorer(args.trees)
    products = scaled_products(args.products)
    projects = scaled_projects(args.projects)
    print(f"model and data ready in {time.perf_counter() - t:.0f} s")
    results: dict[int, dict[str, float]] = {}
    for w in (int(x) for x in args.workers.split(",")):
        out = Path(tempfile.mkdtemp(prefix="finmatch-batch-bench-"))
        try:
            r = results[w] = run(projects, products, scorer, w, args.partition_size, out)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        print(f"{w} worker(s): {r['wall']:8.1f} s wall, {r['pairs']:,} eligible pairs, "
              f"{r['pairs'] / r['wall']:9,.0f} pairs/s ({r['pairs'] / r['wall'] / w:8,.0f} per worker), "
              f"peak {r['peak_mb']:,.0f} MB per worker, {r['partitions']} partitions; workers' CPU "
              f"{r['cpu']:,.1f} s → {r['pairs'] / r['cpu']:,.0f} pairs per CPU-second")
    if 1 in results and 2 in results:
        print(f"scaling 1 → 2 workers: {results[1]['wall'] / results[2]['wall']:.2f}× "
              f"(2 cores shared with other work: load average now {os.getloadavg()[0]:.2f})")
    print(f"finished {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()

"""The batch job on Dask: partitions of projects, one broadcast of the scorer and catalogue, Parquet out.

Output directory::

    manifest.json               what was run (model, inputs' fingerprints, options): a rerun must match it
    matches/part-00000.parquet  per partition: project_id, product_id, rank, score, probability, family,
                                institution_id, reasons (each project's top K, as the engine ranks them)
    candidates/part-*.parquet   per partition: each product's best projects there (input to the prospects)
    prospects/part-*.parquet    per block of products: product_id, rank, project_id, score, probability,
                                reasons (each product's best ``prospects`` projects over all partitions)
    summary.json                written last: counts and timings (its presence means the job finished)

Partitions are written by the driver as they complete (a temporary file renamed into place), so a
job stopped half-way reruns only the partitions that have no file yet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finmatch.batch.partition import PartitionResult, prospect_reasons, score_partition
from finmatch.exceptions import FinmatchError
from finmatch.matching import PairScorer

log = logging.getLogger(__name__)
FORMAT = "finmatch-batch/1"
PROSPECT_BLOCK = 500  # products per prospects file


@dataclass
class BatchOptions:
    output: Path
    top_k: int = 5
    prospects: int = 100
    partition_size: int = 1000
    today: dt.date | None = None
    overwrite: bool = False


@dataclass
class BatchSummary:
    output: str
    model: str
    n_projects: int
    n_products: int
    n_partitions: int
    n_skipped: int
    n_eligible: int  # eligible pairs scored in this run (skipped partitions not counted)
    n_matches: int
    n_prospects: int
    seconds: float
    workers: int
    extra: dict[str, Any] = field(default_factory=dict)


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """sha256 of a frame's index, columns and values (lists as text): a rerun must see the same inputs."""
    h = hashlib.sha256()
    h.update("\x1f".join(map(str, frame.columns)).encode())
    if len(frame):
        hashed = pd.util.hash_pandas_object(frame.astype(str), index=True)
        h.update(hashed.to_numpy().tobytes())
    return h.hexdigest()


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_parquet(tmp, index=False, engine="pyarrow")
    os.replace(tmp, path)


def _part_name(k: int) -> str:
    return f"part-{k:05d}.parquet"


def _prepare_output(options: BatchOptions, manifest: dict[str, Any]) -> None:
    out = options.output
    path = out / "manifest.json"
    if path.exists() and not options.overwrite:
        old = json.loads(path.read_text("utf-8"))
        if old != manifest:
            changed = sorted(k for k in manifest if old.get(k) != manifest[k])
            raise FinmatchError(f"输出目录 {out} 中已有另一批次的结果（不同的：{'、'.join(changed)}），"
                                "请换一个目录，或加 --overwrite 覆盖", field="output")
    elif path.exists() or (out.exists() and any(out.iterdir())):
        if not options.overwrite:
            raise FinmatchError(f"输出目录 {out} 不是空目录，也不是批量匹配的结果目录", field="output")
        shutil.rmtree(out)
    for sub in ("matches", "candidates", "prospects"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")


def _partition_task(projects: pd.DataFrame, products: pd.DataFrame, scorer: PairScorer, today: dt.date | None,
                    top_k: int, prospects: int, offset: int) -> PartitionResult:
    return score_partition(projects, products, scorer, today, top_k, prospects, offset)


def _reasons_task(projects: pd.DataFrame, products: pd.DataFrame, scorer: PairScorer, today: dt.date | None,
                  pairs: pd.DataFrame) -> pd.DataFrame:
    return pairs.assign(reasons=prospect_reasons(projects, products, scorer, today, pairs))


def run_batch(projects: pd.DataFrame, products: pd.DataFrame, scorer: PairScorer, options: BatchOptions,
              client: Any, progress: Callable[[str, int, int], None] | None = None) -> BatchSummary:
    """Run the job on a ``distributed.Client``; ``progress(stage, done, total)`` is called as work ends."""
    from distributed import as_completed

    start = time.perf_counter()
    if projects.index.has_duplicates or products.index.has_duplicates:
        raise FinmatchError("项目或产品编号重复，无法批量匹配", field="projects")
    if products.empty:
        raise FinmatchError("没有可匹配的金融产品", field="products")
    size = max(1, int(options.partition_size))
    bounds = [(a, min(a + size, len(projects))) for a in range(0, len(projects), size)]
    manifest = {"format": FORMAT, "model": scorer.version, "n_projects": len(projects),
                "n_products": len(products), "partition_size": size, "top_k": options.top_k,
                "prospects": options.prospects, "today": (options.today or dt.date.today()).isoformat(),
                "projects": frame_fingerprint(projects), "products": frame_fingerprint(products)}
    _prepare_output(options, manifest)
    today = options.today or dt.date.today()
    out = options.output
    todo = [k for k in range(len(bounds)) if not ((out / "matches" / _part_name(k)).exists()
                                               and (out / "candidates" / _part_name(k)).exists())]
    skipped = len(bounds) - len(todo)
    workers = len(client.scheduler_info().get("workers", {}))
    log.info("batch: %d projects in %d partitions (%d already written) on %d workers",
             len(projects), len(bounds), skipped, workers)
    scorer_f = client.scatter(scorer, broadcast=True, hash=False)
    products_f = client.scatter(products, broadcast=True, hash=False)
    n_eligible = 0
    if progress:
        progress("partitions", skipped, len(bounds))
    if todo:
        # a bounded window of partitions in flight: the workers hold a few partitions and results at a time,
        # not the whole input (memory bounded by the window, not by the data set)
        window = max(2, 2 * max(workers, 1))
        pending = iter(todo)
        futures: dict[Any, int] = {}
        running = as_completed()

        def submit_next() -> None:
            k = next(pending, None)
            if k is None:
                return
            part = client.scatter(projects.iloc[bounds[k][0]:bounds[k][1]], hash=False)
            fut = client.submit(_partition_task, part, products_f, scorer_f, today, options.top_k,
                                options.prospects, bounds[k][0], pure=False)
            futures[fut] = k
            running.add(fut)

        for _ in range(window):
            submit_next()
        done = skipped
        for fut in running:
            k = futures.pop(fut)
            res: PartitionResult = fut.result()
            _write_parquet(res.matches, out / "matches" / _part_name(k))
            _write_parquet(res.candidates, out / "candidates" / _part_name(k))
            n_eligible += res.n_eligible
            done += 1
            fut.release()
            submit_next()
            if progress:
                progress("partitions", done, len(bounds))
    n_prospects = _prospects(projects, products_f, scorer_f, today, options, bounds, client, progress)
    n_matches = sum(_rows(p) for p in sorted((out / "matches").glob("part-*.parquet")))
    summary = BatchSummary(str(out), scorer.version, len(projects), len(products), len(bounds), skipped,
                           n_eligible, n_matches, n_prospects, time.perf_counter() - start, workers)
    (out / "summary.json").write_text(json.dumps(asdict(summary), ensure_ascii=False, indent=1), "utf-8")
    return summary


def _rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def _prospects(projects: pd.DataFrame, products_f: Any, scorer_f: Any, today: dt.date, options: BatchOptions,
               bounds: list[tuple[int, int]], client: Any, progress: Callable[[str, int, int], None] | None) -> int:
    """Merge the partitions' candidates into each product's list, then add reasons for the listed pairs."""
    from distributed import as_completed

    out = options.output
    files = sorted((out / "candidates").glob("part-*.parquet"))
    cand = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True) if files else pd.DataFrame(
        columns=["product_id", "project_id", "score", "probability", "order"])
    cand = cand.sort_values(["product_id", "score", "order"], ascending=[True, False, True], kind="stable")
    top = cand.groupby("product_id", sort=False).head(options.prospects).reset_index(drop=True)
    top["rank"] = top.groupby("product_id", sort=False).cumcount().astype(np.int32) + 1
    size = bounds[0][1] - bounds[0][0] if bounds else 1
    top["partition"] = top["order"] // size
    groups = list(top.groupby("partition", sort=True))
    for old in (out / "prospects").glob("part-*.parquet"):
        old.unlink()
    if progress:
        progress("prospects", 0, len(groups))
    pieces = []
    if groups:
        parts = client.scatter([projects.iloc[bounds[int(k)][0]:bounds[int(k)][1]] for k, _ in groups], hash=False)
        futures = [client.submit(_reasons_task, part, products_f, scorer_f, today,
                                 g[["project_id", "product_id"]].reset_index(drop=True), pure=False)
                   for part, (_, g) in zip(parts, groups, strict=True)]
        index = {f.key: g.index.to_numpy() for f, (_, g) in zip(futures, groups, strict=True)}
        for n, fut in enumerate(as_completed(futures), start=1):
            pieces.append(pd.Series(fut.result()["reasons"].to_numpy(), index=index[fut.key]))
            fut.release()
            if progress:
                progress("prospects", n, len(groups))
    top["reasons"] = pd.concat(pieces).reindex(top.index) if pieces else pd.Series([[]] * len(top), dtype=object)
    top = top[["product_id", "rank", "project_id", "score", "probability", "reasons"]]
    ids = list(dict.fromkeys(top["product_id"]))
    for b, a in enumerate(range(0, len(ids), PROSPECT_BLOCK)):
        block = top[top["product_id"].isin(ids[a:a + PROSPECT_BLOCK])]
        _write_parquet(block.reset_index(drop=True), out / "prospects" / _part_name(b))
    return len(top)


def open_client(scheduler: str | None = None, workers: int | None = None, processes: bool = True,
                memory_limit: str = "auto") -> tuple[Any, Any]:
    """A client on ``scheduler`` (tcp://host:port), or on a LocalCluster sized to this machine.

    Returns (client, cluster); cluster is None for an external scheduler. One thread per worker:
    the engine is single-threaded numpy/LightGBM work, so workers = cores is the right size.
    """
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler, timeout="30s"), None
    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes, memory_limit=memory_limit,
                           dashboard_address=None)
    return Client(cluster), cluster

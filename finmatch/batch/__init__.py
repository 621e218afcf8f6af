"""Batch matching over many projects on Dask: partitions of projects against one catalogue.

``run_batch`` (``finmatch.batch.job``) splits the projects into partitions, broadcasts the fitted scorer
and the catalogue to every worker once, scores each partition with the same engine the service uses
(``finmatch.matching.MatchEngine``) and writes partitioned Parquet: each project's top products with
reasons, and each product's prospect list. A partition already written is skipped on a rerun.
"""

from finmatch.batch.job import BatchOptions, BatchSummary, run_batch
from finmatch.batch.partition import score_partition

__all__ = ["BatchOptions", "BatchSummary", "run_batch", "score_partition"]

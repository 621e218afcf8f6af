"""``finmatch batch``: every project against the catalogue on Dask, results as partitioned Parquet.

The composition root of the batch job: reads the projects (a file, or the database), the catalogue
(``--products FILE`` or the database), the scorer (the newest registry model, or the cold-start prior),
opens a Dask client (a LocalCluster sized to this machine, or ``--scheduler``) and runs
``finmatch.batch.run_batch`` with a progress bar.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from finmatch.exceptions import FinmatchError, ImportIssue, ImportValidationError
from finmatch.matching import PairScorer
from finmatch.settings import Settings

log = logging.getLogger(__name__)
err = Console(stderr=True)
STAGES = {"partitions": "匹配分区", "prospects": "产品潜在客户名单"}


def load_batch_scorer(settings: Settings) -> PairScorer:
    from app.batch_prior import batch_prior
    from finmatch.registry import load_scorer

    types = None
    try:
        from features.artifact_types import artifact_types  # the classes a model file may name

        types = artifact_types()
    except ImportError:
        pass
    kwargs = {"types": types} if types is not None else {}
    return load_scorer(settings, prior=batch_prior, **kwargs)[0]


def _frames_from_file(path: Path, products_path: Path | None,
                      settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Projects (joined with their enterprises, from the file or the database) and the file's products."""
    from finmatch.frames import products_frame, projects_frame
    from finmatch.io.importer import validate_records
    from finmatch.io.readers import read_paths
    from finmatch.runtime import open_database
    from finmatch.storage import Repository

    paths = [path] + ([products_path] if products_path else [])
    doc, issues, _ = validate_records(read_paths(paths))
    if issues:
        raise ImportValidationError(issues=issues)
    if not doc.projects:
        raise FinmatchError(f"{path} 中没有项目", field="projects")
    enterprises = {e.key: e for e in doc.enterprises}
    institutions = {i.key: i for i in doc.institutions}
    missing = {p.enterprise_id for p in doc.projects} - set(enterprises)
    db = open_database(settings)
    try:
        with db.factory() as session:
            repo = Repository(session)
            if missing:
                enterprises.update(repo.fetch("enterprises", missing))  # type: ignore[arg-type]
            if doc.products:
                institutions = {**repo.institutions(), **institutions}
    finally:
        db.dispose()
    still = sorted({p.enterprise_id for p in doc.projects} - set(enterprises))
    if still:
        raise ImportValidationError(issues=[ImportIssue(str(path), "-", "enterprise_id", f"引用的企业 {e} 不存在")
                                            for e in still[:20]])
    products = products_frame(doc.products, institutions) if doc.products else None
    return projects_frame(doc.projects, enterprises), products


def _frames_from_db(settings: Settings, with_projects: bool) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    from finmatch.runtime import open_database
    from finmatch.storage import Repository

    db = open_database(settings)
    try:
        with db.factory() as session:
            repo = Repository(session)
            return (repo.projects_frame() if with_projects else None), repo.products_frame()
    finally:
        db.dispose()


def batch_command(
    projects: Annotated[str, typer.Option("--projects", help="项目来源：文件（JSON/CSV/XLSX/Parquet）或 db")],
    output: Annotated[Path, typer.Option("--output", help="结果目录（分区 Parquet）")],
    products: Annotated[Path | None, typer.Option("--products", help="产品目录文件；缺省用数据库中的产品")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="已有 Dask 集群，如 tcp://host:8786")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="本机进程数（缺省 = CPU 核数）")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="每个项目保留前 K 个产品")] = 5,
    prospects: Annotated[int, typer.Option("--prospects", min=1, help="每个产品的潜在客户名单长度")] = 100,
    partition_size: Annotated[int, typer.Option("--partition-size", min=1, help="每个分区的项目数")] = 1000,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="清空输出目录中另一批次的结果")] = False,
) -> None:
    """批量匹配：全部项目 × 产品目录，在 Dask 上分区计算，结果写为 Parquet / batch matching on Dask."""
    from finmatch.batch import BatchOptions, run_batch
    from finmatch.batch.job import open_client
    from finmatch.settings import get_settings

    settings = get_settings()
    try:
        if projects == "db":
            projects_df, products_df = _frames_from_db(settings, True)
        else:
            projects_df, file_products = _frames_from_file(Path(projects), products, settings)
            products_df = file_products if file_products is not None else _frames_from_db(settings, False)[1]
        assert projects_df is not None
        if products_df.empty:
            raise FinmatchError("没有可匹配的金融产品：请导入产品目录或用 --products 指定", field="products")
        scorer = load_batch_scorer(settings)
        for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.core",
                     "distributed.http.proxy", "distributed.worker"):
            logging.getLogger(name).setLevel(logging.WARNING)  # the progress bar says what is happening
        client, cluster = open_client(scheduler, workers)
    except ImportValidationError as exc:
        for issue in exc.issues[:50]:
            err.print(f"[red]{issue.file} {issue.row} {issue.field or ''}：{issue.message}[/red]")
        raise typer.Exit(1) from None
    except FinmatchError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    options = BatchOptions(output=output, top_k=top, prospects=prospects, partition_size=partition_size,
                           today=settings.effective_today(), overwrite=overwrite)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=err, transient=False) as bar:
            tasks: dict[str, Any] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
                bar.update(tasks[stage], completed=done, total=total)

            summary = run_batch(projects_df, products_df, scorer, options, client, progress)
    except FinmatchError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    rate = summary.n_eligible / summary.seconds if summary.seconds > 0 else 0.0
    err.print(f"[green]批量匹配完成[/green]：{summary.n_projects} 个项目 × {summary.n_products} 个产品，"
              f"{summary.n_partitions} 个分区（跳过已完成 {summary.n_skipped} 个），{summary.workers} 个工作进程；"
              f"符合条件的配对 {summary.n_eligible} 个，用时 {summary.seconds:.1f} 秒（每秒 {rate:,.0f} 对）；"
              f"结果在 {summary.output}")

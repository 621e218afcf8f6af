"""The model card: report.md with PNG plots (metrics vs baselines, gain importance, reliability curve,
NDCG by family), written into the version folder by ``finmatch train``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from training.baselines import NAMES  # noqa: E402
from training.evaluate import METRIC_COLUMNS, MODEL  # noqa: E402

PLOTS = {"metrics": "metrics_vs_baselines.png", "importance": "feature_importance.png",
         "reliability": "reliability.png", "family": "ndcg_by_family.png"}


def _fig(path: Path, fig: Any) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_metrics(table: pd.DataFrame, path: Path) -> None:
    sub = table[(table["split"] == "time") & (table["family"] == "all")].set_index("scorer")
    cols = ["ndcg@5", "ndcg@10", "map@5", "recall@10"]
    fig, ax = plt.subplots(figsize=(8, 4))
    sub[cols].T.plot.bar(ax=ax, width=0.8)
    ax.set_ylim(0, 1)
    ax.set_title("Time split (test = latest events): model vs baselines")
    ax.legend(fontsize=7, ncol=4)
    _fig(path, fig)


def plot_importance(importance: pd.Series, path: Path, top: int = 20) -> None:
    imp = importance.head(top)[::-1]
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.barh(imp.index, imp.to_numpy())
    ax.set_title("Feature importance (total gain)")
    _fig(path, fig)


def plot_reliability(curve: pd.DataFrame, path: Path, ece: float) -> None:
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey")
    ax.plot(curve["mean_predicted"], curve["observed"], "o-")
    ax.set_xlabel("predicted P(meeting or better)")
    ax.set_ylabel("observed frequency")
    ax.set_title(f"Reliability (time-split test), ECE={ece:.3f}")
    _fig(path, fig)


def plot_family(table: pd.DataFrame, path: Path) -> None:
    sub = table[(table["split"] == "time") & (table["family"] != "all")]
    pivot = sub.pivot(index="family", columns="scorer", values="ndcg@5")
    fig, ax = plt.subplots(figsize=(8, 4))
    pivot.plot.bar(ax=ax, width=0.8)
    ax.set_ylim(0, 1)
    ax.set_title("NDCG@5 by product family (time split)")
    ax.legend(fontsize=7, ncol=4)
    _fig(path, fig)


def markdown_table(table: pd.DataFrame, split: str, family: str = "all") -> str:
    sub = table[(table["split"] == split) & (table["family"] == family)]
    head = "| scorer | " + " | ".join(METRIC_COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(METRIC_COLUMNS) + 1)]
    for _, r in sub.iterrows():
        name = f"{r['scorer']}（{NAMES.get(r['scorer'], r['scorer'])}）"
        vals = [f"{int(r[c])}" if c == "groups" else f"{r[c]:.4f}" for c in METRIC_COLUMNS]
        lines.append(f"| {name} | " + " | ".join(vals) + " |")
    return "\n".join(lines)


def family_table(table: pd.DataFrame, split: str = "time", metric: str = "ndcg@5") -> str:
    sub = table[(table["split"] == split) & (table["family"] != "all")]
    pivot = sub.pivot(index="family", columns="scorer", values=metric)
    cols = [c for c in [MODEL, "random", "prior", "bm25", "embedding", "logreg", "oracle"] if c in pivot.columns]
    lines = ["| family | " + " | ".join(cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for fam, row in pivot.iterrows():
        lines.append(f"| {fam} | " + " | ".join(f"{row[c]:.4f}" for c in cols) + " |")
    return "\n".join(lines)


def write_report(folder: Path, version: str, table: pd.DataFrame, importance: pd.Series, reliability: pd.DataFrame,
                 metrics: dict[str, Any], meta: dict[str, Any]) -> None:
    plot_metrics(table, folder / PLOTS["metrics"])
    plot_importance(importance, folder / PLOTS["importance"])
    plot_reliability(reliability, folder / PLOTS["reliability"], metrics["calibration"]["ece_time_split"])
    plot_family(table, folder / PLOTS["family"])
    ratio = metrics.get("model_oracle_ratio_ndcg@5")
    cal = metrics["calibration"]
    text = f"""# 排序模型卡 / ranker model card — {version}

- 训练时间 / trained: {meta['timestamp']}　数据指纹 / data hash: `{meta['data_hash'][:16]}`
- 分组 / groups: {meta['n_groups']}（有洽谈及以上结果的 {meta['n_labelled_groups']}），样本对 / pairs: {meta['n_pairs']}
- 语义向量 / embeddings: {'使用' if meta['use_embeddings'] else '未使用'}　树的数量 / trees: {meta['n_estimators']}
- 标签 / label: signed 3 · approved/due_diligence 2 · meeting 1 · 其余 0（训练用相关度另计 contacted）

## 时间切分（以较早活动训练，最新活动测试）/ time split
{markdown_table(table, 'time')}

模型 / 真值效用 NDCG@5 比值 / model ÷ oracle: {'—' if ratio is None else f'{ratio:.3f}'}

![metrics]({PLOTS['metrics']})

## 按产品大类 NDCG@5 / by family
{family_table(table)}

![family]({PLOTS['family']})

## 按项目分组交叉验证 / GroupKFold by project
{markdown_table(table, 'group_kfold')}

## 匹配概率校准 / calibration (P(至少洽谈))
方法 / method: {cal['method']}；时间切分测试集 ECE = {cal['ece_time_split']:.4f}；交叉验证（样本内）ECE = {cal['ece_oof']:.4f}

![reliability]({PLOTS['reliability']})

## 特征重要性（增益）/ feature importance by gain
![importance]({PLOTS['importance']})
"""
    (folder / "report.md").write_text(text, "utf-8")

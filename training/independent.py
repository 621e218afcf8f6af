"""Measurement on the independent validation set (``tests/data/validation``): never fitted on.

The set holds 88 hand-written pilot-project descriptions and 30 products (``validation.json``, a v1 file
with blank sectors) and the labels set by ``RUBRIC.md`` (``labels.json``): each project's sector, the
focus products state only in prose, and graded relevance (0–3) for 25 projects against the products.
This module reports sector understanding (per sector, confusion matrix, abstention) and the prior's
NDCG@5 against simple baselines, all ranking the same confirmed-eligible candidates.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from finmatch.frames import products_frame, projects_frame
from finmatch.io.importer import validate_records
from finmatch.io.readers import read_paths
from finmatch.matching import MatchEngine, PairScorer
from training.metrics import ndcg_at_k

VALIDATION_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "validation"
TODAY = dt.date(2026, 6, 30)  # company ages and validity as of the day the set was written
RANDOM_SEEDS = 20  # random and tie-broken baselines are averaged over this many seeds


@dataclass
class ValidationSet:
    projects: pd.DataFrame
    products: pd.DataFrame
    sectors: pd.Series  # project_id -> sector by the rubric
    product_focus: dict[str, list[str]]
    relevance: pd.DataFrame  # project_id, product_id, grade (only graded projects; missing pairs are 0)


def load_validation_set(folder: Path = VALIDATION_DIR) -> ValidationSet:
    doc, issues, _ = validate_records(read_paths([folder / "validation.json"]))
    if issues:
        raise ValueError(f"validation set does not import: {issues[:3]}")
    enterprises = {e.key: e for e in doc.enterprises}
    institutions = {i.key: i for i in doc.institutions}
    labels = json.loads((folder / "labels.json").read_text("utf-8"))
    sectors = pd.Series({k: v["sector"] for k, v in labels["projects"].items()}, name="sector")
    rel = pd.DataFrame([(p, q, int(g)) for p, grades in labels["relevance"].items() for q, g in grades.items()],
                       columns=["project_id", "product_id", "grade"])
    return ValidationSet(projects_frame(doc.projects, enterprises), products_frame(doc.products, institutions),
                         sectors, labels["product_focus"], rel)


# ---- sector understanding ------------------------------------------------------------------------

def sector_report(predicted: pd.DataFrame, truth: pd.Series) -> dict:
    """Accuracy, abstention, accuracy of what it does say, top-2 hit rate, per sector, confusion matrix."""
    pred = predicted.reindex(truth.index)
    ok = pred["sector"].to_numpy() == truth.to_numpy()
    said = ~pred["uncertain"].to_numpy(dtype=bool)
    top2 = ok | (pred["second"].to_numpy() == truth.to_numpy())
    per = {s: {"n": int((truth == s).sum()), "accuracy": float(ok[(truth == s).to_numpy()].mean())}
           for s in sorted(truth.unique())}
    confusion = pd.crosstab(truth.rename("truth"), pred["sector"].rename("predicted")).astype(int)
    wrong_confident = [pid for pid, o, s in zip(truth.index, ok, said, strict=True) if not o and s]
    return {"n": len(truth), "accuracy": float(ok.mean()), "abstention": float(1 - said.mean()),
            "accuracy_when_sure": float(ok[said].mean()) if said.any() else float("nan"),
            "top2": float(top2.mean()), "per_sector": per, "confusion": confusion,
            "confident_errors": wrong_confident}


def focus_report(found: dict[str, list[str]], truth: dict[str, list[str]]) -> dict:
    """Precision and recall of product focus read from prose, over the products the rubric labelled."""
    tp = sum(len(set(found.get(k, [])) & set(v)) for k, v in truth.items())
    fp = sum(len(set(found.get(k, [])) - set(v)) for k, v in truth.items())
    fn = sum(len(set(v) - set(found.get(k, []))) for k, v in truth.items())
    return {"precision": tp / (tp + fp) if tp + fp else float("nan"), "recall": tp / (tp + fn) if tp + fn else 0.0,
            "products": len(truth)}


# ---- ranking ---------------------------------------------------------------------------------

def candidates(result) -> pd.DataFrame:
    """The confirmed-eligible pairs every scorer ranks (the rows ``MatchResult.ranked`` may show)."""
    sub = result.scores.loc[~result.open_rows, ["project_id", "product_id", "family", "score"]].copy()
    return sub.reset_index(drop=True)


def _with_grades(pairs: pd.DataFrame, rel: pd.DataFrame) -> pd.DataFrame:
    graded = set(rel["project_id"])
    out = pairs[pairs["project_id"].isin(graded)].merge(rel, on=["project_id", "product_id"], how="left")
    out["label"] = out["grade"].fillna(0).astype(int)
    out["group"] = out["project_id"]
    return out


def baseline_scores(pairs: pd.DataFrame, projects: pd.DataFrame, products: pd.DataFrame,
                    seed: int) -> dict[str, np.ndarray]:
    """random eligible; sector equality; sector equality + requested family (ties broken at random)."""
    rng = np.random.default_rng(seed)
    jitter = rng.random(len(pairs)) * 1e-3
    sector = projects["sector"].where(projects["sector"].notna(), projects.get("inferred_sector"))
    proj_sector = sector.reindex(pairs["project_id"]).to_numpy(dtype=object)
    prod_sectors = products["sectors"].reindex(pairs["product_id"]).to_numpy(dtype=object)
    equal = np.array([float(bool(ss) and s in ss) for s, ss in zip(proj_sector, prod_sectors, strict=True)])
    wanted = projects["funding_types"].reindex(pairs["project_id"]).to_numpy(dtype=object)
    requested = np.array([float(not w or f in w) for w, f in zip(wanted, pairs["family"], strict=True)])
    return {"random_eligible": rng.random(len(pairs)), "sector_equality": equal + jitter,
            "requested_family": requested + jitter, "family_then_sector": 2 * requested + equal + jitter}


def ranking_report(scorers: dict[str, PairScorer], data: ValidationSet | None = None) -> pd.DataFrame:
    """NDCG@5 / NDCG@10 and the share of top-5 slots in a requested family, per scorer and baseline."""
    data = data or load_validation_set()
    rows = []
    base_frames: list[dict[str, np.ndarray]] = []
    pairs = None
    for name, scorer in scorers.items():
        result = MatchEngine(scorer, today=TODAY).run(data.projects, data.products)
        cand = _with_grades(candidates(result), data.relevance)
        rows.append({"scorer": name, **_metrics(cand, "score", result.projects)})
        if pairs is None:
            pairs, enriched = cand, result.projects
    assert pairs is not None
    for seed in range(RANDOM_SEEDS):
        base_frames.append(baseline_scores(pairs, enriched, data.products, seed))
    for name in base_frames[0]:
        vals = [_metrics(pairs.assign(score=b[name]), "score", enriched) for b in base_frames]
        rows.append({"scorer": name, **{k: float(np.mean([v[k] for v in vals])) for k in vals[0]}})
    return pd.DataFrame(rows)


def _metrics(df: pd.DataFrame, score: str, projects: pd.DataFrame) -> dict[str, float]:
    order = df.sort_values(["group", score], ascending=[True, False], kind="stable")
    top = order.groupby("group", sort=False).head(5)
    wanted = projects["funding_types"].reindex(top["project_id"]).to_numpy(dtype=object)
    stated = [bool(w) for w in wanted]
    inside = [f in w for w, f, s in zip(wanted, top["family"], stated, strict=True) if s]
    return {"ndcg@5": ndcg_at_k(df, 5, score), "ndcg@10": ndcg_at_k(df, 10, score),
            "top5_in_requested": float(np.mean(inside)) if inside else float("nan"),
            "groups": float(df["group"].nunique())}


# ---- the report printed by ``finmatch evaluate`` ------------------------------------------------

SCORER_NAMES = {"prior": "知识先验", "model": "学习模型", "random_eligible": "随机（合格产品内）",
                "sector_equality": "领域相同优先", "requested_family": "意向融资方式优先",
                "family_then_sector": "意向方式 + 领域相同"}


def day_one_scorer(use_embeddings: bool, embedding_cache: str | Path | None) -> PairScorer:
    """The cold-start prior as a fresh deployment builds it (no stored projects)."""
    from features.cold_start import ColdStartText, prior_scorer

    text = ColdStartText(use_embeddings=use_embeddings, embedding_cache=embedding_cache).fit(pd.DataFrame())
    return prior_scorer(text)


def sector_understanding_report(use_embeddings: bool, embedding_cache: str | Path | None,
                                data: ValidationSet | None = None) -> dict:
    from features.sector import SectorUnderstanding, infer_product_focus, understand_sectors

    data = data or load_validation_set()
    und = SectorUnderstanding(use_embeddings=use_embeddings,
                              embedding_cache=None if embedding_cache is None else str(embedding_cache))
    got = understand_sectors(data.projects, und)
    pred = pd.DataFrame({"sector": got["inferred_sector"], "second": got["sector_second"],
                         "uncertain": got["sector_uncertain"].astype(bool)})
    report = sector_report(pred, data.sectors)
    focus = infer_product_focus(data.products, und)
    found = {k: list(v) for k, v in focus["focus_sectors"].items() if focus.loc[k, "focus_inferred"]}
    report["product_focus"] = focus_report(found, data.product_focus)
    return report


def print_independent(console, use_embeddings: bool, embedding_cache: str | Path | None,
                      model: PairScorer | None = None) -> pd.DataFrame:
    """Sector understanding and prior vs model vs baselines on the independent set, side by side."""
    from rich.table import Table

    data = load_validation_set()
    rep = sector_understanding_report(use_embeddings, embedding_cache, data)
    mode = "词典 + 语义原型" if use_embeddings else "仅领域词典"
    console.print(f"独立验证集（{rep['n']} 个手写项目，未参与任何拟合）领域识别（{mode}）：准确率 {rep['accuracy']:.1%}，"
                  f"待确认（弃答）{rep['abstention']:.1%}，给出结论时准确率 {rep['accuracy_when_sure']:.1%}，"
                  f"前两名命中 {rep['top2']:.1%}；产品说明中的关注领域：精确率 "
                  f"{rep['product_focus']['precision']:.1%}、召回率 {rep['product_focus']['recall']:.1%}")
    t = Table(title="各领域准确率 / per sector")
    t.add_column("领域")
    t.add_column("n", justify="right")
    t.add_column("准确率", justify="right")
    from finmatch.enums import Sector

    for code, v in rep["per_sector"].items():
        t.add_row(Sector(code).label, str(v["n"]), f"{v['accuracy']:.0%}")
    console.print(t)
    console.print("混淆矩阵（行：标注，列：推断）/ confusion matrix")
    console.print(rep["confusion"].rename(index=lambda c: Sector(c).label, columns=lambda c: Sector(c).label)
                  .to_string())
    scorers: dict[str, PairScorer] = {"prior": day_one_scorer(use_embeddings, embedding_cache)}
    if model is not None:
        scorers["model"] = model
    table = ranking_report(scorers, data)
    rt = Table(title="独立验证集排序（25 个项目按评分细则分级）/ independent set ranking")
    for c in ("scorer", "ndcg@5", "ndcg@10", "top5_in_requested", "groups"):
        rt.add_column(c, justify="left" if c == "scorer" else "right")
    for _, r in table.iterrows():
        rt.add_row(f"{r['scorer']}（{SCORER_NAMES.get(r['scorer'], r['scorer'])}）", f"{r['ndcg@5']:.4f}",
                   f"{r['ndcg@10']:.4f}", f"{r['top5_in_requested']:.1%}", f"{int(r['groups'])}")
    console.print(rt)
    return table

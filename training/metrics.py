"""Ranking metrics as plain functions over a DataFrame with columns ``group``, ``label``, ``score``.

NDCG uses linear gains (the label itself) and log2 discounts, as ``sklearn.metrics.ndcg_score`` does;
ties in score are broken by row order. Binary relevance (MAP, recall) means label ≥ 1 (a meeting).
Groups without any relevant item are left out of every mean: their NDCG is undefined and they say
nothing about the order. Coverage is the share of the catalogue that appears in at least one top-k.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GROUP, LABEL, SCORE = "group", "label", "score"


def _ranked(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rows sorted by group then ``by`` descending (stable), with a 1-based ``rank`` per group."""
    order = np.lexsort((np.arange(len(df)), -df[by].to_numpy(dtype=float), df[GROUP].to_numpy()))
    out = df.iloc[order][[GROUP, LABEL]].copy()
    out["rank"] = out.groupby(GROUP, sort=False).cumcount().to_numpy() + 1
    return out


def _relevant_groups(df: pd.DataFrame) -> pd.Index:
    pos = df[df[LABEL] > 0][GROUP]
    return pd.Index(pos.unique())


def _only_relevant(df: pd.DataFrame) -> pd.DataFrame:
    return df[df[GROUP].isin(_relevant_groups(df))]


def per_group_ndcg(df: pd.DataFrame, k: int, score: str = SCORE) -> pd.Series:
    df = _only_relevant(df)
    disc = lambda r: 1.0 / np.log2(r + 1.0)  # noqa: E731
    got = _ranked(df, score)
    got = got[got["rank"] <= k]
    dcg = (got[LABEL] * disc(got["rank"])).groupby(got[GROUP]).sum()
    ideal = _ranked(df.assign(_ideal=df[LABEL].astype(float)), "_ideal")
    ideal = ideal[ideal["rank"] <= k]
    idcg = (ideal[LABEL] * disc(ideal["rank"])).groupby(ideal[GROUP]).sum()
    return (dcg.reindex(idcg.index, fill_value=0.0) / idcg).rename("ndcg")


def ndcg_at_k(df: pd.DataFrame, k: int = 5, score: str = SCORE) -> float:
    vals = per_group_ndcg(df, k, score)
    return float(vals.mean()) if len(vals) else float("nan")


def map_at_k(df: pd.DataFrame, k: int = 5, score: str = SCORE) -> float:
    df = _only_relevant(df)
    if df.empty:
        return float("nan")
    got = _ranked(df, score)
    got["rel"] = (got[LABEL] > 0).astype(float)
    got["hits"] = got.groupby(GROUP, sort=False)["rel"].cumsum()
    top = got[got["rank"] <= k]
    ap_sum = (top["rel"] * top["hits"] / top["rank"]).groupby(top[GROUP]).sum()
    n_rel = got.groupby(GROUP)["rel"].sum().clip(upper=k)
    return float((ap_sum.reindex(n_rel.index, fill_value=0.0) / n_rel).mean())


def recall_at_k(df: pd.DataFrame, k: int = 10, score: str = SCORE) -> float:
    df = _only_relevant(df)
    if df.empty:
        return float("nan")
    got = _ranked(df, score)
    got["rel"] = (got[LABEL] > 0).astype(float)
    hit = got[got["rank"] <= k].groupby(GROUP)["rel"].sum()
    total = got.groupby(GROUP)["rel"].sum()
    return float((hit.reindex(total.index, fill_value=0.0) / total).mean())


def coverage_at_k(df: pd.DataFrame, k: int = 5, score: str = SCORE, catalogue: int | None = None) -> float:
    """Share of products (``product_id`` column; all candidates when ``catalogue`` is None) in some top-k."""
    if df.empty:
        return float("nan")
    order = np.lexsort((np.arange(len(df)), -df[score].to_numpy(dtype=float), df[GROUP].to_numpy()))
    ranked = df.iloc[order]
    rank = ranked.groupby(GROUP, sort=False).cumcount().to_numpy() + 1
    shown = ranked.loc[rank <= k, "product_id"].nunique()
    total = catalogue if catalogue else df["product_id"].nunique()
    return float(shown / total)


def all_metrics(df: pd.DataFrame, score: str = SCORE, catalogue: int | None = None) -> dict[str, float]:
    """NDCG@5, NDCG@10, MAP@5, Recall@10, coverage@5 and the number of groups with a relevant item."""
    return {"ndcg@5": ndcg_at_k(df, 5, score), "ndcg@10": ndcg_at_k(df, 10, score),
            "map@5": map_at_k(df, 5, score), "recall@10": recall_at_k(df, 10, score),
            "coverage@5": coverage_at_k(df, 5, score, catalogue), "groups": float(len(_relevant_groups(df)))}


def metrics_by_family(df: pd.DataFrame, score: str = SCORE) -> dict[str, dict[str, float]]:
    """The same metrics within each product family (each group restricted to that family's products)."""
    return {str(fam): all_metrics(sub, score) for fam, sub in df.groupby("family", sort=True)}

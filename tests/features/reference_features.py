"""The pair feature matrix as ``PairFeatureBuilder.transform_positions`` computed it before the speed work of
issue 15 (frozen: do not edit). It reads the builder's fitted state (text models, rate medians, institution
cities, outcome log) through the builder's unchanged methods, and everything the speed work touched through
frozen copies: ``reference_pair_columns`` / ``reference_pair_history`` (structured and history features),
``reference_prior_arrays`` (the prior-score feature), ``reference_sector_lexicon`` and the functions below
(sector understanding of blank-sector projects, product focus, the text features, the assembly).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd

from features.text import product_text, project_text
from features.tokenize import normalise
from tests.features import reference_pair_columns as C
from tests.features import reference_pair_history as H
from tests.features import reference_prior_arrays as A
from tests.features.reference_sector_lexicon import LEXICON_PATH, SECTORS, _load

_LEXICON = None


def _lexicon() -> Any:
    global _LEXICON
    if _LEXICON is None:
        _LEXICON = _load(LEXICON_PATH)
    return _LEXICON


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _clean_texts(texts: pd.Series | list[str]) -> list[str]:
    return [normalise("" if _blank(t) else str(t)) for t in texts]


def _lexicon_scores(texts: list[str], names: list | None = None) -> np.ndarray:
    lex = _lexicon()
    names = names if names is not None else [None] * len(texts)
    if not texts:
        return np.zeros((0, len(SECTORS)))
    return np.vstack([lex.score(t, n) for t, n in zip(texts, names, strict=True)])


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _lexicon_weight() -> float:
    from features.sector import CALIBRATION_PATH

    return float(json.loads(CALIBRATION_PATH.read_text("utf-8"))["lexicon_only"]["a"])


def _blend(base: np.ndarray, classifier: Any, texts: pd.Series, weight: float) -> np.ndarray:
    weight = float(min(max(weight, 0.0), 0.5))
    if weight == 0.0 or len(base) == 0:
        return base
    clf = classifier.predict_proba(texts)
    aligned = np.zeros_like(base)
    for k, c in enumerate(classifier.classes_):
        aligned[:, SECTORS.index(str(c))] = clf[:, k]
    return (1 - weight) * base + weight * aligned


def understand_sectors(projects: pd.DataFrame, classifier: Any = None, weight: float = 0.0,
                       threshold: float = 0.6) -> pd.DataFrame:
    """``features.sector.understand_sectors`` with the lexicon-only understanding, as it was."""
    out = projects.copy()
    blank = out["sector"].map(_blank).to_numpy(dtype=bool) if "sector" in out else np.ones(len(out), bool)
    out["inferred_sector"] = pd.Series(np.nan, index=out.index, dtype=object)
    out["sector_confidence"] = np.nan
    out["sector_second"] = pd.Series(np.nan, index=out.index, dtype=object)
    out["sector_second_confidence"] = np.nan
    out["sector_uncertain"] = False
    if blank.any():
        sub = out.loc[blank]
        texts = project_text(sub)
        names = sub.get("name")
        x = _clean_texts(texts)
        n = [None] * len(x) if names is None else [None if _blank(v) else normalise(str(v)) for v in names]
        proba = _softmax(_lexicon_weight() * _lexicon_scores(x, n) + 0.0) if x else np.zeros((0, len(SECTORS)))
        if classifier is not None:
            proba = _blend(proba, classifier, texts, weight)
        order = np.argsort(-proba, axis=1, kind="stable")
        rows = np.arange(len(proba))
        top, second = order[:, 0], order[:, 1]
        conf = proba[rows, top]
        out.loc[blank, "inferred_sector"] = np.asarray(SECTORS, dtype=object)[top]
        out.loc[blank, "sector_confidence"] = conf.astype(float)
        out.loc[blank, "sector_second"] = np.asarray(SECTORS, dtype=object)[second]
        out.loc[blank, "sector_second_confidence"] = proba[rows, second].astype(float)
        out.loc[blank, "sector_uncertain"] = conf < threshold
    return out


def enrich(builder: Any, projects: pd.DataFrame) -> pd.DataFrame:
    """``PairFeatureBuilder.enrich_projects`` as it was (embeddings off)."""
    if "inferred_sector" in projects.columns:
        return projects
    weight = float(getattr(builder, "sector_blend_", 0.0))
    classifier = getattr(builder, "sector_classifier_", None) if weight > 0 else None
    assert not (builder._embeddings_active() and getattr(builder, "_embedding_cache", None) is not None)
    return understand_sectors(projects, classifier, weight)


def product_focus(products: pd.DataFrame) -> pd.DataFrame:
    """``features.sector.infer_product_focus`` with the default (lexicon) understanding, as it was."""
    out = products.copy()
    stated = [list(v) if isinstance(v, (list, tuple)) and len(v) else [] for v in
              (out["sectors"] if "sectors" in out else [None] * len(out))]
    need = [i for i, s in enumerate(stated) if not s]
    focus = [list(s) for s in stated]
    inferred = [False] * len(out)
    if need:
        scores = _lexicon_scores(_clean_texts(product_text(out.iloc[need])))
        for i, row in zip(need, scores, strict=True):
            best = row.max() if len(row) else 0.0
            f = [SECTORS[j] for j in np.argsort(-row, kind="stable") if row[j] >= 3.0 and row[j] >= 0.5 * best]
            focus[i], inferred[i] = f, bool(f)
    out["focus_sectors"] = pd.Series(focus, index=out.index, dtype=object)
    out["focus_inferred"] = inferred
    return out


def text_features(builder: Any, projects: pd.DataFrame, products: pd.DataFrame, sectors: list[str | None],
                  pi: np.ndarray, qj: np.ndarray) -> dict[str, np.ndarray]:
    n = len(pi)
    if n == 0:
        return {k: np.zeros(0) for k in ("bm25", "bm25_norm", "text_sector_affinity", "embedding_cosine")}
    models = builder._text_for(products)
    text_col = np.asarray(models["bm25"].product_ids_.get_indexer(products.index), dtype=np.int64)
    aff = models.get("sector_affinity")
    affinity_row = (np.asarray(aff.index.get_indexer(products.index), dtype=np.int64) if aff is not None
                    else np.full(len(products), -1, dtype=np.int64))
    used = np.unique(pi)
    row_of = np.full(len(projects), -1, dtype=np.int64)
    row_of[used] = np.arange(len(used))
    texts = project_text(projects.iloc[used])
    rows = row_of[pi]
    cols = text_col[qj]
    assert (cols >= 0).all()
    raw = models["bm25"].score_matrix(texts).to_numpy(dtype=float)
    top = raw.max(axis=1) if raw.shape[1] else np.zeros(len(raw))
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = raw / np.where(top == 0.0, np.nan, top)[:, None]
    norm[np.isnan(norm)] = 0.0
    out = {"bm25": raw[rows, cols], "bm25_norm": norm[rows, cols],
           "embedding_cosine": np.full(n, np.nan), "text_sector_affinity": np.full(n, np.nan)}
    if aff is not None:
        acol = aff.columns.get_indexer(pd.Index(sectors, dtype=object))[pi]
        arow = affinity_row[qj]
        ok = (arow >= 0) & (acol >= 0)
        out["text_sector_affinity"][ok] = aff.to_numpy()[arow[ok], acol[ok]]
    assert not (builder._embeddings_active() and models.get("embedding") is not None)
    return out


def prior_feature(projects: pd.DataFrame, products: pd.DataFrame, pi: np.ndarray, qj: np.ndarray,
                  bm25_norm: np.ndarray | None) -> np.ndarray:
    if len(pi) == 0:
        return np.zeros(0)
    text = None if bm25_norm is None else np.clip(np.nan_to_num(np.asarray(bm25_norm, dtype=float)), 0, 1)
    side = A.product_terms(products)
    used, row = np.unique(pi, return_inverse=True)
    terms = A.pair_terms(A.project_terms(projects, used, side), side, row.reshape(-1), qj)
    terms["text_similarity"] = np.nan_to_num(np.zeros(len(pi)) if text is None else text)
    weights = {"family_fit": 0.25, "sector_focus": 0.20, "ticket_fit": 0.20, "purpose": 0.20,
               "text_similarity": 0.15}
    comp = {k: np.asarray(terms[k], dtype=float) for k in ("intent", *weights)}
    fit = sum(np.asarray(comp[k]) * w for k, w in weights.items())
    return np.asarray(0.5 * np.asarray(comp["intent"]) + (1 - 0.5) * fit, dtype=float)


def feature_dict(builder: Any, projects: pd.DataFrame, products: pd.DataFrame, pi: np.ndarray, qj: np.ndarray,
                 as_of: dt.date | None = None, exclude_event: str | None = None) -> dict[str, np.ndarray]:
    projects = enrich(builder, projects)
    today = as_of or builder._today or dt.date.today()
    qc = C.product_columns(products, builder.rate_median_, builder.institution_city_)
    pc = C.project_columns(projects, today)
    f = C.pair_columns(pc, qc, pi, qj)
    f.update(text_features(builder, projects, products, pc.sector, pi, qj))
    focused = products if "focus_sectors" in products.columns else product_focus(products)
    f["prior_score"] = prior_feature(projects, focused, pi, qj, f.get("bm25_norm"))
    stats = builder._history_stats(as_of, exclude_event)
    ids = list(pd.Index(products.index.astype(str) if len(products) else products.index))
    tables = H.history_tables(stats, qc.institution, ids)
    f.update(H.history_columns(tables, pc.sector, pc.city, pi, qj))
    return f


def reference_feature_matrix(builder: Any, projects: pd.DataFrame, products: pd.DataFrame, pi: np.ndarray,
                             qj: np.ndarray, as_of: dt.date | None = None,
                             exclude_event: str | None = None) -> np.ndarray:
    """The (n, len(feature_names_)) matrix the old ``transform_positions`` returned."""
    pi, qj = np.asarray(pi, dtype=np.int64), np.asarray(qj, dtype=np.int64)
    f = feature_dict(builder, projects, products, pi, qj, as_of, exclude_event)
    out = np.empty((len(pi), len(builder.feature_names_)), dtype=float)
    for k, name in enumerate(builder.feature_names_):
        out[:, k] = f[name]
    return out

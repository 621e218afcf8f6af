"""Sector understanding for projects whose ``sector`` is blank, and product focus for products without ``sectors``.

Two parts. :class:`SectorUnderstanding` works out of the box, with no stored data and no trained model:
weighted domain-term matching (``features.sector_lexicon``) plus, when embeddings are on, zero-shot e5
similarity to per-sector prototype descriptions (``features.sector_prototypes``), combined as
``softmax(a·lexicon + b·prototype_z)`` with ``a``, ``b`` calibrated on labelled text (the shipped values
in ``resources/sector_calibration.json`` were fitted on the generator's sample projects, never on the
independent validation set). Below :data:`SECTOR_CONFIRM_CONFIDENCE` the answer is "uncertain" and the
top two candidates are given. :class:`SectorClassifier` (TF-IDF + logistic regression on stored
projects) may be blended in by the caller; it never replaces the out-of-the-box model.
"""

from __future__ import annotations

import copy
import json
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

from features.pair_columns import project_texts
from features.sector_lexicon import SECTORS, lexicon_scores, load_lexicon
from features.sector_prototypes import make_embedder, prototype_similarity, zscore
from features.text import product_text, project_text
from features.tokenize import analyzer, normalise
from finmatch.eligibility.prepare import SECTOR_CONFIRM_CONFIDENCE
from finmatch.eligibility.values import FrameColumns
from finmatch.enums import Sector
from finmatch.exceptions import ModelUnavailableError

log = logging.getLogger(__name__)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _clean_texts(texts: pd.Series | list[str]) -> list[str]:
    return [normalise("" if _blank(t) else str(t)) for t in texts]


class SectorClassifier(BaseEstimator):
    """``fit(texts, sectors)`` on labelled projects; ``predict(texts)`` → sector code and confidence."""

    def __init__(self, C: float = 10.0, char_ngrams: tuple[int, int] = (2, 3), min_df: int = 1,
                 max_iter: int = 2000, random_state: int = 0) -> None:
        self.C = C
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.max_iter = max_iter
        self.random_state = random_state

    def _pipeline(self) -> Pipeline:
        words = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=self.min_df)
        chars = TfidfVectorizer(analyzer="char", ngram_range=self.char_ngrams, sublinear_tf=True,
                                min_df=self.min_df)
        return Pipeline([
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            ("clf", LogisticRegression(C=self.C, max_iter=self.max_iter, random_state=self.random_state)),
        ])

    def fit(self, texts: pd.Series, sectors: pd.Series) -> SectorClassifier:
        labels = [None if _blank(s) else Sector.parse(s).value for s in sectors]
        keep = [i for i, s in enumerate(labels) if s is not None]
        if len({labels[i] for i in keep}) < 2:
            raise ValueError("训练领域分类器至少需要两个领域的已标注项目 / need labelled projects from 2+ sectors")
        x = _clean_texts(texts)
        self.pipeline_ = self._pipeline().fit([x[i] for i in keep], [labels[i] for i in keep])
        self.classes_ = np.asarray(self.pipeline_.classes_)
        self.n_train_ = len(keep)
        return self

    def predict_proba(self, texts: pd.Series | list[str]) -> np.ndarray:
        check_is_fitted(self)
        return self.pipeline_.predict_proba(_clean_texts(texts))

    def predict(self, texts: pd.Series | list[str]) -> pd.DataFrame:
        """One row per text (index kept for a Series): ``sector`` code and ``confidence`` in [0, 1]."""
        index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(texts))
        if len(index) == 0:
            return pd.DataFrame({"sector": pd.Series(dtype=object), "confidence": pd.Series(dtype=float)})
        proba = self.predict_proba(texts)
        best = proba.argmax(axis=1)
        return pd.DataFrame({"sector": self.classes_[best].astype(object),
                             "confidence": proba[np.arange(len(best)), best].astype(float)}, index=index)

    def score(self, texts: pd.Series, sectors: pd.Series) -> float:
        """Accuracy against stated sectors (codes or Chinese labels)."""
        truth = np.asarray([Sector.parse(s).value for s in sectors], dtype=object)
        return float((self.predict(texts)["sector"].to_numpy() == truth).mean())


def inference_reason(sector: str, confidence: float) -> str:
    """The sentence shown to users, e.g. 所属领域根据项目简介推断为 新能源及储能 (置信度 0.91)."""
    return f"所属领域根据项目简介推断为 {Sector.parse(sector).label} (置信度 {confidence:.2f})"


def infer_sectors(projects: pd.DataFrame, classifier: SectorClassifier) -> pd.DataFrame:
    """Copy of ``projects`` with ``inferred_sector`` / ``sector_confidence`` filled where ``sector`` is blank.

    Stated sectors are left alone; their rows get NaN in both new columns.
    """
    out = projects.copy()
    blank = out["sector"].map(_blank).to_numpy(dtype=bool) if "sector" in out else np.ones(len(out), bool)
    out["inferred_sector"] = pd.Series(np.nan, index=out.index, dtype=object)
    out["sector_confidence"] = np.nan
    if blank.any():
        pred = classifier.predict(project_text(out.loc[blank]))
        out.loc[blank, "inferred_sector"] = pred["sector"].to_numpy()
        out.loc[blank, "sector_confidence"] = pred["confidence"].to_numpy()
    return out


# ---- out-of-the-box sector understanding ----------------------------------------------------------

CALIBRATION_PATH = Path(str(resources.files("features") / "resources" / "sector_calibration.json"))
FOCUS_MIN_SCORE = 3.0  # product focus: a sector needs this much lexicon weight (one defining term) …
FOCUS_RELATIVE = 0.5  # … and at least half the best sector's weight


def shipped_calibration() -> dict[str, Any]:
    """The calibrated combination weights shipped with the package (see the JSON for what they were fitted on);
    read again only when the file changes (every sector inference asks for them)."""
    return copy.deepcopy(_shipped())


_CALIBRATION: dict[str, Any] = {}


def _shipped() -> dict[str, Any]:
    stamp = CALIBRATION_PATH.stat().st_mtime_ns
    if _CALIBRATION.get("stamp") != stamp:
        _CALIBRATION.update(stamp=stamp, value=json.loads(CALIBRATION_PATH.read_text("utf-8")))
    return _CALIBRATION["value"]


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _texts_and_names(texts: pd.Series | list[str], names: pd.Series | list[str] | None) -> tuple[list[str], list]:
    clean = _clean_texts(texts)
    if names is None:
        return clean, [None] * len(clean)
    return clean, [None if _blank(n) else normalise(str(n)) for n in names]


class SectorUnderstanding(BaseEstimator):
    """Lexicon + prototype-embedding sector inference, calibrated to a confidence; works unfitted.

    ``fit(texts, sectors)`` re-calibrates the two combination weights on labelled text (optional: the
    shipped weights are used otherwise). ``embedding_cache`` is a path (the embedder is built per call,
    so the object holds only plain data); ``use_embeddings=False`` is the lexicon-only mode.
    """

    def __init__(self, use_embeddings: bool = True, embedding_cache: str | None = None,
                 threshold: float = SECTOR_CONFIRM_CONFIDENCE) -> None:
        self.use_embeddings = use_embeddings
        self.embedding_cache = embedding_cache
        self.threshold = threshold

    # -- parts ------------------------------------------------------------------------------------
    def lexicon_part(self, texts: list[str], names: list) -> np.ndarray:
        return lexicon_scores(texts, names)

    def embedding_part(self, texts: list[str], embedder: Any | None = None) -> np.ndarray | None:
        if not self.use_embeddings:
            return None
        try:
            return zscore(prototype_similarity(texts, embedder or make_embedder(self.embedding_cache)))
        except ModelUnavailableError as exc:  # the lexicon still answers; say so once in the log
            log.warning("sector understanding without embeddings: %s", exc.message)
            return None

    def _weights(self, with_embeddings: bool) -> tuple[float, float]:
        a = getattr(self, "a_", None)
        if a is not None:
            return (self.a_, self.b_) if with_embeddings else (self.a_lexicon_, 0.0)
        cal = _shipped()
        if with_embeddings:
            return float(cal["with_embeddings"]["a"]), float(cal["with_embeddings"]["b"])
        return float(cal["lexicon_only"]["a"]), 0.0

    def fit(self, texts: pd.Series | list[str], sectors: pd.Series | list[str],
            names: pd.Series | list[str] | None = None,
            sample_weight: np.ndarray | None = None) -> SectorUnderstanding:
        """Fit ``a`` (lexicon) and ``b`` (prototype z-score) by weighted maximum likelihood on labelled texts."""
        x, n = _texts_and_names(texts, names)
        y = np.array([SECTORS.index(Sector.parse(s).value) for s in sectors])
        sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        sw = sw / sw.sum()
        lex = self.lexicon_part(x, n)
        emb = self.embedding_part(x)

        def nll(w: np.ndarray, with_emb: bool) -> float:
            logits = w[0] * lex + (w[1] * emb if with_emb and emb is not None else 0.0)
            p = _softmax(logits)[np.arange(len(y)), y]
            return float(-(sw * np.log(np.clip(p, 1e-12, 1))).sum())

        self.a_lexicon_ = float(minimize(lambda w: nll(np.array([w[0], 0.0]), False), x0=[0.5],
                                         bounds=[(0.0, 10.0)]).x[0])
        if emb is not None:
            w = minimize(lambda w: nll(w, True), x0=[0.5, 1.0], bounds=[(0.0, 10.0), (0.0, 10.0)]).x
            self.a_, self.b_ = float(w[0]), float(w[1])
        else:
            self.a_, self.b_ = self.a_lexicon_, 0.0
        self.n_calibration_ = len(y)
        return self

    # -- inference --------------------------------------------------------------------------------
    def predict_proba(self, texts: pd.Series | list[str], names: pd.Series | list[str] | None = None,
                      embedder: Any | None = None) -> np.ndarray:
        """``(n, 11)`` calibrated probabilities, columns in ``SECTORS`` order (uniform when nothing is known)."""
        x, n = _texts_and_names(texts, names)
        if not x:
            return np.zeros((0, len(SECTORS)))
        lex = self.lexicon_part(x, n)
        emb = self.embedding_part(x, embedder)
        a, b = self._weights(emb is not None)
        logits = a * lex + (b * emb if emb is not None else 0.0)
        return _softmax(logits)

    @property
    def classes_(self) -> np.ndarray:
        return np.asarray(SECTORS, dtype=object)

    def predict(self, texts: pd.Series | list[str], names: pd.Series | list[str] | None = None,
                proba: np.ndarray | None = None) -> pd.DataFrame:
        """Per text: ``sector``, ``confidence``, ``second``, ``second_confidence``, ``uncertain``."""
        index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(texts))
        p = self.predict_proba(texts, names) if proba is None else proba
        cols = ["sector", "confidence", "second", "second_confidence", "uncertain"]
        if len(p) == 0:
            return pd.DataFrame(columns=cols, index=index)
        top, conf, second, second_conf = _top_two(p)
        return pd.DataFrame({"sector": top, "confidence": conf.astype(float), "second": second,
                             "second_confidence": second_conf.astype(float),
                             "uncertain": conf < self.threshold}, index=index)

    def evidence(self, text: str, sector: str, k: int = 3) -> list[str]:
        """The domain terms in the text that point to ``sector`` (for the reason shown)."""
        return load_lexicon().evidence(normalise(text), sector, k)

    def product_focus(self, texts: pd.Series | list[str]) -> list[list[str]]:
        """Sectors a product's prose names as its focus (empty = general-purpose), from the lexicon.

        A product text often lists several sectors (投资人工智能、芯片设计、工业软件…), so this is
        multi-label: every sector with a defining term and at least half the best sector's weight.
        Generic products (科创信用贷) name none and stay open to all.
        """
        x = _clean_texts(texts)
        scores = lexicon_scores(x)
        out = []
        for row in scores:
            best = row.max() if len(row) else 0.0
            keep = [SECTORS[j] for j in np.argsort(-row, kind="stable")
                    if row[j] >= FOCUS_MIN_SCORE and row[j] >= FOCUS_RELATIVE * best]
            out.append(keep)
        return out


def blend_proba(base: np.ndarray, classifier: SectorClassifier, texts: pd.Series | list[str],
                weight: float) -> np.ndarray:
    """Mix a classifier trained on stored projects into the out-of-the-box probabilities (weight ≤ 0.5)."""
    weight = float(min(max(weight, 0.0), 0.5))
    if weight == 0.0 or len(base) == 0:
        return base
    clf = classifier.predict_proba(texts)
    aligned = np.zeros_like(base)
    for k, c in enumerate(classifier.classes_):
        aligned[:, SECTORS.index(str(c))] = clf[:, k]
    return (1 - weight) * base + weight * aligned


def understand_sectors(projects: pd.DataFrame, understanding: SectorUnderstanding,
                       classifier: SectorClassifier | None = None, classifier_weight: float = 0.0,
                       embedder: Any | None = None) -> pd.DataFrame:
    """Copy of ``projects`` with the inferred sector, its confidence and the runner-up for blank sectors.

    Adds ``inferred_sector``, ``sector_confidence``, ``sector_second``, ``sector_second_confidence`` and
    ``sector_uncertain`` (stated sectors: NaN / False). The five columns are built as arrays and joined to
    the frame once (each pandas column assignment costs ~0.1 ms, a request's frame is one row).
    """
    n = len(projects)
    cols = FrameColumns(projects)
    blank = (np.array([_blank(v) for v in cols.objects("sector").tolist()], dtype=bool) if cols.has("sector")
             else np.ones(n, bool))
    inferred, second = np.full(n, np.nan, dtype=object), np.full(n, np.nan, dtype=object)
    confidence, second_confidence = np.full(n, np.nan), np.full(n, np.nan)
    uncertain = np.zeros(n, dtype=bool)
    if blank.any():
        rows = np.flatnonzero(blank)
        texts = project_texts(cols, rows)
        names = cols.objects("name")[rows].tolist() if cols.has("name") else None
        proba = understanding.predict_proba(texts, names, embedder)
        if classifier is not None:
            proba = blend_proba(proba, classifier, texts, classifier_weight)
        top, conf, runner, runner_conf = _top_two(proba)
        inferred[rows], confidence[rows] = top, conf.astype(float)
        second[rows], second_confidence[rows] = runner, runner_conf.astype(float)
        uncertain[rows] = conf < understanding.threshold
    index = projects.index
    added = {"inferred_sector": pd.Series(inferred, index=index, dtype=object), "sector_confidence": confidence,
             "sector_second": pd.Series(second, index=index, dtype=object),
             "sector_second_confidence": second_confidence, "sector_uncertain": uncertain}
    if any(cols.has(c) for c in added):  # overwrite in place, as column assignments do
        out = projects.copy()
        for c, v in added.items():
            out[c] = v
        return out
    return pd.concat([projects, pd.DataFrame(added, index=index, copy=False)], axis=1)


def _top_two(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The best and second sector of each row of probabilities (codes as objects) and their values."""
    order = np.argsort(-p, axis=1, kind="stable")
    rows = np.arange(len(p))
    top, second = order[:, 0], order[:, 1]
    codes = np.asarray(SECTORS, dtype=object)
    return codes[top], p[rows, top], codes[second], p[rows, second]


def infer_product_focus(products: pd.DataFrame, understanding: SectorUnderstanding | None = None) -> pd.DataFrame:
    """Copy of ``products`` with ``focus_sectors``: the stated ``sectors`` or, when empty, the text's focus.

    ``focus_inferred`` says which came from the text. Eligibility never reads this column (a product's
    stated ``sectors`` alone are a constraint); the prior and the reasons do.
    """
    out = products.copy()
    und = understanding or SectorUnderstanding(use_embeddings=False)
    stated = [list(v) if isinstance(v, (list, tuple)) and len(v) else [] for v in
              (out["sectors"] if "sectors" in out else [None] * len(out))]
    need = [i for i, s in enumerate(stated) if not s]
    focus = [list(s) for s in stated]
    inferred = [False] * len(out)
    if need:
        found = und.product_focus(product_text(out.iloc[need]))
        for i, f in zip(need, found, strict=True):
            focus[i], inferred[i] = f, bool(f)
    out["focus_sectors"] = pd.Series(focus, index=out.index, dtype=object)
    out["focus_inferred"] = inferred
    return out

"""Sector inference from project text, for projects whose ``sector`` is blank.

TF-IDF over domain-aware jieba tokens (word uni/bi-grams) plus character 2–3-grams, then a multinomial
logistic regression: the character n-grams catch terms the dictionary does not know yet, the words keep
the domain terms whole. The predicted probability is reported as the confidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from features.text import project_text
from features.tokenize import analyzer, normalise
from finmatch.enums import Sector


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or (
        isinstance(value, str) and not value.strip())


def _clean_texts(texts: pd.Series | list[str]) -> list[str]:
    return [normalise("" if _blank(t) else str(t)) for t in texts]


class SectorClassifier:
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

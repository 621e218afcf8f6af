"""The pair feature builder: one fitted object computes every ranking feature, in training and serving.

Fit once on the catalogue (BM25 index, product embeddings, rate levels), the labelled projects (sector
classifier) and the outcome log (institution history). ``transform`` then turns (project, product) pairs
into a float frame with ``feature_names_`` columns. History features count only outcomes dated strictly
before ``as_of`` and never the event being scored, so training rows cannot see their own labels.
Product-side text work is redone only when a request brings a catalogue the builder has not seen.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from features.bm25 import BM25Similarity
from features.embedding_cache import Embedder
from features.pair_columns import blank, num, project_columns, project_texts, sector_series
from features.pair_history import HISTORY_FEATURES, history_columns  # noqa: F401 (re-exported)
from features.pair_reasons import reason_text
from features.pair_side import PairFeatures, ProductSide, add_history, add_structured, flat_take
from features.prior_feature import prior_feature
from features.sector import SectorClassifier, SectorUnderstanding, understand_sectors
from features.semantic import EmbeddingSimilarity
from features.text import catalogue_fingerprint, product_text, project_text
from features.tokenize import get_tokenizer
from finmatch.eligibility.values import FrameColumns
from finmatch.enums import OUTCOME_GRADE
from finmatch.matching.prior_arrays import Rows, used_rows

log = logging.getLogger(__name__)

STAGE_GRADE = OUTCOME_GRADE  # signed 3 · approved/due_diligence 2 · meeting 1 · others 0



class PairFeatureBuilder(BaseEstimator):
    """Fitted pair features (structured fit, text similarity, as-of institution history).

    Parameters are ``use_embeddings`` (fit the embedding similarity) and ``history_strength``; the
    deployment's runtime settings (embedding cache file, embedding model, "today", progress bars) are
    set with :meth:`bind_runtime` / :meth:`bind_embedding_model` and are neither parameters nor
    fitted state, so ``clone()`` and the model file never carry them.
    """

    # runtime settings, class-level defaults (instances override them in bind_runtime)
    _embedding_cache: Path | str | None = None
    _embedding_model: Any = None
    _today: dt.date | None = None
    _progress: bool = False
    _embeddings_on: bool | None = None  # None: as fitted (``use_embeddings``)
    _runtime_text: dict[str, Any] | None = None
    _columns_cache: list[ProductSide] | None = None  # product-side arrays per catalogue frame (runtime only)

    def __init__(self, use_embeddings: bool = True, history_strength: float = 5.0) -> None:
        self.use_embeddings = use_embeddings
        self.history_strength = history_strength

    # -- fitting -----------------------------------------------------------------------------------
    def fit(self, projects: pd.DataFrame, products: pd.DataFrame, outcomes: pd.DataFrame | None = None,
            institution_cities: dict[str, str] | None = None) -> PairFeatureBuilder:
        """``outcomes`` columns: project_id, product_id, event_id, stage, date."""
        self.institution_city_ = {k: v for k, v in (institution_cities or {}).items() if v}
        stated = projects["sector"].map(lambda v: not blank(v)) if len(projects) else pd.Series(dtype=bool)
        self.sector_classifier_: SectorClassifier | None = None
        if stated.sum() >= 10 and projects.loc[stated, "sector"].nunique() >= 2:
            texts = project_text(projects.loc[stated])
            self.sector_classifier_ = SectorClassifier().fit(texts, projects.loc[stated, "sector"])
        # blended into sector inference only when the stored projects are not the generator's alone
        n_stated = int(stated.sum())
        generated = bool(n_stated) and bool(projects.index[stated.to_numpy()].astype(str).str.fullmatch(r"XM\d{4,}").all())
        self.sector_blend_ = 0.0 if self.sector_classifier_ is None or generated else min(0.5, n_stated / (n_stated + 200))
        self.embeddings_used_ = bool(self.use_embeddings)
        self._fit_text(products)
        rates = pd.DataFrame({"family": products["family"].astype(str), "rate": num(products, "rate_pct")})
        self.rate_median_: dict[str, float] = rates.dropna().groupby("family")["rate"].median().to_dict()
        self.set_history(projects, products, outcomes)
        self.feature_names_: list[str] = list(self._features_frame(projects.iloc[:0], products.iloc[:0],
                                                                   pd.DataFrame(columns=["project_id", "product_id"]),
                                                                   None, None).columns)
        return self

    def set_history(self, projects: pd.DataFrame, products: pd.DataFrame,
                    outcomes: pd.DataFrame | None) -> PairFeatureBuilder:
        """(Re)load the outcome log the history features count from; nothing else is refitted."""
        self.history_ = self._history_log(self.enrich_projects(projects), products, outcomes)
        self.serving_stats_ = self._stats(None, None)
        return self

    def _text_models(self, products: pd.DataFrame) -> dict[str, Any]:
        texts = product_text(products)
        affinity = None
        if self.sector_classifier_ is not None and len(texts):
            affinity = pd.DataFrame(self.sector_classifier_.predict_proba(texts), index=texts.index,
                                    columns=self.sector_classifier_.classes_)
        return {"signature": catalogue_fingerprint(texts), "ids": set(texts.index), "sector_affinity": affinity,
                "bm25": BM25Similarity().fit(texts),
                "embedding": (EmbeddingSimilarity().set_embedder(self._embedder()).fit(texts)
                              if self._embeddings_active() else None)}

    def _fit_text(self, products: pd.DataFrame) -> None:
        self.text_ = self._text_models(products)
        self._runtime_text = None

    def _embedder(self) -> Embedder:
        return Embedder(model=self._embedding_model, cache_path=self._embedding_cache, progress=self._progress)

    def _embeddings_active(self) -> bool:
        return bool(self.use_embeddings if self._embeddings_on is None else self._embeddings_on)

    def bind_runtime(self, embedding_cache: Path | str | None = None, use_embeddings: bool | None = None,
                     today: dt.date | None = None, progress: bool = False) -> PairFeatureBuilder:
        """This deployment's embedding cache, whether embeddings are on, the date ages count from."""
        self._embedding_cache = embedding_cache
        self._today = today
        self._progress = progress
        fitted = getattr(self, "text_", None)
        if use_embeddings is not None:
            self._embeddings_on = bool(use_embeddings) and (fitted is None or fitted.get("embedding") is not None)
        if fitted is not None:
            emb = fitted.get("embedding")
            if emb is not None:
                emb.set_embedder(self._embedder())
            if self.embeddings_used_ and not self._embeddings_active():
                log.warning("model was trained with embeddings but they are off: embedding_cosine is NaN")
        self._runtime_text = None
        return self

    def bind_embedding_model(self, model: Any) -> None:
        """Use an already-loaded sentence-embedding model instead of loading one on first use."""
        self._embedding_model = model
        for text in (getattr(self, "text_", {}), self._runtime_text or {}):
            emb = text.get("embedding")
            if emb is not None:
                if emb.embedder is not None:
                    emb.embedder.model = model
                else:
                    emb.set_embedder(self._embedder())

    def __getstate__(self) -> dict[str, Any]:
        """Runtime caches (product-side arrays hold weak references) stay behind when the builder is
        sent to another process, e.g. to Dask workers; they are rebuilt there on first use."""
        state = self.__dict__.copy()
        state.pop("_columns_cache", None)
        return state

    def warm_up(self) -> None:
        """Load the jieba dictionary now rather than inside the first request."""
        get_tokenizer()

    # -- sector inference --------------------------------------------------------------------------
    def enrich_projects(self, projects: pd.DataFrame) -> pd.DataFrame:
        """Add inferred_sector / sector_confidence for blank sectors (stated ones get NaN)."""
        if "inferred_sector" in projects.columns:
            return projects
        # the out-of-the-box understanding (as the prior uses), the stored-project classifier blended in
        weight = float(getattr(self, "sector_blend_", 0.0))
        classifier = getattr(self, "sector_classifier_", None) if weight > 0 else None
        embed = self._embeddings_active() and getattr(self, "_embedding_cache", None) is not None
        understanding = SectorUnderstanding(use_embeddings=embed)
        return understand_sectors(projects, understanding, classifier, weight,
                                  embedder=self._embedder() if embed else None)

    # -- history -----------------------------------------------------------------------------------
    def _history_log(self, projects: pd.DataFrame, products: pd.DataFrame,
                     outcomes: pd.DataFrame | None) -> pd.DataFrame:
        cols = ["project_id", "product_id", "event_id", "institution_id", "sector", "city", "grade", "date"]
        if outcomes is None or len(outcomes) == 0:
            return pd.DataFrame(columns=cols)
        o = outcomes[outcomes["product_id"].isin(products.index) & outcomes["project_id"].isin(projects.index)]
        sector = sector_series(projects)
        out = pd.DataFrame({
            "project_id": o["project_id"].to_numpy(), "product_id": o["product_id"].to_numpy(),
            "event_id": o["event_id"].fillna("").astype(str).to_numpy(),
            "institution_id": products["institution_id"].reindex(o["product_id"]).to_numpy(),
            "sector": sector.reindex(o["project_id"]).to_numpy(),
            "city": projects["city"].reindex(o["project_id"]).to_numpy(),
            "grade": o["stage"].map(lambda s: STAGE_GRADE.get(str(s), 0)).to_numpy(dtype=int),
            "date": pd.to_datetime(o["date"]).dt.date.to_numpy()})
        return out[cols]

    def _stats(self, as_of: dt.date | None, exclude_event: str | None) -> dict[str, Any]:
        """Smoothed conversion rates from outcomes dated before ``as_of`` (all when None)."""
        h = self.history_
        if as_of is not None:
            h = h[h["date"] < as_of]
        if exclude_event:
            h = h[h["event_id"] != exclude_event]
        pairs = h.groupby(["event_id", "project_id", "product_id"], sort=False).agg(
            grade=("grade", "max"), institution_id=("institution_id", "first"), sector=("sector", "first"),
            city=("city", "first")).reset_index()
        pairs["meet"] = (pairs["grade"] >= 1).astype(float)
        pairs["sign"] = (pairs["grade"] >= 3).astype(float)
        m = self.history_strength
        p_meet = float(pairs["meet"].mean()) if len(pairs) else 0.3
        p_sign = float(pairs["sign"].mean()) if len(pairs) else 0.05

        def agg(keys: list[str]) -> pd.DataFrame:
            return pairs.groupby(keys)[["meet", "sign"]].agg(["sum", "count"])

        return {"p_meet": p_meet, "p_sign": p_sign, "m": m, "inst": agg(["institution_id"]),
                "inst_sector": agg(["institution_id", "sector"]), "inst_city": agg(["institution_id", "city"]),
                "product": agg(["product_id"])}

    def _history_stats(self, as_of: dt.date | None, exclude_event: str | None) -> dict[str, Any]:
        return self.serving_stats_ if as_of is None and exclude_event is None else self._stats(as_of, exclude_event)

    # -- text --------------------------------------------------------------------------------------
    def _text_for(self, products: pd.DataFrame) -> dict[str, Any]:
        """The fitted text models when they cover these products' texts, else ones refit on this catalogue."""
        fitted = self.text_
        if set(products.index) <= fitted["ids"]:
            return fitted
        sig = catalogue_fingerprint(product_text(products))
        if self._runtime_text is None or self._runtime_text["signature"] != sig:
            log.info("catalogue differs from the fitted one: refitting the text indexes")
            self._runtime_text = self._text_models(products)
        return self._runtime_text

    def product_side(self, products: pd.DataFrame) -> ProductSide:
        """Product-side arrays of this catalogue frame, built once per frame object (a few kept)."""
        cache = self._columns_cache or []
        for entry in cache:
            if entry.frame() is products and (entry.models is self.text_ or entry.models is self._runtime_text):
                return entry
        models = self._text_for(products)
        entry = ProductSide.build(products, models, self.rate_median_, self.institution_city_)
        self._columns_cache = [entry, *cache[:3]]
        return entry

    def _text_features(self, projects: pd.DataFrame, side: ProductSide, sectors: list[str | None], pi: np.ndarray,
                       qj: np.ndarray, by_project: Rows | None = None,
                       columns: FrameColumns | None = None) -> dict[str, np.ndarray]:
        """BM25 (raw and row-normalised), sector affinity and embedding cosine of the pairs: the similarity
        matrices of the projects the pairs use, read by one flat gather per feature."""
        n = len(pi)
        if n == 0:
            return {k: np.zeros(0) for k in ("bm25", "bm25_norm", "text_sector_affinity", "embedding_cosine")}
        models = side.models
        used, rows = used_rows(pi, len(projects))
        texts = project_texts(columns if columns is not None else FrameColumns(projects),
                              None if len(used) == len(projects) else used)
        cols = side.text_col.take(qj)
        if (cols < 0).any():
            unknown = sorted(set(side.ids[qj[cols < 0]]))
            raise KeyError(f"产品未参与拟合，请在产品目录变更后重新拟合：{unknown[:5]} / "
                           f"products not seen in fit (refit on catalogue change): {unknown[:5]}")
        raw = models["bm25"].score_matrix(texts).to_numpy(dtype=float)
        top = raw.max(axis=1) if raw.shape[1] else np.zeros(len(raw))
        bm25 = flat_take(raw, rows, cols)
        with np.errstate(invalid="ignore", divide="ignore"):
            norm = bm25 / np.where(top == 0.0, np.nan, top).take(rows)  # BM25's row normalisation, per pair
        norm[np.isnan(norm)] = 0.0
        out = {"bm25": bm25, "bm25_norm": norm, "embedding_cosine": np.full(n, np.nan),
               "text_sector_affinity": np.full(n, np.nan)}
        aff = side.affinity()
        if aff is not None:
            table, column_of = aff
            width = len(column_of) + 1
            acol = np.array([column_of.get(s, width - 1) for s in sectors], dtype=np.int64)
            arow = np.where(side.affinity_row < 0, len(table) // width - 1, side.affinity_row)
            p = by_project if by_project is not None else Rows(pi, len(projects))
            out["text_sector_affinity"] = table.take(arow.take(qj) * width + p(acol))
        if self._embeddings_active() and models.get("embedding") is not None:
            cos = models["embedding"].score_matrices(texts)["embedding_cosine"].to_numpy(dtype=float)
            ecol = side.embedding_col.take(qj)
            out["embedding_cosine"] = flat_take(cos, rows, np.where(ecol < 0, ecol + cos.shape[1], ecol))
        return out

    # -- the features ------------------------------------------------------------------------------
    def transform(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                  as_of: dt.date | None = None, exclude_event: str | None = None) -> pd.DataFrame:
        """One row per pair (aligned with ``pairs``), ``feature_names_`` columns, floats (NaN = unknown)."""
        check_is_fitted(self)
        frame = self._features_frame(projects, products, pairs, as_of, exclude_event)
        return frame[self.feature_names_]

    def transform_positions(self, projects: pd.DataFrame, products: pd.DataFrame, pi: np.ndarray, qj: np.ndarray,
                            as_of: dt.date | None = None, exclude_event: str | None = None,
                            order: str = "C") -> np.ndarray:
        """The feature matrix (n, len(feature_names_)) of pairs given as row positions in the two frames,
        written straight into one array: C order (rows contiguous, what LightGBM reads fastest) or
        ``order="F"`` (columns contiguous, cheaper to write: for a scorer that reads feature by feature)."""
        check_is_fitted(self)
        f = self._feature_dict(projects, products, np.asarray(pi, dtype=np.int64), np.asarray(qj, dtype=np.int64),
                               as_of, exclude_event)
        return f.matrix(self.feature_names_, order)

    def _features_frame(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                        as_of: dt.date | None, exclude_event: str | None) -> pd.DataFrame:
        pi = projects.index.get_indexer(pairs["project_id"])
        qj = products.index.get_indexer(pairs["product_id"])
        if (pi < 0).any() or (qj < 0).any():
            raise KeyError("配对表中的项目或产品不在输入表中 / pairs name projects or products not in the frames")
        f = self._feature_dict(projects, products, pi, qj, as_of, exclude_event)
        return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in f.items()}, index=pairs.index)

    def _feature_dict(self, projects: pd.DataFrame, products: pd.DataFrame, pi: np.ndarray, qj: np.ndarray,
                      as_of: dt.date | None, exclude_event: str | None) -> PairFeatures:
        """Every feature of the pairs, by name in feature order (blocks are gathered on read or by
        ``PairFeatures.matrix``); each project column is read from the frame once."""
        projects = self.enrich_projects(projects)
        today = as_of or self._today or dt.date.today()
        side = self.product_side(products)
        columns = FrameColumns(projects)
        pc = project_columns(projects, today, columns)
        by_project = Rows(pi, len(projects))
        f = PairFeatures(len(pi))
        add_structured(f, pc, side.columns, pi, qj, by_project)
        text = self._text_features(projects, side, pc.sector, pi, qj, by_project, columns)
        f.update(text)
        f.add("prior_score", prior_feature(projects, side.focused(products), pi, qj, text["bm25_norm"], columns))
        stats = self._history_stats(as_of, exclude_event)
        add_history(f, side.history(stats, keep=stats is self.serving_stats_), pc, pi, qj, by_project)
        return f

    # -- reasons -----------------------------------------------------------------------------------
    def reason(self, feature: str, value: float) -> str | None:
        """The short Chinese reason for a feature that pushed a pair up, or None when it reads wrong."""
        return reason_text(feature, value)

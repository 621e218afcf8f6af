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
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from features.bm25 import BM25Similarity
from features.embedding_cache import Embedder
from features.pair_columns import as_tuple, blank, flag, num, sector_series, slog
from features.pair_reasons import REASONS
from features.sector import SectorClassifier, infer_sectors
from features.semantic import EmbeddingSimilarity
from features.text import catalogue_fingerprint, product_text, project_text
from features.tokenize import get_tokenizer

log = logging.getLogger(__name__)

FAMILIES = ("equity", "loan", "guarantee", "insurance", "subsidy")
STAGES = ("tech_research", "proof_of_concept", "pilot", "incubation", "scale_up")
STAGE_GRADE = {"meeting": 1, "due_diligence": 2, "approved": 2, "signed": 3}  # contacted … 0
TAX_RANK = {"A": 4, "B": 3, "M": 2, "C": 1, "D": 0}
THREE_FIRST_WORDS = {"first_set": ("首台",), "first_batch": ("首批次",), "first_version": ("首版次",)}
HISTORY_FEATURES = ("hist_inst_n", "hist_inst_meet_rate", "hist_inst_sign_rate", "hist_inst_sector_meet_rate",
                    "hist_inst_sector_sign_rate", "hist_inst_city_meet_rate", "hist_product_meet_rate")



class PairFeatureBuilder:
    """Fitted pair features (structured fit, text similarity, as-of institution history)."""

    def __init__(self, use_embeddings: bool = True, embedding_cache: Path | str | None = None,
                 history_strength: float = 5.0, progress: bool = False) -> None:
        self.use_embeddings = use_embeddings
        self.embedding_cache = embedding_cache
        self.history_strength = history_strength
        self.progress = progress

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
        self.embeddings_used_ = bool(self.use_embeddings)
        self._fit_text(products)
        rates = pd.DataFrame({"family": products["family"].astype(str), "rate": num(products, "rate_pct")})
        self.rate_median_: dict[str, float] = rates.dropna().groupby("family")["rate"].median().to_dict()
        self.set_history(projects, products, outcomes)
        self.today_: dt.date | None = None
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
                "embedding": (EmbeddingSimilarity(Embedder(model=getattr(self, "_embedding_model", None),
                                                           cache_path=self.embedding_cache, progress=self.progress))
                              .fit(texts) if self.use_embeddings else None)}

    def _fit_text(self, products: pd.DataFrame) -> None:
        self.text_ = self._text_models(products)
        self._runtime_text: dict[str, Any] | None = None

    def bind_runtime(self, embedding_cache: Path | str | None, use_embeddings: bool,
                     today: dt.date | None = None) -> None:
        """Point the embedder at this deployment's cache; honour use_embeddings; fix 'today' for ages."""
        self.embedding_cache = embedding_cache
        self.use_embeddings = bool(use_embeddings) and self.text_.get("embedding") is not None
        self.today_ = today
        emb = self.text_.get("embedding")
        if emb is not None and emb.embedder is not None:
            emb.embedder.cache_path = embedding_cache
            emb.embedder._cache = None
        if self.embeddings_used_ and not self.use_embeddings:
            log.warning("model was trained with embeddings but they are off: embedding_cosine is NaN")
        self._runtime_text = None

    def bind_embedding_model(self, model: Any) -> None:
        """Use an already-loaded sentence-embedding model instead of loading one on first use."""
        self._embedding_model = model
        for text in (self.text_, self._runtime_text or {}):
            emb = text.get("embedding")
            if emb is not None and emb.embedder is not None:
                emb.embedder.model = model

    def warm_up(self) -> None:
        """Load the jieba dictionary now rather than inside the first request."""
        get_tokenizer()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_runtime_text"] = None
        state.pop("_embedding_model", None)
        return state

    # -- sector inference --------------------------------------------------------------------------
    def enrich_projects(self, projects: pd.DataFrame) -> pd.DataFrame:
        """Add inferred_sector / sector_confidence for blank sectors (stated ones get NaN)."""
        if "inferred_sector" in projects.columns:
            return projects
        classifier = getattr(self, "sector_classifier_", None)
        if classifier is None or len(projects) == 0:
            out = projects.copy()
            out["inferred_sector"] = pd.Series(np.nan, index=out.index, dtype=object)
            out["sector_confidence"] = np.nan
            return out
        return infer_sectors(projects, classifier)

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

    @staticmethod
    def _rate(table: pd.DataFrame, keys: pd.MultiIndex | pd.Index, what: str, prior: np.ndarray,
              m: float) -> tuple[np.ndarray, np.ndarray]:
        if len(table) == 0:
            return prior.copy(), np.zeros(len(prior))
        found = table.reindex(keys)
        s = found[(what, "sum")].to_numpy(dtype=float)
        n = found[(what, "count")].to_numpy(dtype=float)
        s, n = np.nan_to_num(s), np.nan_to_num(n)
        return (s + m * prior) / (n + m), n

    def _history_features(self, inst: np.ndarray, sector: np.ndarray, city: np.ndarray, product: np.ndarray,
                          as_of: dt.date | None, exclude_event: str | None) -> dict[str, np.ndarray]:
        st = self.serving_stats_ if as_of is None and exclude_event is None else self._stats(as_of, exclude_event)
        m, n = st["m"], len(inst)
        meet0, sign0 = np.full(n, st["p_meet"]), np.full(n, st["p_sign"])
        inst_idx = pd.Index(inst)
        im, count = self._rate(st["inst"], inst_idx, "meet", meet0, m)
        isg, _ = self._rate(st["inst"], inst_idx, "sign", sign0, m)
        sec_idx = pd.MultiIndex.from_arrays([inst, sector])
        ism, _ = self._rate(st["inst_sector"], sec_idx, "meet", im, m)
        iss, _ = self._rate(st["inst_sector"], sec_idx, "sign", isg, m)
        icm, _ = self._rate(st["inst_city"], pd.MultiIndex.from_arrays([inst, city]), "meet", im, m)
        pm, _ = self._rate(st["product"], pd.Index(product), "meet", im, m)
        return dict(zip(HISTORY_FEATURES, (np.log1p(count), im, isg, ism, iss, icm, pm), strict=True))

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

    def _text_features(self, projects: pd.DataFrame, products: pd.DataFrame,
                       pairs: pd.DataFrame) -> dict[str, np.ndarray]:
        n = len(pairs)
        if n == 0:
            return {k: np.zeros(0) for k in ("bm25", "bm25_norm", "text_sector_affinity", "embedding_cosine")}
        models = self._text_for(products)
        texts = project_text(projects.loc[pd.unique(pairs["project_id"])])
        tp = pd.DataFrame({"project_id": pairs["project_id"].to_numpy(), "product_id": pairs["product_id"].to_numpy(),
                           "project_text": texts.reindex(pairs["project_id"]).to_numpy()})
        bm = models["bm25"].score_pairs(tp)
        out = {"bm25": bm["bm25"].to_numpy(float), "bm25_norm": bm["bm25_norm"].to_numpy(float),
               "embedding_cosine": np.full(n, np.nan)}
        aff = models.get("sector_affinity")
        out["text_sector_affinity"] = np.full(n, np.nan)
        if aff is not None:
            sector = sector_series(projects).reindex(pairs["project_id"]).to_numpy(dtype=object)
            rows = aff.index.get_indexer(pairs["product_id"])
            cols = aff.columns.get_indexer(pd.Index(sector, dtype=object))
            ok = (rows >= 0) & (cols >= 0)
            out["text_sector_affinity"][ok] = aff.to_numpy()[rows[ok], cols[ok]]
        if self.use_embeddings and models.get("embedding") is not None:
            out["embedding_cosine"] = models["embedding"].score_pairs(tp)["embedding_cosine"].to_numpy(float)
        return out

    # -- the features ------------------------------------------------------------------------------
    def transform(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                  as_of: dt.date | None = None, exclude_event: str | None = None) -> pd.DataFrame:
        """One row per pair (aligned with ``pairs``), ``feature_names_`` columns, floats (NaN = unknown)."""
        frame = self._features_frame(projects, products, pairs, as_of, exclude_event)
        return frame[self.feature_names_]

    def _features_frame(self, projects: pd.DataFrame, products: pd.DataFrame, pairs: pd.DataFrame,
                        as_of: dt.date | None, exclude_event: str | None) -> pd.DataFrame:
        projects = self.enrich_projects(projects)
        pj = projects.loc[pairs["project_id"].to_numpy()]
        pr = products.loc[pairs["product_id"].to_numpy()]
        n = len(pairs)
        today = as_of or self.today_ or dt.date.today()
        f: dict[str, np.ndarray] = {}
        # project / enterprise
        need = num(pj, "funding_need_wan")
        trl = num(pj, "trl")
        stage = pj["stage"].astype(object).to_numpy()
        f["need_log"] = np.log1p(need)
        f["trl"] = trl
        f["stage_idx"] = np.array([STAGES.index(s) if s in STAGES else np.nan for s in stage], dtype=float)
        f["months_to_production"] = num(pj, "months_to_production")
        revenue, profit = num(pj, "annual_revenue_wan"), num(pj, "net_profit_wan")
        f["revenue_log"] = np.log1p(np.maximum(revenue, 0))
        f["profit_slog"] = slog(profit)
        f["profitable"] = np.where(np.isnan(profit), np.nan, (profit > 0).astype(float))
        f["debt_ratio"] = num(pj, "debt_ratio")
        f["rd_ratio"] = num(pj, "rd_ratio")
        f["age_years"] = today.year - num(pj, "founded_year")
        f["employees_log"] = np.log1p(num(pj, "employees"))
        f["patents_log"] = np.log1p(num(pj, "invention_patents"))
        certs = [set(as_tuple(c)) for c in (pj["certifications"] if n else [])]
        f["n_certs"] = np.array([len(c) for c in certs], dtype=float)
        f["cert_high_tech"] = np.array(["high_tech" in c for c in certs], dtype=float)
        f["cert_tech_sme"] = np.array(["tech_sme" in c for c in certs], dtype=float)
        f["cert_little_giant"] = np.array([bool(c & {"specialized_sme", "little_giant"}) for c in certs], dtype=float)
        f["cert_growth"] = np.array([bool(c & {"gazelle", "little_giant"}) for c in certs], dtype=float)
        f["tax_rank"] = np.array([TAX_RANK.get(str(t), np.nan) for t in pj["tax_grade"]], dtype=float)
        collateral = flag(pj, "has_collateral")
        hazard = flag(pj, "hazardous_chemicals")
        f["has_collateral"] = collateral
        f["first_time_borrower"] = flag(pj, "first_time_borrower")
        f["hazardous"] = hazard
        f["government_supported"] = flag(pj, "government_supported")
        f["has_platform"] = np.array([not blank(v) for v in pj["pilot_platform"]], dtype=float)
        three = [set(as_tuple(t)) for t in (pj["three_firsts"] if n else [])]
        f["n_three_firsts"] = np.array([len(t) for t in three], dtype=float)
        inferred = pj["sector"].map(blank).to_numpy(dtype=bool) if n else np.zeros(0, bool)
        conf = num(pj, "sector_confidence")
        f["sector_inferred"] = inferred.astype(float)
        f["sector_confidence"] = np.where(inferred, np.nan_to_num(conf), 1.0)
        # product / institution
        family = pr["family"].astype(str).to_numpy()
        kind = pr["kind"].fillna("").astype(str).to_numpy() if n else np.zeros(0, dtype=object)
        for fam in FAMILIES:
            f[f"fam_{fam}"] = (family == fam).astype(float)
        lo, hi = num(pr, "amount_min_wan"), num(pr, "amount_max_wan")
        f["amount_min_log"], f["amount_max_log"] = np.log1p(lo), np.log1p(hi)
        rate = num(pr, "rate_pct")
        f["rate_pct"] = rate
        med = np.array([self.rate_median_.get(x, np.nan) for x in family], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            f["rate_rel_family"] = np.where(med > 0, rate / med, np.nan)
        f["tenor_months"] = num(pr, "tenor_months")
        budget = num(pr, "budget_wan")
        f["budget_log"] = np.log1p(budget)
        f["product_n_sectors"] = np.array([len(as_tuple(s)) for s in pr["sectors"]], dtype=float)
        f["product_n_stages"] = np.array([len(as_tuple(s)) for s in pr["stages"]], dtype=float)
        f["kind_pilot"] = np.array(["中试" in k for k in kind], dtype=float)
        f["kind_ip"] = np.array(["知识产权" in k for k in kind], dtype=float)
        f["kind_three_firsts"] = np.array([any(w in k for w in ("首台", "首批次", "首版次", "三首")) for k in kind],
                                          dtype=float)
        # pair fit
        with np.errstate(divide="ignore", invalid="ignore"):
            lo_f = np.where(lo > 0, lo, np.nan)
            mid = np.where(np.isnan(lo_f), hi / 2, np.where(np.isnan(hi), lo_f * 2, np.sqrt(lo_f * hi)))
            f["amount_log_ratio"] = np.log(need / mid)
            span = np.log(hi) - np.log(lo_f)
            f["amount_position"] = np.where(span > 0, (np.log(need) - np.log(lo_f)) / span, np.nan)
            f["amount_ratio_max"] = need / hi
            f["budget_cover_log"] = np.log(budget / need)
        tmin, tmax = num(pr, "trl_min"), num(pr, "trl_max")
        dist = np.fmax(np.fmax(tmin - trl, trl - tmax), 0.0)
        f["trl_distance"] = np.where(np.isnan(tmin) & np.isnan(tmax), np.nan, dist)
        centre = (np.where(np.isnan(tmin), 1.0, tmin) + np.where(np.isnan(tmax), 9.0, tmax)) / 2
        f["trl_centre_gap"] = trl - centre
        f["stage_match"] = np.array([0.5 if not as_tuple(ss) else float(s in as_tuple(ss))
                                     for s, ss in zip(stage, pr["stages"], strict=True)])
        sector = sector_series(pj).to_numpy(dtype=object) if n else np.zeros(0, dtype=object)
        f["sector_match"] = np.array([0.5 if not as_tuple(ss) else float(s in as_tuple(ss))
                                      for s, ss in zip(sector, pr["sectors"], strict=True)])
        f["sector_match_conf"] = np.where(f["sector_match"] == 1.0, f["sector_confidence"], 0.0)
        city = pj["city"].fillna("").astype(str).to_numpy() if n else np.zeros(0, dtype=object)
        f["city_match"] = np.array([0.5 if not as_tuple(cs) or (cs == ("广西",)) else float(c in as_tuple(cs))
                                    for c, cs in zip(city, pr["cities"], strict=True)])
        f["type_pref"] = np.array([0.5 if not as_tuple(t) else float(fam in as_tuple(t))
                                   for t, fam in zip(pj["funding_types"], family, strict=True)])
        f["collateral_loan"] = collateral * f["fam_loan"]
        f["no_collateral_guarantee"] = (1 - collateral) * f["fam_guarantee"]
        f["three_firsts_match"] = np.array([float(any(w in k for t in ts for w in THREE_FIRST_WORDS.get(t, ())))
                                            for ts, k in zip(three, kind, strict=True)])
        f["hazard_equity"] = hazard * f["fam_equity"]
        f["hazard_insurance"] = hazard * f["fam_insurance"]
        f["hazard_loan"] = hazard * f["fam_loan"]
        ptext = (pr["description"].fillna("").astype(str) + kind).to_numpy() if n else np.zeros(0, dtype=object)
        f["first_loan_product"] = f["first_time_borrower"] * np.array(["首贷" in t for t in ptext], dtype=float)
        f["hazard_product_text"] = hazard * np.array([("危险化学品" in t) or ("危化" in t) for t in ptext], dtype=float)
        inst_city = np.array([self.institution_city_.get(str(i)) for i in pr["institution_id"]], dtype=object)
        f["home_city"] = np.array([np.nan if ic is None else float(ic == c) for ic, c in zip(inst_city, city, strict=True)])
        f.update(self._text_features(projects, products, pairs))
        inst = pr["institution_id"].astype(str).to_numpy()
        f.update(self._history_features(inst, sector, city, pairs["product_id"].astype(str).to_numpy(),
                                        as_of, exclude_event))
        return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in f.items()}, index=pairs.index)

    # -- reasons -----------------------------------------------------------------------------------
    def reason(self, feature: str, value: float) -> str | None:
        """The short Chinese reason for a feature that pushed a pair up, or None when it reads wrong."""
        entry = REASONS.get(feature)
        if entry is None or value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        phrase, lo, hi = entry
        return phrase if lo <= float(value) <= hi else None

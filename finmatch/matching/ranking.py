"""The matching engine: eligibility mask first, then the scorer on eligible pairs only.

One computation serves every view: a project's ranked products, a product's ranked prospects,
the event matrix, and the ``finmatch match`` output of data-format.md.

Scores and probabilities are computed for every eligible pair; contributions and reasons only for
the rows a view shows (the top K of a project, a product's prospects), on first use, through the
scorer's ``explain`` — a scorer without the position protocol (``score_positions``) is scored the
old way, reasons included. Product-side eligibility arrays are prepared once per catalogue frame.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from finmatch.eligibility import CLAUSE_FIELDS, FAIL, EligibilityResult
from finmatch.eligibility import clauses as _clauses
from finmatch.eligibility.prepare import ProductArrays, prepare_products, prepare_projects
from finmatch.eligibility.values import UNKNOWN
from finmatch.enums import Sector
from finmatch.matching.frame_cache import FrameCache
from finmatch.matching.scorer import PairScorer

_ELIGIBILITY_REASON_FIELDS = ("sectors", "stages", "amount_max_wan", "required_certifications_any", "cities",
                              "requires_three_firsts")
# rows positions (into MatchResult.scores) -> one list of Chinese reasons per row
Explainer = Callable[[np.ndarray], list[list[str]]]


@dataclass
class MatchItem:
    product_id: str
    rank: int
    score: float
    probability: float
    family: str
    institution_id: str
    reasons: list[str]
    eligibility_reasons: list[str]
    unknown: list[str] = field(default_factory=list)


@dataclass
class IneligibleItem:
    product_id: str
    family: str
    institution_id: str
    failed: list[str]
    reasons: list[str]
    what_if: list[dict[str, Any]]


@dataclass
class ConfirmItem:
    """An eligible product whose only open clauses are facts the project has not given (待确认)."""

    product_id: str
    family: str
    institution_id: str
    score: float
    unknown: list[str]  # the clause fields still open
    facts: list[str]  # Chinese: what would decide each of them


@dataclass
class ProjectSector:
    sector: str | None
    sector_inferred: bool
    sector_confidence: float | None
    uncertain: bool = False
    second: str | None = None
    second_confidence: float | None = None

    def reason(self) -> str | None:
        if not self.sector_inferred or self.sector is None:
            return None
        conf = self.sector_confidence if self.sector_confidence is not None else math.nan
        if self.uncertain and self.second:
            return (f"所属领域待确认：根据项目简介可能为 {Sector(self.sector).label}（{conf:.0%}）"
                    f"或 {Sector(self.second).label}（{(self.second_confidence or 0):.0%}）")
        return f"所属领域根据项目简介推断为 {Sector(self.sector).label}（置信度 {conf:.0%}）"

    def candidates(self) -> list[dict[str, Any]]:
        out = []
        for code, conf in ((self.sector, self.sector_confidence), (self.second, self.second_confidence)):
            if self.sector_inferred and code:
                out.append({"sector": code, "confidence": None if conf is None else round(float(conf), 4)})
        return out


@dataclass
class MatchResult:
    model: str
    projects: pd.DataFrame
    products: pd.DataFrame
    eligibility: EligibilityResult
    scores: pd.DataFrame  # eligible pairs, grouped by project in frame order: project_id, product_id, score,
    #                       probability, family, institution_id (reasons through reasons_at)
    explainer: Explainer | None = None
    precomputed_reasons: list[list[str]] | None = None  # a scorer that gave reasons for every pair
    _reasons: dict[int, list[str]] = field(default_factory=dict, repr=False)

    @cached_property
    def product_info(self) -> dict[str, dict[str, Any]]:
        """Per product: the display columns, read once instead of one pandas row lookup per item."""
        cols = [c for c in ("name", "kind", "family", "institution_id", "institution_name") if c in self.products]
        return {str(pid): dict(zip(cols, values, strict=True))
                for pid, values in zip(self.products.index, self.products[cols].itertuples(index=False), strict=True)}

    @cached_property
    def _project_bounds(self) -> dict[str, tuple[int, int]]:
        """Each project's contiguous block of rows in ``scores``."""
        pids = self.scores["project_id"].to_numpy(dtype=object)
        if len(pids) == 0:
            return {}
        starts = np.flatnonzero(np.r_[True, pids[1:] != pids[:-1]])
        ends = np.r_[starts[1:], len(pids)]
        return {str(pids[a]): (int(a), int(b)) for a, b in zip(starts, ends, strict=True)}

    @cached_property
    def _columns(self) -> tuple[np.ndarray, ...]:
        """product_id, score, probability, family, institution_id of ``scores`` as arrays (read once)."""
        s = self.scores
        return (s["product_id"].to_numpy(dtype=object), s["score"].to_numpy(dtype=float),
                s["probability"].to_numpy(dtype=float), s["family"].to_numpy(dtype=object),
                s["institution_id"].to_numpy(dtype=object))

    def reasons_at(self, rows: Sequence[int] | np.ndarray) -> list[list[str]]:
        """The model's reasons of the given rows of ``scores`` (computed once per row, on first use)."""
        rows = np.asarray(rows, dtype=np.int64)
        if self.precomputed_reasons is not None:
            return [list(self.precomputed_reasons[r]) for r in rows]
        if self.explainer is None:
            return [[] for _ in rows]
        todo = np.array(sorted({int(r) for r in rows} - set(self._reasons)), dtype=np.int64)
        if len(todo):
            for r, phrases in zip(todo, self.explainer(todo), strict=True):
                self._reasons[int(r)] = phrases
        return [list(self._reasons[int(r)]) for r in rows]

    def sector(self, project_id: str) -> ProjectSector:
        row = self.projects.loc[project_id]
        if isinstance(row["sector"], str):
            return ProjectSector(row["sector"], False, None)
        inferred = row.get("inferred_sector")
        if isinstance(inferred, str):
            conf = float(row.get("sector_confidence", math.nan))
            i = self.eligibility.project_ids.index(str(project_id))
            second = row.get("sector_second")
            second_conf = row.get("sector_second_confidence")
            return ProjectSector(inferred, True, conf, bool(self.eligibility._pa.sector_unconfirmed[i]),
                                 second if isinstance(second, str) else None,
                                 None if second_conf is None or pd.isna(second_conf) else float(second_conf))
        return ProjectSector(None, False, None)

    @cached_property
    def open_rows(self) -> np.ndarray:
        """Per row of ``scores``: some clause is unknown (the pair needs confirmation, it is not ranked)."""
        if self.scores.empty:
            return np.zeros(0, dtype=bool)
        ii = pd.Index(self.eligibility.project_ids).get_indexer(self.scores["project_id"])
        jj = pd.Index(self.eligibility.product_ids).get_indexer(self.scores["product_id"])
        out = np.zeros(len(ii), dtype=bool)
        for f in CLAUSE_FIELDS:
            out |= self.eligibility.status[f][ii, jj] == UNKNOWN
        return out

    def needs_confirmation(self, project_id: str) -> list[ConfirmItem]:
        """Eligible products the project cannot be matched to until it confirms some facts, best first.

        Never ranked among the matches: an unknown clause has not passed. Each item says which facts
        decide it (the sector when it was inferred below the confidence threshold, a missing TRL …).
        """
        a, b = self._project_bounds.get(str(project_id), (0, 0))
        rows = np.arange(a, b)[self.open_rows[a:b]] if b > a else np.arange(0)
        rows = rows[np.argsort(-self._columns[1][rows], kind="stable")]
        sector = self.sector(project_id)
        out = []
        for r in rows:
            product_id = str(self.scores["product_id"].iat[r])
            clauses = self.eligibility.explain(project_id, product_id, statuses=("unknown",))
            facts = [self._fact(c.field, c.reason, product_id, sector) for c in clauses]
            out.append(ConfirmItem(product_id, str(self.scores["family"].iat[r]),
                                   str(self.scores["institution_id"].iat[r]), float(self.scores["score"].iat[r]),
                                   [c.field for c in clauses], facts))
        return out

    def _fact(self, field_name: str, reason: str, product_id: str, sector: ProjectSector) -> str:
        if field_name == "sectors" and sector.sector_inferred and sector.sector:
            allowed = self.products.loc[product_id, "sectors"] if "sectors" in self.products else []
            names = "、".join(Sector(c).label for c in (allowed or []) if c in Sector.labels())
            conf = sector.sector_confidence if sector.sector_confidence is not None else math.nan
            guess = f"根据项目简介推断为 {Sector(sector.sector).label}（{conf:.0%}）"
            if sector.second:
                guess += f"，也可能是 {Sector(sector.second).label}（{(sector.second_confidence or 0):.0%}）"
            return f"待确认领域：{guess}；该产品只支持 {names}，请确认项目所属领域"
        return f"待确认：{reason}"

    def ranked_rows(self, project_id: str, top_k: int | None = None, families: set[str] | None = None) -> np.ndarray:
        """Row positions in ``scores`` of the project's eligible products, best first."""
        a, b = self._project_bounds.get(str(project_id), (0, 0))
        rows = np.arange(a, b)
        if families:
            rows = rows[self.scores["family"].iloc[a:b].isin(families).to_numpy()]
        # the same pandas stable descending sort the views always used (ties keep catalogue order)
        order = pd.Series(self._columns[1][rows]).sort_values(
            ascending=False, kind="stable").index.to_numpy()
        rows = rows[order]
        rows = rows[~self.open_rows[rows]]  # a pair with an unknown clause waits in needs_confirmation
        return rows if top_k is None else rows[:top_k]

    def requested_families(self, project_id: str) -> frozenset[str]:
        """The families the project states in ``funding_types`` (empty = open to all, data-format.md)."""
        if "funding_types" not in self.projects.columns or project_id not in self.projects.index:
            return frozenset()
        value = self.projects.at[project_id, "funding_types"]
        if not isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
            return frozenset()
        return frozenset(str(getattr(f, "value", f)) for f in value if isinstance(f, str) and f)

    def match_rows(self, project_id: str, top_k: int | None = None, families: set[str] | None = None,
                   other: bool = False) -> np.ndarray:
        """Rows of the project's recommendations, best first: only its requested families when it states
        any (``other=True``: its eligible products of the other families instead). ``ranked_rows`` keeps
        every eligible product (packages combine families)."""
        rows = self.ranked_rows(project_id, None, families)
        wanted = self.requested_families(project_id)
        if wanted:
            inside = np.isin(self._columns[3][rows], list(wanted))
            rows = rows[~inside if other else inside]
        elif other:
            rows = rows[:0]
        return rows if top_k is None else rows[:top_k]

    def other_families(self, project_id: str, top_k: int | None = None, families: set[str] | None = None,
                       eligibility_reasons: bool = True) -> list[MatchItem]:
        """Eligible products outside the project's requested families, best first, ranked 1..K on their
        own: shown apart as "other products to consider", never mixed into the matches."""
        return self.ranked(project_id, top_k, families, eligibility_reasons, other=True)

    def ranked(self, project_id: str, top_k: int | None = None, families: set[str] | None = None,
               eligibility_reasons: bool = True, other: bool = False) -> list[MatchItem]:
        """The project's ranked products (only its requested families when it states any, see
        ``match_rows``); ``eligibility_reasons=False`` skips the passed-clause sentences (the batch job
        writes the model's reasons only)."""
        rows = self.match_rows(project_id, top_k, families, other)
        sector_reason = self.sector(project_id).reason()
        reasons = self.reasons_at(rows)
        pids, score, prob, fam, inst = self._columns
        items = []
        for rank, (r, model_reasons) in enumerate(zip(rows, reasons, strict=True), start=1):
            product_id = pids[r]
            elig = [c.reason for c in self.eligibility.explain(project_id, product_id, statuses=("pass",),
                                                               fields=_ELIGIBILITY_REASON_FIELDS)
                    ] if eligibility_reasons else []
            shown = [sector_reason, *model_reasons] if sector_reason else model_reasons
            items.append(MatchItem(product_id, rank, float(score[r]), float(prob[r]), fam[r], inst[r], shown, elig,
                                   self.eligibility.unknown_fields(project_id, product_id)))
        return items

    def failed_fields(self, project_id: str) -> dict[str, list[str]]:
        """Per ineligible product of the project, the clause fields it fails (in clause order)."""
        i = self.eligibility.project_ids.index(project_id)
        bad = np.flatnonzero(~self.eligibility.eligible[i])
        if len(bad) == 0:
            return {}
        # one bit per failed clause; each distinct combination becomes its field list once
        code = np.zeros(len(bad), dtype=np.int64)
        for k, f in enumerate(CLAUSE_FIELDS):
            code |= (self.eligibility.status[f][i, bad] == FAIL).astype(np.int64) << k
        lists = {int(c): [f for k, f in enumerate(CLAUSE_FIELDS) if (int(c) >> k) & 1] for c in np.unique(code)}
        ids = self.eligibility.product_ids
        return {ids[j]: list(lists[int(c)]) for j, c in zip(bad, code, strict=True)}

    def ineligible(self, project_id: str, with_what_if: bool = True) -> list[IneligibleItem]:
        i = self.eligibility.project_ids.index(project_id)
        out = []
        for j, product_id in enumerate(self.eligibility.product_ids):
            if self.eligibility.eligible[i, j]:
                continue
            prod = self.product_info[product_id]
            clauses = self.eligibility.explain(project_id, product_id, statuses=("fail",))
            what_if = ([{"change": w.change, "description": w.description, "params": w.params}
                        for w in self.eligibility.what_if(project_id, product_id)] if with_what_if else [])
            out.append(IneligibleItem(product_id, prod["family"], prod["institution_id"],
                                      [c.field for c in clauses], [c.reason for c in clauses], what_if))
        return out

    @property
    def prospect_mask(self) -> np.ndarray:
        """Rows of ``scores`` that may appear in a product's prospect list (the batch job uses it too)."""
        return np.ones(len(self.scores), dtype=bool)

    def prospects(self, product_id: str) -> pd.DataFrame:
        """The product's eligible projects best first, with rank and the model's reasons."""
        rows = np.flatnonzero((self.scores["product_id"] == product_id).to_numpy() & self.prospect_mask)
        sub = self.scores.iloc[rows].assign(_row=rows).sort_values("score", ascending=False)
        sub = sub.reset_index(drop=True)
        sub["reasons"] = self.reasons_at(sub.pop("_row").to_numpy())
        sub["rank"] = np.arange(1, len(sub) + 1)
        return sub

    def institution_matrix(self) -> pd.DataFrame:
        """Projects × institutions: each institution's best eligible product probability (NaN = none)."""
        if self.scores.empty:
            return pd.DataFrame(index=self.projects.index)
        best = self.scores.groupby(["project_id", "institution_id"])["probability"].max().unstack()
        return best.reindex(index=self.projects.index)

    def to_output(self, top_k: int) -> dict[str, Any]:
        """The ``finmatch match`` object of data-format.md."""
        out: dict[str, Any] = {"model": self.model, "projects": {}, "matches": {}, "other_families": {},
                               "ineligible": {}, "needs_confirmation": {}}
        tops = {pid: np.r_[self.match_rows(pid, top_k), self.match_rows(pid, top_k, other=True)].astype(np.int64)
                for pid in self.projects.index}
        if tops:
            self.reasons_at(np.concatenate(list(tops.values())))  # one explain call for every shown row
        for pid in self.projects.index:
            s = self.sector(pid)
            out["projects"][pid] = {"sector": s.sector, "sector_inferred": s.sector_inferred,
                                    "sector_confidence": None if s.sector_confidence is None
                                    else round(s.sector_confidence, 4),
                                    "sector_uncertain": s.uncertain, "sector_candidates": s.candidates()}
            out["matches"][pid] = [
                {"product_id": m.product_id, "rank": m.rank, "score": round(m.score, 6),
                 "probability": round(m.probability, 6), "family": m.family,
                 "institution_id": m.institution_id, "reasons": m.reasons + m.eligibility_reasons}
                for m in self.ranked(pid, top_k)]
            out["other_families"][pid] = [
                {"product_id": m.product_id, "rank": m.rank, "score": round(m.score, 6),
                 "probability": round(m.probability, 6), "family": m.family,
                 "institution_id": m.institution_id, "reasons": m.reasons + m.eligibility_reasons}
                for m in self.other_families(pid, top_k)]
            out["ineligible"][pid] = [{"product_id": p, "failed": f} for p, f in self.failed_fields(pid).items()]
            out["needs_confirmation"][pid] = [{"product_id": c.product_id, "family": c.family,
                                               "institution_id": c.institution_id, "unknown": c.unknown,
                                               "facts": c.facts} for c in self.needs_confirmation(pid)]
        return out


_PRODUCT_ARRAYS: FrameCache[ProductArrays] = FrameCache(size=8)
# the row dicts the reason sentences read, shared by every result on a catalogue frame object (filled on
# first use; ``iloc[j].to_dict()`` of a wide frame costs more than the sentence)
_PRODUCT_ROWS: FrameCache[dict[int, dict]] = FrameCache(size=8)


def eligibility_of(projects: pd.DataFrame, products: pd.DataFrame, today: dt.date | None) -> EligibilityResult:
    """``finmatch.eligibility.evaluate`` with the product side prepared once per catalogue frame."""
    today = today or dt.date.today()
    qa = _PRODUCT_ARRAYS.get(products, prepare_products)
    pa = prepare_projects(projects, qa)
    return EligibilityResult(projects, products, today, pa, qa, _clauses.evaluate_clauses(pa, qa, today),
                             _PRODUCT_ROWS.get(products, lambda _: {}))


class MatchEngine:
    def __init__(self, scorer: PairScorer, today: dt.date | None = None) -> None:
        self.scorer = scorer
        self.today = today

    def run(self, projects: pd.DataFrame, products: pd.DataFrame) -> MatchResult:
        enrich = getattr(self.scorer, "enrich_projects", None)
        if enrich is not None and len(projects):
            projects = enrich(projects)
        elig = eligibility_of(projects, products, self.today)
        ii, jj = np.nonzero(elig.eligible)
        pairs = pd.DataFrame({"project_id": np.asarray(elig.project_ids, dtype=object)[ii],
                              "product_id": np.asarray(elig.product_ids, dtype=object)[jj]})
        explainer: Explainer | None = None
        reasons: list[list[str]] | None = None
        by_position = getattr(self.scorer, "score_positions", None)
        if by_position is not None:
            scored = by_position(projects, products, ii, jj)
            score, probability, explainer = scored.score, scored.probability, scored.explain
        else:
            old = self.scorer.score_pairs(projects, products, pairs, margins=None)
            score, probability = old.score, old.probability
            reasons = old.reasons if old.reasons else [[] for _ in range(len(pairs))]
        scores = pd.DataFrame({"project_id": pairs["project_id"], "product_id": pairs["product_id"],
                               "score": np.asarray(score, dtype=float),
                               "probability": np.asarray(probability, dtype=float),
                               "family": products["family"].to_numpy(dtype=object)[jj],
                               "institution_id": products["institution_id"].to_numpy(dtype=object)[jj]})
        return MatchResult(self.scorer.version, projects, products, elig, scores, explainer, reasons)

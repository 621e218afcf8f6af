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
from finmatch.eligibility.evaluation import column_values
from finmatch.eligibility.prepare import ProductArrays, prepare_products, prepare_projects
from finmatch.eligibility.values import UNKNOWN, column_array
from finmatch.enums import Sector
from finmatch.matching.frame_cache import FrameCache
from finmatch.matching.items import ConfirmItem, IneligibleItem, MatchItem, ProjectSector
from finmatch.matching.scorer import PairScorer

__all__ = ["ConfirmItem", "IneligibleItem", "MatchEngine", "MatchItem", "MatchResult", "ProjectSector", "eligibility_of"]

_ELIGIBILITY_REASON_FIELDS = ("sectors", "stages", "amount_max_wan", "required_certifications_any", "cities",
                              "requires_three_firsts")
# rows positions (into MatchResult.scores) -> one list of Chinese reasons per row
Explainer = Callable[[np.ndarray], list[list[str]]]


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
    def _codes(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The id columns of ``scores`` as codes into their distinct values (an object array): one hash
        pass per column, cheaper than converting the string column to Python strings."""
        out = {}
        for c in ("project_id", "product_id", "family", "institution_id"):
            codes, uniques = pd.factorize(column_array(self.scores, c), use_na_sentinel=False)
            out[c] = (codes, np.asarray(uniques, dtype=object))
        return out

    @cached_property
    def _project_bounds(self) -> dict[str, tuple[int, int]]:
        """Each project's contiguous block of rows in ``scores``."""
        codes, ids = self._codes["project_id"]
        if len(codes) == 0:
            return {}
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        ends = np.r_[starts[1:], len(codes)]
        return {str(ids[codes[a]]): (int(a), int(b)) for a, b in zip(starts, ends, strict=True)}

    @cached_property
    def _columns(self) -> tuple[np.ndarray, ...]:
        """product_id, score, probability, family, institution_id of ``scores`` as arrays (read once)."""
        s, (pc, pu), (fc, fu), (ic, iu) = (self.scores, self._codes["product_id"], self._codes["family"],
                                           self._codes["institution_id"])
        return pu[pc], s["score"].to_numpy(dtype=float), s["probability"].to_numpy(dtype=float), fu[fc], iu[ic]

    def reasons_at(self, rows: Sequence[int] | np.ndarray) -> list[list[str]]:
        """The model's reasons of the given rows of ``scores`` (computed once per row, on first use)."""
        rows = np.asarray(rows, dtype=np.int64).tolist()
        if self.precomputed_reasons is not None:
            return [list(self.precomputed_reasons[r]) for r in rows]
        if self.explainer is None:
            return [[] for _ in rows]
        cache = self._reasons
        todo = sorted({r for r in rows if r not in cache})
        if todo:
            for r, phrases in zip(todo, self.explainer(np.array(todo, dtype=np.int64)), strict=True):
                cache[r] = phrases
        return [list(cache[r]) for r in rows]

    @cached_property
    def _project_values(self) -> tuple[dict[Any, int], dict[str, list[Any]]]:
        """Each label of ``projects.index`` -> its row, and the columns the views read per project as lists
        (dict lookups instead of a ``.loc`` row per call)."""
        cols = ("sector", "inferred_sector", "sector_confidence", "sector_second", "sector_second_confidence",
                "funding_types")
        return ({label: k for k, label in enumerate(self.projects.index)},
                {c: column_values(self.projects, c) for c in cols if c in self.projects.columns})

    def sector(self, project_id: str) -> ProjectSector:
        positions, values = self._project_values
        k = positions[project_id]
        if isinstance(stated := values["sector"][k], str):
            return ProjectSector(stated, False, None)
        row = {c: v[k] for c, v in values.items()}
        if isinstance(inferred := row.get("inferred_sector"), str):
            conf = float(row.get("sector_confidence", math.nan))
            i = self._position(str(project_id))
            second, second_conf = row.get("sector_second"), row.get("sector_second_confidence")
            return ProjectSector(inferred, True, conf, bool(self.eligibility.project_arrays.sector_unconfirmed[i]),
                                 second if isinstance(second, str) else None,
                                 None if second_conf is None or pd.isna(second_conf) else float(second_conf))
        return ProjectSector(None, False, None)

    def _position(self, project_id: str) -> int:
        """The project's row in the eligibility matrices (ValueError when absent, as ``list.index``)."""
        i = self.eligibility.project_position(project_id)
        if i is None:
            raise ValueError(f"{project_id!r} is not in list")
        return i

    @cached_property
    def open_rows(self) -> np.ndarray:
        """Per row of ``scores``: some clause is unknown (the pair needs confirmation, it is not ranked)."""
        if self.scores.empty:
            return np.zeros(0, dtype=bool)
        e = self.eligibility
        (pc, pu), (qc, qu) = self._codes["project_id"], self._codes["product_id"]
        ii = np.array([-1 if (i := e.project_position(u)) is None else i for u in pu], dtype=np.int64)[pc]
        jj = np.array([-1 if (j := e.product_position(u)) is None else j for u in qu], dtype=np.int64)[qc]
        unknown = np.zeros(e.eligible.shape, dtype=bool)  # N × M once, then one gather
        for f in CLAUSE_FIELDS:
            unknown |= e.status[f] == UNKNOWN
        return unknown[ii, jj]

    def needs_confirmation(self, project_id: str) -> list[ConfirmItem]:
        """Eligible products the project cannot be matched to until it confirms some facts, best first.

        Never ranked among the matches: an unknown clause has not passed. Each item says which facts
        decide it (the sector when it was inferred below the confidence threshold, a missing TRL …).
        """
        a, b = self._project_bounds.get(str(project_id), (0, 0))
        rows = np.arange(a, b)[self.open_rows[a:b]] if b > a else np.arange(0)
        pids, score, _, fam, inst = self._columns
        rows = rows[np.argsort(-score[rows], kind="stable")]
        sector = self.sector(project_id)
        out = []
        for r in rows:
            product_id = str(pids[r])
            clauses = self.eligibility.explain(project_id, product_id, statuses=("unknown",))
            facts = [self._fact(c.field, c.reason, product_id, sector) for c in clauses]
            out.append(ConfirmItem(product_id, str(fam[r]), str(inst[r]), float(score[r]),
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
            rows = rows[self._in_families(rows, set(families))]  # hash membership, as pandas' isin
        # stable descending, ties in catalogue order, NaN last: pandas' sort_values(ascending=False,
        # kind="stable") the views used before (tests/matching/test_views_order.py)
        rows = rows[np.argsort(-self._columns[1][rows], kind="stable")]
        rows = rows[~self.open_rows[rows]]  # a pair with an unknown clause waits in needs_confirmation
        return rows if top_k is None else rows[:top_k]

    def _in_families(self, rows: np.ndarray, wanted: set[str] | frozenset[str]) -> np.ndarray:
        """Whether each row's family is in ``wanted``: each distinct family is tested once."""
        codes, uniques = self._codes["family"]
        return np.array([u in wanted for u in uniques], dtype=bool)[codes[rows]]

    def requested_families(self, project_id: str) -> frozenset[str]:
        """The families the project states in ``funding_types`` (empty = open to all, data-format.md)."""
        positions, values = self._project_values
        if "funding_types" not in values or (k := positions.get(project_id)) is None:
            return frozenset()
        value = values["funding_types"][k]
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
            inside = self._in_families(rows, wanted)
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
        explain, items = self.eligibility.explain, []
        for rank, (product_id, s, p, f, k, is_open, model_reasons) in enumerate(zip(
                pids[rows], score[rows].tolist(), prob[rows].tolist(), fam[rows], inst[rows],
                self.open_rows[rows].tolist(), reasons, strict=True), start=1):
            elig = [c.reason for c in explain(project_id, product_id, statuses=("pass",),
                                              fields=_ELIGIBILITY_REASON_FIELDS)] if eligibility_reasons else []
            shown = [sector_reason, *model_reasons] if sector_reason else model_reasons
            # a ranked row has no unknown clause (open rows wait in needs_confirmation)
            unknown = self.eligibility.unknown_fields(project_id, product_id) if is_open else []
            items.append(MatchItem(product_id, rank, s, p, f, k, shown, elig, unknown))
        return items

    def failed_fields(self, project_id: str) -> dict[str, list[str]]:
        """Per ineligible product of the project, the clause fields it fails (in clause order)."""
        i = self._position(project_id)
        bad = np.flatnonzero(~self.eligibility.eligible[i])
        if len(bad) == 0:
            return {}
        # one bit per failed clause; each distinct combination becomes its field list once
        code = np.zeros(len(bad), dtype=np.int64)
        for k, f in enumerate(CLAUSE_FIELDS):
            code |= (self.eligibility.status[f][i][bad] == FAIL).astype(np.int64) << k
        codes = code.tolist()
        lists = {c: [f for k, f in enumerate(CLAUSE_FIELDS) if (c >> k) & 1] for c in set(codes)}
        ids = self.eligibility.product_ids
        return {ids[j]: lists[c].copy() for j, c in zip(bad.tolist(), codes, strict=True)}

    def ineligible(self, project_id: str, with_what_if: bool = True) -> list[IneligibleItem]:
        i = self._position(project_id)
        out = []
        for j in np.flatnonzero(~self.eligibility.eligible[i]):
            product_id = self.eligibility.product_ids[j]
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
# per catalogue frame: family and institution as codes into their distinct values (what ``MatchResult._codes`` holds)
_PRODUCT_CODES: FrameCache[dict[str, tuple[np.ndarray, np.ndarray]]] = FrameCache(size=8)


def _product_codes(products: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {}
    for c in ("family", "institution_id"):
        codes, uniques = pd.factorize(products[c].to_numpy(dtype=object), use_na_sentinel=False)
        out[c] = (np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object))
    return out


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
        project_ids = np.asarray(elig.project_ids, dtype=object)
        product_ids = np.asarray(elig.product_ids, dtype=object)
        explainer: Explainer | None = None
        reasons: list[list[str]] | None = None
        by_position = getattr(self.scorer, "score_positions", None)
        if by_position is not None:
            scored = by_position(projects, products, ii, jj)
            score, probability, explainer = scored.score, scored.probability, scored.explain
        else:
            pairs = pd.DataFrame({"project_id": project_ids[ii], "product_id": product_ids[jj]})
            old = self.scorer.score_pairs(projects, products, pairs, margins=None)
            score, probability = old.score, old.probability
            reasons = old.reasons if old.reasons else [[] for _ in range(len(pairs))]
        pc = _PRODUCT_CODES.get(products, _product_codes)
        family, institution = pc["family"][1][pc["family"][0][jj]], pc["institution_id"][1][pc["institution_id"][0][jj]]
        scores = pd.DataFrame({"project_id": project_ids[ii], "product_id": product_ids[jj],
                               "score": np.asarray(score, dtype=float),
                               "probability": np.asarray(probability, dtype=float),
                               "family": family, "institution_id": institution})
        result = MatchResult(self.scorer.version, projects, products, elig, scores, explainer, reasons)
        # the id columns' codes are known here: the views need not factorise the string columns back
        result.__dict__["_codes"] = {"project_id": (ii, project_ids), "product_id": (jj, product_ids),
                                     "family": (pc["family"][0][jj], pc["family"][1]),
                                     "institution_id": (pc["institution_id"][0][jj], pc["institution_id"][1])}
        return result

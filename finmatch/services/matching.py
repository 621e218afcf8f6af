"""Matching use cases: the ``finmatch match`` file command and database-backed views."""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from finmatch.auth import Principal
from finmatch.enums import Family, normalise_city
from finmatch.exceptions import FinmatchError, ImportIssue, ImportValidationError, NotFoundError
from finmatch.frames import products_frame, projects_frame
from finmatch.io.importer import validate_records
from finmatch.io.readers import read_paths
from finmatch.matching import MatchEngine, MatchResult, PairScorer
from finmatch.registry import load_scorer
from finmatch.runtime import open_database
from finmatch.schemas import Enterprise, Event, Institution, Project
from finmatch.settings import Settings
from finmatch.storage import Repository


def match_frames(projects: pd.DataFrame, products: pd.DataFrame, scorer: PairScorer, settings: Settings) -> MatchResult:
    return MatchEngine(scorer, today=settings.effective_today()).run(projects, products)


def match_file(path: Path, top_k: int, settings: Settings, scorer: PairScorer | None = None) -> dict[str, Any]:
    """Rank, for each project in the file, the file's products or else the stored catalogue."""
    return match_file_result(path, settings, scorer).to_output(top_k)


def read_request_file(path: Path, settings: Settings, *, empty: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The projects of a request file and the products to rank them against: the file's own, else the
    stored catalogue. Enterprises the file does not carry are read from the database. ``empty`` is the
    Chinese message when neither has a product."""
    read = read_paths([path])
    doc, issues, _ = validate_records(read)
    if issues:
        raise ImportValidationError(issues=issues)
    if not doc.projects:
        raise FinmatchError(f"{path} 中没有项目")
    db = open_database(settings)
    try:
        with db.factory() as session:
            repo = Repository(session)
            enterprises: dict[str, Enterprise] = {e.key: e for e in doc.enterprises}  # type: ignore[misc]
            missing = {p.enterprise_id for p in doc.projects} - set(enterprises)
            enterprises.update(repo.fetch("enterprises", missing))  # type: ignore[arg-type]
            still = sorted({p.enterprise_id for p in doc.projects} - set(enterprises))
            if still:
                raise ImportValidationError(issues=[ImportIssue(str(path), "-", "enterprise_id",
                                                                f"引用的企业 {e} 不存在") for e in still])
            institutions: dict[str, Institution] = repo.institutions()  # type: ignore[assignment]
            institutions.update({i.key: i for i in doc.institutions})  # type: ignore[misc]
            products = products_frame(doc.products, institutions) if doc.products else repo.products_frame()
    finally:
        db.dispose()
    if products.empty:
        raise FinmatchError(empty)
    return projects_frame(doc.projects, enterprises), products


def match_file_result(path: Path, settings: Settings, scorer: PairScorer | None = None) -> MatchResult:
    """The match result behind :func:`match_file` (names and families for a table a person reads)."""
    projects, products = read_request_file(path, settings, empty="没有可匹配的金融产品：文件和数据库中都没有产品")
    if scorer is None:
        scorer, _ = load_scorer(settings)
    return match_frames(projects, products, scorer, settings)


# ---- database-backed views shared by the API and the pages -----------------------------------------





def jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars unwrapped, NaN as None, tuples as lists, dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


class MatchCache:
    """A small thread-safe LRU of computed views, keyed by (data version, model, view, parameters)."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if self.size <= 0:
            return compute()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        value = compute()
        with self._lock:
            self.misses += 1
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def peek(self, key: tuple[Any, ...]) -> Any | None:
        """The cached value or None, without computing (for callers that compute elsewhere)."""
        if self.size <= 0:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _product_meta(row: Any) -> dict[str, Any]:
    """Display fields of a product from a row (a ``MatchResult.product_info`` dict or a frame row)."""
    return {"product_name": row["name"], "kind": _str(row["kind"]), "institution_name": _str(row["institution_name"])}


def _sector_view(result: MatchResult, project_id: str) -> dict[str, Any]:
    s = result.sector(project_id)
    return {"sector": s.sector, "sector_inferred": s.sector_inferred,
            "sector_confidence": None if s.sector_confidence is None else round(float(s.sector_confidence), 4),
            "sector_uncertain": s.uncertain, "sector_candidates": s.candidates()}


def _match_items(result: MatchResult, project_id: str, top_k: int | None, families: set[str] | None,
                 other: bool = False) -> list[dict]:
    """The project's matches (its requested families), or with ``other`` its eligible products of the
    other families, as API items."""
    return [{"product_id": m.product_id, **_product_meta(result.product_info[m.product_id]), "family": m.family,
             "institution_id": m.institution_id, "rank": m.rank, "score": round(m.score, 6),
             "probability": round(m.probability, 6), "reasons": m.reasons,
             "eligibility_reasons": m.eligibility_reasons, "unknown": m.unknown}
            for m in result.ranked(project_id, top_k, families, other=other)]


def project_frame(session: Session, project_id: str) -> pd.DataFrame:
    """The one-row frame of a project and its enterprise (NotFoundError when absent)."""
    projects = Repository(session).projects_frame([project_id])
    if projects.empty:
        raise NotFoundError(f"中试项目 {project_id} 不存在", field="project_id")
    return projects


def project_matches(session: Session, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
                    project_id: str, **options: Any) -> dict[str, Any]:
    """One project's eligible products ranked (optionally per family) and the ineligible ones with why."""
    return project_view(project_frame(session, project_id), scorer, settings, products, project_id, **options)


def project_view(projects: pd.DataFrame, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
                 project_id: str, *, families: list[str] | None = None, group_by_family: bool = False,
                 top_k: int | None = None, include_ineligible: bool = True,
                 with_what_if: bool = True) -> dict[str, Any]:
    """The CPU-bound part of :func:`project_matches`, on frames already read (no database connection held)."""
    fams = {Family.parse(f).value for f in families} if families else None
    sub = products if fams is None else products[products["family"].isin(fams)]
    result = match_frames(projects, sub, scorer, settings)
    out: dict[str, Any] = {"model": result.model, "project_id": project_id,
                           "project_name": projects.loc[project_id, "name"], **_sector_view(result, project_id),
                           "families": sorted(fams) if fams else None,
                           "matches": _match_items(result, project_id, top_k, None),
                           "other_families": _match_items(result, project_id, top_k, None, other=True),
                           "groups": None, "ineligible": []}
    if group_by_family:
        # groups split the matches only: other families stay in ``other_families``
        wanted = result.requested_families(project_id)
        present = [f.value for f in Family if f.value in set(sub["family"]) and (not wanted or f.value in wanted)]
        out["groups"] = {f: _match_items(result, project_id, top_k, {f}) for f in present}
    if include_ineligible and len(sub):
        out["ineligible"] = [{"product_id": x.product_id, **_product_meta(result.product_info[x.product_id]),
                              "family": x.family, "institution_id": x.institution_id, "failed": x.failed,
                              "reasons": x.reasons, "what_if": x.what_if}
                             for x in result.ineligible(project_id, with_what_if=with_what_if)]
    out["needs_confirmation"] = [{"product_id": c.product_id, **_product_meta(result.product_info[c.product_id]),
                                  "family": c.family, "institution_id": c.institution_id, "unknown": c.unknown,
                                  "facts": c.facts} for c in result.needs_confirmation(project_id)
                                 if fams is None or c.family in fams]
    return jsonable(out)


def product_prospects(session: Session, scorer: PairScorer, settings: Settings, principal: Principal,
                      products: pd.DataFrame, projects: pd.DataFrame, product_id: str, *,
                      city: str | None = None, sector: str | None = None, stage: str | None = None,
                      amount_min: float | None = None, amount_max: float | None = None,
                      offset: int = 0, limit: int = 50, clients: str = "all") -> dict[str, Any]:
    """A product's eligible projects, best first (a bank's or fund's view); owners and staff only.

    Each prospect carries its relationship with the institution (signed before, in due diligence,
    rejected before, with dates) and its credit facts; ``clients`` = all | hide | only filters on
    existing clients (signed or approved with this institution)."""
    from finmatch.services.relationships import CLIENT_FILTERS, credit_facts, relationships

    if product_id not in products.index:
        raise NotFoundError(f"金融产品 {product_id} 不存在", field="product_id")
    if clients not in CLIENT_FILTERS:
        raise FinmatchError("clients 应为 all（全部）、hide（隐藏已签约客户）或 only（只看已签约客户）", field="clients")
    institution_id = str(products.loc[product_id, "institution_id"])
    principal.require_product_access(institution_id)
    sub = projects
    if city:
        sub = sub[sub["city"] == normalise_city(city)]
    if stage:
        sub = sub[sub["stage"] == stage]
    if amount_min is not None:
        sub = sub[sub["funding_need_wan"].astype(float) >= amount_min]
    if amount_max is not None:
        sub = sub[sub["funding_need_wan"].astype(float) <= amount_max]
    items: list[dict[str, Any]] = []
    model = scorer.version
    if len(sub):
        result = match_frames(sub, products.loc[[product_id]], scorer, settings)
        model = result.model
        ranked = result.prospects(product_id)
        for row in ranked.itertuples(index=False):
            s = _sector_view(result, row.project_id)
            if sector and s["sector"] != sector:
                continue
            p = result.projects.loc[row.project_id]
            items.append({"project_id": row.project_id, "project_name": p["name"],
                          "enterprise_name": _str(p["enterprise_name"]), "city": _str(p["city"]),
                          "stage": p["stage"], "funding_need_wan": float(p["funding_need_wan"]), **s,
                          "rank": 0, "score": round(float(row.score), 6),
                          "probability": round(float(row.probability), 6), "reasons": list(row.reasons),
                          **credit_facts(p)})
        status = relationships(session, institution_id, product_id, [x["project_id"] for x in items])
        for item in items:
            item.update(status[item["project_id"]])
        if clients != "all":
            items = [x for x in items if (x["status"] == "client") == (clients == "only")]
    for rank, item in enumerate(items, start=1):
        item["rank"] = rank
    return jsonable({"model": model, "product_id": product_id, **_product_meta(products.loc[product_id]),
                     "items": items[offset:offset + limit], "total": len(items), "offset": offset,
                     "limit": limit})


def event_result(session: Session, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
                 event_id: str) -> tuple[Event, MatchResult]:
    """The event's projects matched against its products (the whole catalogue when it names none)."""
    repo = Repository(session)
    event: Event = repo.require("events", event_id)  # type: ignore[assignment]
    projects = repo.projects_frame(event.project_ids)
    wanted = [p for p in event.product_ids if p in products.index] if event.product_ids else list(products.index)
    return event, match_frames(projects, products.loc[wanted], scorer, settings)


def best_products(result: MatchResult) -> pd.DataFrame:
    """Per (project, institution): the best eligible product and its probability."""
    if result.scores.empty:
        return pd.DataFrame(columns=["project_id", "institution_id", "product_id", "probability"])
    s = result.scores.sort_values(["probability", "product_id"], ascending=[False, True], kind="stable")
    return s.drop_duplicates(["project_id", "institution_id"])[["project_id", "institution_id", "product_id",
                                                                  "probability"]]


def event_matrix(session: Session, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
                 event_id: str) -> dict[str, Any]:
    """Projects × institutions of an event: each institution's best eligible product and probability."""
    event, result = event_result(session, scorer, settings, products, event_id)
    institutions = list(dict.fromkeys(result.products["institution_id"]))
    inst_names = dict(zip(result.products["institution_id"], result.products["institution_name"], strict=True))
    best = {(r.project_id, r.institution_id): r for r in best_products(result).itertuples(index=False)}
    rows = []
    for pid in result.projects.index:
        cells = []
        for inst in institutions:
            b = best.get((pid, inst))
            cells.append({"institution_id": inst, "product_id": None if b is None else b.product_id,
                          "probability": None if b is None else round(float(b.probability), 6)})
        rows.append({"project_id": pid, "project_name": result.projects.loc[pid, "name"],
                     **_sector_view(result, pid), "cells": cells})
    return jsonable({"model": result.model, "event_id": event.event_id, "event_name": event.name,
                     "institutions": [{"institution_id": i, "name": _str(inst_names.get(i))} for i in institutions],
                     "rows": rows})


def adhoc_matches(session: Session, scorer: PairScorer, settings: Settings, products: pd.DataFrame,
                  projects: list[Project], enterprises: list[Enterprise], top_k: int,
                  families: list[str] | None = None) -> dict[str, Any]:
    """Match posted projects (not stored) against the catalogue; the data-format.md output."""
    if not projects:
        raise FinmatchError("请求中没有项目", field="projects")
    known: dict[str, Enterprise] = {e.key: e for e in enterprises}
    missing = {p.enterprise_id for p in projects} - set(known)
    known.update(Repository(session).fetch("enterprises", missing))  # type: ignore[arg-type]
    for i, p in enumerate(projects):
        if p.enterprise_id not in known:
            raise NotFoundError(f"引用的企业 {p.enterprise_id} 不存在（请在请求中提供或先导入）",
                                 field=f"projects.{i}.enterprise_id")
    fams = {Family.parse(f).value for f in families} if families else None
    sub = products if fams is None else products[products["family"].isin(fams)]
    if sub.empty:
        raise FinmatchError("没有可匹配的金融产品", field="families")
    result = match_frames(projects_frame(projects, known), sub, scorer, settings)
    return jsonable(result.to_output(top_k))

"""Catalogue use cases: list, read, create, replace, patch and delete the v1 entities, with role rules.

Shared by the API routes and the pages; no HTTP here. Every write goes through the audited
Repository with the caller's actor and bumps :class:`DataCaches` so cached frames and rankings
are rebuilt. Enterprise contact fields are blanked for callers who may not see them.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from finmatch.auth import Principal, Role
from finmatch.enums import GUANGXI, GUANGXI_CITIES, normalise_city
from finmatch.exceptions import FinmatchError, NotFoundError, PermissionDeniedError
from finmatch.io.importer import check_references
from finmatch.schemas import CONTACT_FIELDS, ENTITY_LABELS, ENTITY_MODELS, Document, Entity, Outcome, Product
from finmatch.services.common import (
    MATCH_INPUTS,
    ListQuery,
    Page,
    contains,
    data_version,
    list_entities,
    storable,
)
from finmatch.storage import Repository
from finmatch.storage.convert import pk_column
from finmatch.storage.orm import AuditRow, EnterpriseRow, OutcomeRow, ProductRow, ProjectRow

ENTITIES = ("institutions", "enterprises", "projects", "products", "events", "outcomes")


_MATCH_VERSION = select(func.max(AuditRow.audit_id)).where(AuditRow.entity.in_(MATCH_INPUTS))


class DataCaches:
    """Process-local caches keyed by the data version (newest audit id) plus a local generation.

    The version query catches writes made by other processes (a CLI import); the generation is
    bumped by this process's writes so they show at once. The product and project frames are
    rebuilt only when either changes.
    """

    def __init__(self) -> None:
        self.generation = 0
        self._lock = threading.Lock()
        self._frames: dict[str, tuple[tuple[int, int], pd.DataFrame]] = {}

    def bump(self) -> None:
        with self._lock:
            self.generation += 1
            self._frames.clear()

    def version(self, session: Session) -> tuple[int, int]:
        return data_version(session, MATCH_INPUTS), self.generation

    def version_from(self, engine: Engine) -> tuple[int, int]:
        """The same as :meth:`version` with one plain SQL statement (no ORM session): the hot path."""
        with engine.connect() as conn:
            newest = conn.execute(_MATCH_VERSION).scalar()
        return int(newest or 0), self.generation

    def _frame(self, session: Session, name: str, build: Callable[[Repository], pd.DataFrame],
               version: tuple[int, int] | None = None) -> pd.DataFrame:
        version = version or self.version(session)
        hit = self._frames.get(name)
        if hit is not None and hit[0] == version:
            return hit[1]
        frame = build(Repository(session))
        with self._lock:
            self._frames[name] = (version, frame)
        return frame

    def products_frame(self, session: Session, version: tuple[int, int] | None = None) -> pd.DataFrame:
        """The whole catalogue as the matching frame; reused while the data is unchanged."""
        return self._frame(session, "products", lambda r: r.products_frame(), version)

    def projects_frame(self, session: Session, version: tuple[int, int] | None = None) -> pd.DataFrame:
        return self._frame(session, "projects", lambda r: r.projects_frame(), version)


# ---- role rules ----------------------------------------------------------------------------------

def _product_institution(session: Session, product_id: str) -> str | None:
    return session.scalar(select(ProductRow.institution_id).where(ProductRow.product_id == product_id))


def check_write(session: Session, principal: Principal, entity: str, model: Entity | None,
                old: Entity | None = None) -> None:
    """Raise PermissionDeniedError unless the principal may write this entity (old and new state)."""
    if principal.role == Role.ADMIN:
        return
    if entity == "events":
        principal.require_staff()
        return
    if entity == "products":
        for m in (old, model):
            if m is not None:
                assert isinstance(m, Product)
                principal.require_product_edit(m.institution_id)
        return
    if entity == "outcomes":
        if principal.is_staff:
            return
        for m in (old, model):
            if m is not None:
                assert isinstance(m, Outcome)
                inst = _product_institution(session, m.product_id)
                if not principal.owns(inst):
                    raise PermissionDeniedError("只能记录本机构产品的对接结果", field="product_id")
        return
    raise PermissionDeniedError(f"仅管理员可修改{ENTITY_LABELS[entity]}")


def visible(principal: Principal, entity: str, model: Entity) -> Entity:
    """The entity as this principal may see it (contact fields blanked for institutions)."""
    if entity == "enterprises" and not principal.can_see_contacts():
        return model.model_copy(update={**{f: None for f in CONTACT_FIELDS}, "extra": {}})
    return model


def _own_outcomes(principal: Principal) -> Callable[[Select[Any]], Select[Any]] | None:
    if principal.is_staff:
        return None
    own = select(ProductRow.product_id).where(ProductRow.institution_id == principal.institution_id)
    return lambda stmt: stmt.where(OutcomeRow.product_id.in_(own))


# ---- filters -----------------------------------------------------------------------------------

def _serves_city(city: str | None) -> Callable[[Any], bool] | None:
    if city is None:
        return None
    city = normalise_city(city)

    def pred(row: Any) -> bool:
        cities = row.cities or []
        return not cities or city in cities or (GUANGXI in cities and city in GUANGXI_CITIES)

    return pred


def build_query(entity: str, filters: dict[str, Any], q: str | None, sort: str | None, offset: int,
                limit: int) -> tuple[ListQuery, Callable[[Select[Any]], Select[Any]] | None]:
    """Split the resource's filters into column equalities, list predicates and joins."""
    f = {k: v for k, v in filters.items() if v is not None and v != ""}
    eq: dict[str, Any] = {}
    preds: list[Callable[[Any], bool] | None] = []
    base: Callable[[Select[Any]], Select[Any]] | None = None
    list_filters = {  # filter name -> (list column, empty list means any)
        "enterprises": {"certification": ("certifications", False)},
        "projects": {"funding_type": ("funding_types", False), "three_first": ("three_firsts", False)},
        "products": {"sector": ("sectors", True), "stage": ("stages", True),
                     "certification": ("required_certifications_any", False)},
        "events": {"project_id": ("project_ids", False), "product_id": ("product_ids", False)},
    }.get(entity, {})
    for name, value in f.items():
        if name in list_filters:
            column, any_ok = list_filters[name]
            preds.append(contains(column, str(value), any_ok))
        elif entity == "products" and name == "city":
            preds.append(_serves_city(str(value)))
        elif entity == "projects" and name == "city":
            city = normalise_city(str(value))
            in_city = select(EnterpriseRow.enterprise_id).where(EnterpriseRow.city == city)
            base = lambda stmt, sub=in_city: stmt.where(ProjectRow.enterprise_id.in_(sub))  # noqa: E731
        else:
            eq[name] = value.value if hasattr(value, "value") else value
    query = ListQuery(eq, [p for p in preds if p is not None], q, sort, offset, limit)
    return query, base


# ---- use cases ---------------------------------------------------------------------------------

def list_page(session: Session, principal: Principal, entity: str, filters: dict[str, Any], *,
              q: str | None = None, sort: str | None = None, offset: int = 0, limit: int = 50) -> Page[Entity]:
    query, base = build_query(entity, filters, q, sort, offset, limit)
    if entity == "outcomes":
        own = _own_outcomes(principal)
        if own is not None:
            base = own if base is None else (lambda s, a=base, b=own: b(a(s)))
    page = list_entities(session, entity, query, base)
    page.items = [visible(principal, entity, m) for m in page.items]
    return page


def get_one(session: Session, principal: Principal, entity: str, key: str) -> Entity:
    model = Repository(session).require(entity, key)
    if entity == "outcomes" and not principal.is_staff:
        assert isinstance(model, Outcome)
        if not principal.owns(_product_institution(session, model.product_id)):
            raise PermissionDeniedError("只能查看本机构产品的对接结果")
    return visible(principal, entity, model)


def _check_references(session: Session, entity: str, model: Entity) -> None:
    doc = Document.model_validate({entity: [model]})
    issues = check_references(doc, Repository(session), defaultdict(dict))
    if issues:
        raise NotFoundError(issues[0].message, field=issues[0].field)


def create(session: Session, principal: Principal, entity: str, model: Entity,
           caches: DataCaches | None = None) -> Entity:
    check_write(session, principal, entity, model)
    _check_references(session, entity, model)
    with storable(session):
        Repository(session, actor=principal.actor).create(entity, model)
        session.commit()
    if caches is not None and entity in MATCH_INPUTS:
        caches.bump()
    return visible(principal, entity, model)


def replace(session: Session, principal: Principal, entity: str, key: str, model: Entity,
            caches: DataCaches | None = None) -> Entity:
    """PUT: the body is the whole entity; its id must be the one in the path."""
    if model.key != key:
        field = pk_column(entity) if entity != "outcomes" else "stage"
        raise FinmatchError(f"请求体中的编号 {model.key} 与路径中的 {key} 不一致", field=field)
    repo = Repository(session, actor=principal.actor)
    old = repo.require(entity, key)
    check_write(session, principal, entity, model, old)
    _check_references(session, entity, model)
    with storable(session):
        repo.save(entity, model, action="update")
        session.commit()
    if caches is not None and entity in MATCH_INPUTS:
        caches.bump()
    return visible(principal, entity, model)


def patch(session: Session, principal: Principal, entity: str, key: str, changes: dict[str, Any],
          caches: DataCaches | None = None) -> Entity:
    """PATCH: merge the given fields into the stored entity and validate the result as a whole."""
    old = Repository(session).require(entity, key)
    ident = {pk_column(entity)} if entity != "outcomes" else {"project_id", "product_id", "event_id", "stage"}
    for name in ident & set(changes):
        if str(changes[name]) != str(getattr(old, name).value if hasattr(getattr(old, name), "value")
                                    else getattr(old, name)):
            raise FinmatchError("编号字段不可修改", field=name)
    merged = {**old.model_dump(mode="json"), **changes}
    model = ENTITY_MODELS[entity].model_validate(merged)  # pydantic.ValidationError -> 422 with fields
    return replace(session, principal, entity, key, model, caches)


def delete(session: Session, principal: Principal, entity: str, key: str, caches: DataCaches | None = None) -> None:
    repo = Repository(session, actor=principal.actor)
    old = repo.require(entity, key)
    check_write(session, principal, entity, None, old)
    repo.delete(entity, key)
    session.commit()
    if caches is not None and entity in MATCH_INPUTS:
        caches.bump()

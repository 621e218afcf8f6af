"""Repository over the entity tables: typed reads, paginated lists, audited upserts and deletes.

Every write records an append-only audit row (who, what, before/after) in the same transaction,
so a rolled-back import leaves neither data nor audit behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from finmatch.exceptions import ConflictError, NotFoundError
from finmatch.frames import products_frame, projects_frame
from finmatch.schemas import (
    ENTITY_LABELS,
    ENTITY_ORDER,
    Document,
    Enterprise,
    Entity,
    Event,
    Institution,
    Outcome,
    Product,
    Project,
)
from finmatch.storage.convert import from_row, pk_column, table_of, to_row
from finmatch.storage.orm import AuditRow

_CHUNK = 500


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Repository:
    def __init__(self, session: Session, actor: str = "system") -> None:
        self.session = session
        self.actor = actor

    # ---- reads -------------------------------------------------------------------------------
    def get(self, entity: str, key: str) -> Entity | None:
        row = self.session.get(table_of(entity), key)
        return None if row is None else from_row(entity, row)

    def require(self, entity: str, key: str) -> Entity:
        found = self.get(entity, key)
        if found is None:
            raise NotFoundError(f"{ENTITY_LABELS[entity]} {key} 不存在", field=pk_column(entity))
        return found

    def all(self, entity: str) -> list[Entity]:
        table = table_of(entity)
        pk = getattr(table, pk_column(entity))
        return [from_row(entity, r) for r in self.session.scalars(select(table).order_by(pk))]

    def fetch(self, entity: str, keys: Iterable[str]) -> dict[str, Entity]:
        table = table_of(entity)
        pk = getattr(table, pk_column(entity))
        wanted = list(dict.fromkeys(keys))
        out: dict[str, Entity] = {}
        for part in _chunks(wanted):
            for r in self.session.scalars(select(table).where(pk.in_(part))):
                m = from_row(entity, r)
                out[m.key] = m
        return out

    def existing_keys(self, entity: str, keys: Iterable[str]) -> set[str]:
        table = table_of(entity)
        pk = getattr(table, pk_column(entity))
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        for part in _chunks(wanted):
            found.update(self.session.scalars(select(pk).where(pk.in_(part))))
        return found

    def count(self, entity: str) -> int:
        return int(self.session.scalar(select(func.count()).select_from(table_of(entity))) or 0)

    # ---- writes ------------------------------------------------------------------------------
    def upsert_many(self, entity: str, models: Sequence[Entity], action: str = "upsert") -> tuple[int, int]:
        """Insert new and update changed entities by id; returns (inserted, updated)."""
        if not models:
            return 0, 0
        table = table_of(entity)
        by_key = {m.key: m for m in models}  # the last occurrence of an id wins
        before = self.fetch(entity, by_key)
        new_rows, changed_rows, audits = [], [], []
        for key, model in by_key.items():
            old = before.get(key)
            if old is None:
                new_rows.append(to_row(entity, model))
                audits.append(self._audit_row(f"{action}:insert", entity, key, None, model))
            elif old != model:
                changed_rows.append(to_row(entity, model))
                audits.append(self._audit_row(f"{action}:update", entity, key, old, model))
        if new_rows:
            self.session.execute(insert(table), new_rows)
        if changed_rows:
            self.session.execute(update(table), changed_rows)
        if audits:
            self.session.execute(insert(AuditRow), audits)
        self.session.flush()
        return len(new_rows), len(changed_rows)

    def save(self, entity: str, model: Entity, action: str = "save") -> Entity:
        self.upsert_many(entity, [model], action=action)
        return model

    def create(self, entity: str, model: Entity) -> Entity:
        """Insert or 409, never an update: a plain INSERT, so of concurrent creates of one id the
        database's unique key lets exactly one through and the others get ConflictError."""
        exists = ConflictError(f"{ENTITY_LABELS[entity]} {model.key} 已存在", field=pk_column(entity))
        if self.existing_keys(entity, [model.key]):
            raise exists
        try:
            self.session.execute(insert(table_of(entity)), [to_row(entity, model)])
            self.session.flush()
        except IntegrityError as exc:
            self.session.rollback()
            if self.existing_keys(entity, [model.key]):
                raise exists from exc
            raise ConflictError(f"{ENTITY_LABELS[entity]} {model.key} 引用的记录已被修改或删除，请刷新后重试") from exc
        self.session.execute(insert(AuditRow), [self._audit_row("create:insert", entity, model.key, None, model)])
        self.session.flush()
        return model

    def delete(self, entity: str, key: str) -> None:
        table = table_of(entity)
        row = self.session.get(table, key)
        if row is None:
            raise NotFoundError(f"{ENTITY_LABELS[entity]} {key} 不存在", field=pk_column(entity))
        old = from_row(entity, row)
        self.session.delete(row)
        try:
            self.session.flush()
        except IntegrityError as exc:  # still referenced
            self.session.rollback()
            raise ConflictError(f"{ENTITY_LABELS[entity]} {key} 仍被其他记录引用，无法删除") from exc
        self.session.execute(insert(AuditRow), [self._audit_row("delete", entity, key, old, None)])

    def audit(self, action: str, entity: str, entity_id: str, before: dict[str, Any] | None,
              after: dict[str, Any] | None) -> None:
        self.session.add(AuditRow(actor=self.actor, action=action, entity=entity, entity_id=entity_id,
                                  before=before, after=after))

    def _audit_row(self, action: str, entity: str, key: str, old: Entity | None,
                   new: Entity | None) -> dict[str, Any]:
        return {"actor": self.actor, "action": action, "entity": entity, "entity_id": key,
                "before": old.model_dump(mode="json") if old is not None else None,
                "after": new.model_dump(mode="json") if new is not None else None}

    def import_document(self, doc: Document, action: str = "import") -> dict[str, tuple[int, int]]:
        """Upsert every list of a validated document, parents first."""
        return {name: self.upsert_many(name, doc.entities(name), action=action)
                for name in ENTITY_ORDER if doc.entities(name)}

    # ---- views used by matching ---------------------------------------------------------------
    def load_document(self, entities: Iterable[str] = ENTITY_ORDER) -> Document:
        return Document.from_lists({name: self.all(name) for name in entities})

    def institutions(self) -> dict[str, Institution]:
        return {m.key: m for m in self.all("institutions")}  # type: ignore[misc]

    def projects_frame(self, project_ids: Iterable[str] | None = None) -> pd.DataFrame:
        found = self.fetch("projects", project_ids).values() if project_ids is not None else self.all("projects")
        projects = [p for p in found if isinstance(p, Project)]
        enterprises: dict[str, Enterprise] = self.fetch(
            "enterprises", {p.enterprise_id for p in projects})  # type: ignore[assignment]
        return projects_frame(projects, enterprises)

    def products_frame(self, product_ids: Iterable[str] | None = None) -> pd.DataFrame:
        found = self.fetch("products", product_ids).values() if product_ids is not None else self.all("products")
        products = [p for p in found if isinstance(p, Product)]
        return products_frame(products, self.institutions())

    def outcomes(self) -> list[Outcome]:
        return self.all("outcomes")  # type: ignore[return-value]

    def events(self) -> list[Event]:
        return self.all("events")  # type: ignore[return-value]

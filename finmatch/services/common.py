"""Helpers shared by the service modules: parameter errors, pages of entities, the data version."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from finmatch.exceptions import InvalidParameterError
from finmatch.schemas import Entity
from finmatch.storage.convert import from_row, pk_column, table_of
from finmatch.storage.orm import AuditRow

T = TypeVar("T")
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
LIST_COLUMNS = {"certifications", "funding_types", "three_firsts", "sectors", "stages", "cities",
                "required_certifications_any", "project_ids", "product_ids", "extra"}


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


@dataclass
class ListQuery:
    """Equality filters on columns, Python-side predicates on rows, text search, sort and a window."""

    filters: dict[str, Any]
    predicates: list[Callable[[Any], bool]]
    q: str | None = None
    sort: str | None = None
    offset: int = 0
    limit: int = 50


def check_window(offset: int, limit: int) -> None:
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidParameterError(f"offset 应在 0 到 {MAX_OFFSET} 之间", field="offset")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameterError(f"limit 应在 1 到 {MAX_LIMIT} 之间", field="limit")


def list_entities(session: Session, entity: str, query: ListQuery,
                  base: Callable[[Select[Any]], Select[Any]] | None = None) -> Page[Entity]:
    """One page of an entity table; ``base`` may narrow the statement (e.g. an institution's own rows)."""
    check_window(query.offset, query.limit)
    table = table_of(entity)
    stmt: Select[Any] = select(table)
    if base is not None:
        stmt = base(stmt)
    for name, value in query.filters.items():
        if value is None:
            continue
        stmt = stmt.where(getattr(table, name) == value)
    if query.q:
        text = query.q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{text}%"  # % and _ are searched for, not wildcards
        cols = [c for c in (pk_column(entity), "name", "description") if hasattr(table, c)]
        stmt = stmt.where(or_(*[getattr(table, c).ilike(like, escape="\\") for c in cols]))
    sort_key = query.sort or pk_column(entity)
    desc = sort_key.startswith("-")
    name = sort_key.lstrip("-+ ")
    if name not in table.__table__.columns or name in LIST_COLUMNS:  # type: ignore[attr-defined]
        raise InvalidParameterError(f"无法按字段 {name} 排序", field="sort")
    col = getattr(table, name)
    pk = getattr(table, pk_column(entity))
    stmt = stmt.order_by(col.desc() if desc else col.asc(), pk.asc())
    if query.predicates:
        rows = [r for r in session.scalars(stmt) if all(p(r) for p in query.predicates)]
        window = rows[query.offset:query.offset + query.limit]
        return Page([from_row(entity, r) for r in window], len(rows), query.offset, query.limit)
    total = int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)
    rows = list(session.scalars(stmt.offset(query.offset).limit(query.limit)))
    return Page([from_row(entity, r) for r in rows], total, query.offset, query.limit)


def contains(column: str, value: str | None, empty_means_any: bool = False) -> Callable[[Any], bool] | None:
    """Predicate: the row's list column holds ``value`` (or is empty, when empty means 'any')."""
    if value is None:
        return None

    def pred(row: Any) -> bool:
        items = getattr(row, column) or []
        return value in items or (empty_means_any and not items)

    return pred


@contextmanager
def storable(session: Session) -> Iterator[None]:
    """Turn the database refusing a value (integer overflow, text too long) into a 422 naming no field."""
    try:
        yield
    except (OverflowError, DataError) as exc:
        session.rollback()
        raise InvalidParameterError("有数值或文本超出数据库可存储的范围（整数过大或文本过长）") from exc


# Entities whose writes change match views. Outcomes (recorded all through an event) and agendas do
# not: the history features are frozen in the trained model, so recording one keeps cached rankings.
MATCH_INPUTS: tuple[str, ...] = ("institutions", "enterprises", "projects", "products", "events")


def data_version(session: Session, entities: tuple[str, ...] | None = None) -> int:
    """The newest audit id (of these entities): every write through the repository appends one."""
    stmt = select(func.max(AuditRow.audit_id))
    if entities is not None:
        stmt = stmt.where(AuditRow.entity.in_(entities))
    return int(session.scalar(stmt) or 0)

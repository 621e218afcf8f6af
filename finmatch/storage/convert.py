"""Mechanical conversion between pydantic v1 models and table rows (same field names)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from finmatch.schemas import ENTITY_MODELS, Entity, Outcome
from finmatch.storage.orm import ENTITY_TABLES, PRIMARY_KEYS, Base


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_row(entity_name: str, model: Entity) -> dict[str, Any]:
    row = {k: _plain(v) for k, v in model.model_dump(mode="python").items()}
    if entity_name == "outcomes":
        assert isinstance(model, Outcome)
        row["outcome_key"] = model.key
    return row


def from_row(entity_name: str, row: Base | dict[str, Any]) -> Entity:
    model_cls = ENTITY_MODELS[entity_name]
    if not isinstance(row, dict):
        row = {c.key: getattr(row, c.key) for c in row.__table__.columns}  # type: ignore[attr-defined]
    data = {k: v for k, v in row.items() if k in model_cls.model_fields}
    data["extra"] = data.get("extra") or {}
    return model_cls.model_validate(data)


def table_of(entity_name: str) -> type[Base]:
    return ENTITY_TABLES[entity_name]


def pk_column(entity_name: str) -> str:
    return PRIMARY_KEYS[entity_name]

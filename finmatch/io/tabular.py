"""Header and cell conventions shared by CSV/XLSX readers and writers."""

from __future__ import annotations

import datetime as dt
import math
from enum import Enum
from typing import Any

from finmatch.schemas import ENTITY_LABELS, ENTITY_MODELS, FIELD_LABELS, Entity

# entity name from a file stem or sheet name: "projects", "中试项目", "项目" …
_ENTITY_ALIASES: dict[str, str] = {**{k: k for k in ENTITY_MODELS}, **{v: k for k, v in ENTITY_LABELS.items()},
                                    "项目": "projects", "产品": "products", "活动": "events", "结果": "outcomes",
                                    "机构名录": "institutions", "企业名录": "enterprises"}


def entity_for_name(name: str) -> str | None:
    stem = name.strip()
    if stem in _ENTITY_ALIASES:
        return _ENTITY_ALIASES[stem]
    lowered = stem.lower()
    for alias, entity in _ENTITY_ALIASES.items():
        if lowered == alias.lower() or lowered.endswith("_" + alias.lower()) or lowered.endswith("-" + alias.lower()):
            return entity
    return None


def header_map(entity: str) -> dict[str, str]:
    """Map every accepted header (English field, Chinese label, label without unit) to the field."""
    fields = FIELD_LABELS[entity]
    out: dict[str, str] = {}
    for field, label in fields.items():
        out[field] = field
        out[field.lower()] = field
        out[label] = field
        bare = label.split("(")[0].split("（")[0].strip()
        out.setdefault(bare, field)
    # a few fields without their own Chinese label in the spec
    out.setdefault("城市", "city")
    return out


def resolve_headers(entity: str, headers: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index -> field for known headers, and the unknown headers (kept as ``extra``)."""
    mapping = header_map(entity)
    known: dict[int, str] = {}
    unknown: list[str] = []
    for i, raw in enumerate(headers):
        h = (raw or "").strip().lstrip("\ufeff")
        if not h:
            continue
        field = mapping.get(h) or mapping.get(h.lower())
        if field:
            known[i] = field
        else:
            unknown.append(h)
    return known, unknown


def cell_text(value: Any, chinese: bool) -> Any:
    """A cell value for export: enums as codes or labels, lists joined with ';', bools 是/否."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return getattr(value, "label", value.value) if chinese else value.value
    if isinstance(value, list | tuple):
        return ";".join(str(cell_text(v, chinese)) for v in value)
    if isinstance(value, bool):
        return ("是" if value else "否") if chinese else ("true" if value else "false")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def entity_columns(entity: str, models: list[Entity], chinese: bool) -> tuple[list[str], list[str], list[str]]:
    """(field names, header texts, extra column names) for an export."""
    fields = list(FIELD_LABELS[entity])
    headers = [FIELD_LABELS[entity][f] if chinese else f for f in fields]
    extras = sorted({k for m in models for k in m.extra})
    return fields, headers, extras


def model_cells(model: Entity, fields: list[str], extras: list[str], chinese: bool) -> list[Any]:
    return [cell_text(getattr(model, f), chinese) for f in fields] + [model.extra.get(e) for e in extras]

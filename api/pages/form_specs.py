"""What the create/edit forms show for each entity and how typed form values become a model.

Form values go through the import's cell rules (``finmatch.io.cells``: 1,200 / 1200万元, 45%, 是/否,
2026年3月5日) and the v1 model, so the forms accept and refuse exactly what an import does, with
the same Chinese reasons, per field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import ValidationError

from finmatch.io.cells import (
    BOOL_FIELDS,
    DATE_FIELDS,
    INT_FIELDS,
    MONEY_FIELDS,
    RATIO_FIELDS,
    normalise_record,
)
from finmatch.io.error_report import enum_of, reason
from finmatch.io.ids import derived_id
from finmatch.schemas import ENTITY_MODELS, FIELD_LABELS, Entity

FORM_ENTITIES = ("projects", "enterprises", "products", "institutions", "events")
HIDDEN = {"extra"}
TEXTAREAS = {"description"}
PICKERS = {"project_ids": "projects", "product_ids": "products"}
REFS = {"enterprise_id": "enterprises", "institution_id": "institutions"}
LABELS = {"city": "所在城市", "project_ids": "参会项目", "product_ids": "参会产品",
          "slot_minutes": "每时段分钟数", "max_meetings_per_project": "每项目洽谈上限",
          "max_meetings_per_institution": "每机构洽谈上限"}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text textarea number ratio int date bool enum enum_list list picker ref
    required: bool
    options: dict[str, str] | None = None
    hint: str = ""


def specs(entity: str) -> list[FieldSpec]:
    model = ENTITY_MODELS[entity]
    out = []
    for name, label in FIELD_LABELS[entity].items():
        info = model.model_fields[name]
        enum, many = enum_of(entity, name)
        hint = ""
        if name in PICKERS:
            kind = "picker"
        elif name in REFS:
            kind = "ref"
        elif enum is not None:
            kind = "enum_list" if many else "enum"
        elif name in TEXTAREAS:
            kind = "textarea"
        elif name in BOOL_FIELDS:
            kind = "bool"
        elif name in DATE_FIELDS:
            kind = "date"
        elif name in RATIO_FIELDS:
            kind, hint = "ratio", "0.45 或 45%"
        elif name in MONEY_FIELDS:
            kind, hint = "number", "万元，可写 1,200 或 1.2亿元"
        elif name in INT_FIELDS:
            kind = "int"
        elif name == "cities":
            kind, hint = "list", "多个用、分隔；“广西”表示全区"
        else:
            kind = "text"
        if name == model.ID_FIELD:
            hint = "留空则按名称自动生成"
        out.append(FieldSpec(name, LABELS.get(name, label), kind, info.is_required() and name != model.ID_FIELD,
                             enum.labels() if enum is not None else None, hint))
    return out


def form_values(model: Entity | None, entity: str) -> dict[str, Any]:
    """A stored entity as form values (strings, lists of codes for multi-selects)."""
    if model is None:  # a new record: the model's defaults (8 slots, 20 minutes …), else blank
        out_new: dict[str, Any] = {}
        for s in specs(entity):
            default = ENTITY_MODELS[entity].model_fields[s.name].default
            shown = default if isinstance(default, int | float | str) and not isinstance(default, bool) else ""
            out_new[s.name] = [] if s.kind in ("enum_list", "picker") else ("" if shown is None else str(shown))
        return out_new
    out: dict[str, Any] = {}
    for s in specs(entity):
        value = getattr(model, s.name)
        if s.kind in ("enum_list", "picker"):
            out[s.name] = [v.value if isinstance(v, Enum) else str(v) for v in value]
        elif s.kind == "list":
            out[s.name] = "、".join(value)
        elif s.kind == "bool":
            out[s.name] = "1" if value else ""
        elif isinstance(value, Enum):
            out[s.name] = value.value
        elif isinstance(value, dt.date):
            out[s.name] = value.isoformat()
        elif isinstance(value, float) and value.is_integer():
            out[s.name] = str(int(value))
        else:
            out[s.name] = "" if value is None else str(value)
    return out


def draft_values(draft: dict[str, Any], entity: str = "products") -> dict[str, Any]:
    """A product draft (v1 values) as form values."""
    out = form_values(None, entity)
    for s in specs(entity):
        if s.name not in draft:
            continue
        value = draft[s.name]
        if s.kind in ("enum_list", "picker"):
            out[s.name] = [str(v) for v in value]
        elif s.kind == "list":
            out[s.name] = "、".join(map(str, value))
        elif s.kind == "bool":
            out[s.name] = "1" if value else ""
        elif isinstance(value, float) and value.is_integer():
            out[s.name] = str(int(value))
        else:
            out[s.name] = str(value)
    return out


def read_form(entity: str, form: Any) -> dict[str, Any]:
    """The submitted values as typed (lists for multi-selects), for re-showing the form."""
    values: dict[str, Any] = {}
    for s in specs(entity):
        if s.kind in ("enum_list", "picker"):
            values[s.name] = [str(v) for v in form.getlist(s.name) if str(v).strip()]
        elif s.kind == "bool":
            values[s.name] = "1" if form.get(s.name) else ""
        else:
            values[s.name] = str(form.get(s.name) or "").strip()
    return values


def derive_key(entity: str, data: dict[str, Any]) -> str | None:
    """The id a new record gets when none is typed: the same one an import of the row would give."""
    name = str(data.get("name") or "").strip()
    if not name:
        return None
    if entity == "projects":
        return derived_id("projects", data.get("enterprise_id") or "", name) if data.get("enterprise_id") else None
    if entity == "products":
        return derived_id("products", data.get("institution_id") or "", name) if data.get("institution_id") else None
    if entity == "enterprises":
        return derived_id("enterprises", str(data.get("credit_code") or "").strip().upper() or name)
    if entity == "events":
        return derived_id("events", name, normalise_record({"date": data.get("date")}).get("date"))
    return derived_id(entity, name)


def to_model(entity: str, values: dict[str, Any], extra: dict[str, str] | None = None
             ) -> tuple[Entity | None, dict[str, str]]:
    """(model, {}) or (None, Chinese errors by field)."""
    data: dict[str, Any] = {}
    for s in specs(entity):
        v = values.get(s.name)
        if s.kind == "bool":
            data[s.name] = bool(v)
        elif s.kind in ("enum_list", "picker"):
            data[s.name] = list(v or [])
        else:
            data[s.name] = v if v not in ("", None) else None
    model_cls = ENTITY_MODELS[entity]
    # a blank field with a default (slots = 8, a flag, a list) takes the default
    data = {k: v for k, v in normalise_record(data).items()
            if v is not None or model_cls.model_fields[k].is_required()}
    if model_cls.ID_FIELD and not data.get(model_cls.ID_FIELD):
        data[model_cls.ID_FIELD] = derive_key(entity, data)
    data["extra"] = dict(extra or {})
    try:
        return model_cls.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
            name = loc[0] if loc else "form"
            if name == model_cls.ID_FIELD and values.get(name) in ("", None) and len(exc.errors()) > 1:
                continue  # derived from the failing fields: those say why
            errors.setdefault(name, reason(dict(err), entity)[0])
        return None, errors

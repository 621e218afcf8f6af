"""Storage bounds of the v1 fields, checked by the schema first (``tests/security/test_hostile_values.py``
compares them with the ORM columns), so SQLite and PostgreSQL see only values both can store and the
error names the field in Chinese."""

from __future__ import annotations

import re
from typing import Any

from finmatch.field_labels import FIELD_LABELS

ID_MAX = 64  # every id column is VARCHAR(64)
DESCRIPTION_MAX = 10_000  # project/product descriptions (TEXT): bounds tokenising and matching work
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # INTEGER on PostgreSQL
EXTRA_MAX_COLUMNS, EXTRA_KEY_MAX, EXTRA_VALUE_MAX = 200, 100, 2_000
LIST_MAX_ITEMS = 5_000
MAX_LENGTHS: dict[str, dict[str, int]] = {
    "Institution": {"institution_id": ID_MAX, "name": 200, "city": 64},
    "Enterprise": {"enterprise_id": ID_MAX, "name": 200, "credit_code": 18, "city": 64, "contact_person": 100,
                   "contact_phone": 50, "contact_email": 200},
    "Project": {"project_id": ID_MAX, "enterprise_id": ID_MAX, "name": 300, "description": DESCRIPTION_MAX,
                "pilot_platform": 300},
    "Product": {"product_id": ID_MAX, "institution_id": ID_MAX, "name": 300, "kind": 100,
                "description": DESCRIPTION_MAX, "cities": 64},
    "Event": {"event_id": ID_MAX, "name": 300, "city": 64, "project_ids": ID_MAX, "product_ids": ID_MAX},
    "Outcome": {"project_id": ID_MAX, "product_id": ID_MAX, "event_id": ID_MAX},
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # NUL, other C0, DEL, lone surrogates
_ID_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def _label_of(model: str, name: str) -> str:
    entity = {"Institution": "institutions", "Enterprise": "enterprises", "Project": "projects",
              "Product": "products", "Event": "events", "Outcome": "outcomes"}.get(model, "")
    label = FIELD_LABELS.get(entity, {}).get(name)
    return f"{label}（{name}）" if label else name


def _check_text(model: str, name: str, text: str, limit: int | None, is_id: bool) -> None:
    if (_ID_CONTROL if is_id else _CONTROL).search(text):
        raise ValueError(f"{_label_of(model, name)}含有控制字符（如 NUL、换行），请删除后重试 / control characters")
    if limit is not None and len(text) > limit:
        raise ValueError(f"{_label_of(model, name)}过长：最多 {limit} 个字符，实为 {len(text)} 个 / "
                         f"at most {limit} characters")


def check_storable(model: str, name: str, value: Any) -> Any:
    """One field's value against what both databases store: lengths, 32-bit integers, no control
    characters; a Chinese ValueError naming the field otherwise."""
    limit = MAX_LENGTHS.get(model, {}).get(name)
    is_id = name.endswith("_id") or name.endswith("_ids")
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            raise ValueError(f"{_label_of(model, name)}超出可存储的整数范围（{INT_MIN} 到 {INT_MAX}） / out of range")
    elif isinstance(value, str):
        _check_text(model, name, value, limit, is_id)
    elif isinstance(value, list):
        if len(value) > LIST_MAX_ITEMS:
            raise ValueError(f"{_label_of(model, name)}最多 {LIST_MAX_ITEMS} 项 / too many items")
        for item in value:
            if isinstance(item, str):
                _check_text(model, name, item, limit, is_id)
    elif isinstance(value, dict):  # extra: unknown columns kept as text
        if len(value) > EXTRA_MAX_COLUMNS:
            raise ValueError(f"未识别的列过多：最多保留 {EXTRA_MAX_COLUMNS} 列，实为 {len(value)} 列，请删除多余的列 / "
                             "too many unknown columns")
        for k, v in value.items():
            _check_text(model, f"附加列 {k}", str(k), EXTRA_KEY_MAX, False)
            _check_text(model, f"附加列 {k}", str(v), EXTRA_VALUE_MAX, False)
    return value

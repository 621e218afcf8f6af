"""Hostile values: refused by the schema with a Chinese error naming the field, the same on SQLite and
PostgreSQL, through the import and through the API; nothing written."""

from __future__ import annotations

import json
import typing
from enum import Enum

import pytest
from sqlalchemy import String, func, select

from finmatch.exceptions import ImportValidationError
from finmatch.io import import_read, read_upload
from finmatch.schemas import ENTITY_MODELS, INT_MAX, MAX_LENGTHS, Project
from finmatch.storage.orm import Base, ProjectRow

BASE = {"project_id": "XM-H1", "enterprise_id": "E0001", "name": "正常项目", "stage": "pilot", "funding_need_wan": 100}
# (field, value): each alone makes the record invalid
HOSTILE = [
    ("months_to_production", 2**70),  # past 64 bits
    ("months_to_production", 2**40),  # past PostgreSQL INTEGER
    ("name", "x" * 301),  # past VARCHAR(300)
    ("project_id", "X" * 65),  # ids longer than the id column
    ("name", "含\x00空字符"),  # NUL
    ("pilot_platform", "a\x1bb"),  # other control characters
    ("funding_need_wan", "Infinity"),
    ("funding_need_wan", "-inf"),
    ("funding_need_wan", "NaN"),
    ("funding_need_wan", 1e300),  # finite, but no project needs that much
    ("description", "长" * 10_001),
    ("extra", {f"列{i}": "v" for i in range(16_385)}),  # more unknown columns than XLSX has
]


def _is_enum(tp: object) -> bool:
    if isinstance(tp, type) and issubclass(tp, Enum):
        return True
    return any(_is_enum(a) for a in typing.get_args(tp))


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_schema_bounds_cover_every_storage_bound() -> None:
    """Every VARCHAR column of an entity table has a schema limit no longer than the column."""
    names = {"institutions": "Institution", "enterprises": "Enterprise", "projects": "Project",
             "products": "Product", "events": "Event"}
    for table in Base.metadata.sorted_tables:
        model = names.get(table.name)
        if model is None:
            continue
        fields = ENTITY_MODELS[table.name].model_fields
        for col in table.columns:
            if (isinstance(col.type, String) and col.type.length and col.name in fields
                    and not _is_enum(fields[col.name].annotation)):  # enums are bounded by their codes
                limit = MAX_LENGTHS[model].get(col.name)
                assert limit is not None and limit <= col.type.length, (table.name, col.name)


@pytest.mark.parametrize(("field", "value"), HOSTILE, ids=[f"{f}-{i}" for i, (f, _) in enumerate(HOSTILE)])
def test_schema_refuses_with_the_field_named(field: str, value: object) -> None:
    with pytest.raises(Exception) as info:
        Project.model_validate({**BASE, field: value})
    errors = info.value.errors()  # type: ignore[attr-defined]
    assert errors and errors[0]["loc"][0] == field


def test_import_refuses_each_hostile_value_on_both_databases(database) -> None:
    projects = [{**BASE, "project_id": f"XM-H{i}", field: value} for i, (field, value) in enumerate(HOSTILE)
                if field != "project_id"]
    projects.append({**BASE, "project_id": "X" * 65})
    doc = {"format": "finmatch/v1", "projects": projects}
    raw = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    with pytest.raises(ImportValidationError) as info:
        import_read(read_upload("hostile.json", raw), database.factory)
    issues = info.value.issues
    rows = {i.row for i in issues}
    assert len(rows) == len(HOSTILE)  # one finding per hostile record, none crashed the import
    assert all(i.field and _chinese(i.message) for i in issues)
    with database.factory() as s:
        assert s.scalar(select(func.count()).select_from(ProjectRow)) == 0


@pytest.mark.parametrize("body", [b'{"projects": [{"funding_need_wan": NaN}]}', b'{"projects": [{"x": Infinity}]}',
                                  b"[" * 100_000 + b"]" * 100_000])
def test_json_constants_and_depth_are_refused(database, body: bytes) -> None:
    with pytest.raises(ImportValidationError) as info:
        import_read(read_upload("bad.json", body), database.factory)
    assert "JSON" in info.value.issues[0].message


def test_api_refuses_hostile_values_on_both_databases(sec) -> None:
    for field, value in HOSTILE[:10]:
        body = json.dumps({**BASE, field: value}, ensure_ascii=False)
        r = sec.client.post("/projects", content=body.encode(), headers={**sec.h("admin"),
                                                                        "Content-Type": "application/json"})
        assert r.status_code == 422, (field, r.status_code, r.text[:200])
        assert r.json()["field"] == field
    r = sec.post("admin", "/projects", json={**BASE, "months_to_production": INT_MAX})
    assert r.status_code == 201  # the largest storable integer is stored
    assert sec.get("admin", "/projects/XM-H1").json()["months_to_production"] == INT_MAX


def test_shift_jis_csv_is_refused_with_the_reason_and_gbk_is_read(database) -> None:
    header = "项目编号,企业编号,项目名称,所处阶段,融资需求(万元)\n"
    read = read_upload("projects.csv", "項目,日本語テスト,プロジェクト\n説明文です,テスト\n".encode("shift_jis"))
    assert read.issues and "Shift-JIS" in read.issues[0].message
    gbk = read_upload("projects.csv", (header + "XM-G1,E0001,固态电池中试,中试熟化,100\n").encode("gbk"))
    assert not gbk.issues and gbk.records[0].data["name"] == "固态电池中试"

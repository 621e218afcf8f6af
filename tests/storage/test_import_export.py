"""Import is all-or-nothing and round-trips with export, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from finmatch.exceptions import ImportValidationError
from finmatch.io import import_paths, read_upload, to_csv, to_json, to_xlsx
from finmatch.io.importer import import_read
from finmatch.schemas import ENTITY_ORDER, FIELD_LABELS, Document
from finmatch.storage import Repository
from finmatch.storage.orm import AuditRow
from tests.storage.sample_doc import small_document


def _write(tmp_path: Path, name: str, payload: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload, ensure_ascii=False), "utf-8")
    return path


def _stored(db) -> Document:
    with db.factory() as s:
        return Repository(s).load_document()


def _sorted(doc: Document) -> Document:
    """Lists in id order, as the database returns them."""
    return Document(**{n: sorted(doc.entities(n), key=lambda m: m.key) for n in ENTITY_ORDER})


def _expected() -> Document:
    return _sorted(Document.model_validate(small_document()))


def test_json_import_then_reimport_is_idempotent(database, tmp_path):
    path = _write(tmp_path, "doc.json", small_document())
    report = import_paths([path], database.factory)
    assert report.written["projects"] == (2, 0)
    assert report.written["outcomes"] == (2, 0)
    again = import_paths([path], database.factory)
    assert all(v == (0, 0) for v in again.written.values())
    stored = _stored(database)
    assert stored == _expected()


def test_upsert_updates_and_audits(database, tmp_path):
    import_paths([_write(tmp_path, "a.json", small_document())], database.factory)
    changed = small_document()
    changed["projects"][0]["funding_need_wan"] = 2500
    report = import_paths([_write(tmp_path, "b.json", {"projects": changed["projects"][:1]})], database.factory)
    assert report.written["projects"] == (0, 1)
    with database.factory() as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.entity_id == "XM0001")).all()
        assert [r.action for r in rows] == ["import:insert", "import:update"]
        assert rows[1].before["funding_need_wan"] == 3000 and rows[1].after["funding_need_wan"] == 2500


def test_bad_document_reports_every_error_and_changes_nothing(database, tmp_path):
    import_paths([_write(tmp_path, "ok.json", small_document())], database.factory)
    before = _stored(database)
    with database.factory() as s:
        audit_before = s.scalar(select(func.count()).select_from(AuditRow))
    bad = copy.deepcopy(small_document())
    bad["enterprises"][0]["credit_code"] = bad["enterprises"][0]["credit_code"][:17] + (
        "0" if bad["enterprises"][0]["credit_code"][17] != "0" else "1")
    bad["projects"][0]["stage"] = "量产"
    bad["products"][0]["amount_min_wan"] = -5
    bad["projects"][1]["enterprise_id"] = "E9999"
    bad["projects"][1]["name"] = "改过的名称（不应写入）"
    with pytest.raises(ImportValidationError) as info:
        import_paths([_write(tmp_path, "bad.json", bad)], database.factory)
    found = {(i.row, i.field) for i in info.value.issues}
    assert ("$.enterprises[0]", "credit_code") in found
    assert ("$.projects[0]", "stage") in found
    assert ("$.products[0]", "amount_min_wan") in found
    assert ("$.projects[1]", "enterprise_id") in found
    assert all(i.file.endswith("bad.json") for i in info.value.issues)
    assert any("校验位" in i.message for i in info.value.issues)
    assert _stored(database) == before
    with database.factory() as s:
        assert s.scalar(select(func.count()).select_from(AuditRow)) == audit_before


def test_dangling_reference_to_database_entity_is_allowed(database, tmp_path):
    doc = small_document()
    import_paths([_write(tmp_path, "base.json", {k: doc[k] for k in ("institutions", "enterprises")})],
                 database.factory)
    report = import_paths([_write(tmp_path, "projects.json", {"projects": doc["projects"]})], database.factory)
    assert report.written["projects"] == (2, 0)


def test_dry_run_writes_nothing(database, tmp_path):
    report = import_paths([_write(tmp_path, "doc.json", small_document())], database.factory, dry_run=True)
    assert report.counts["projects"] == 2 and not report.written
    assert _stored(database).is_empty()


@pytest.mark.parametrize("chinese", [True, False])
def test_xlsx_roundtrip_equals_json(database, tmp_path, chinese):
    content = to_xlsx(Document.model_validate(small_document()), chinese=chinese)
    import_read(read_upload("catalogue.xlsx", content), database.factory)
    assert _stored(database) == _expected()


def test_handwritten_xlsx_with_chinese_headers(database, tmp_path):
    doc = small_document()
    import_paths([_write(tmp_path, "base.json", {k: doc[k] for k in ("institutions",)})], database.factory)
    wb = Workbook()
    ws = wb.active
    ws.title = "金融产品"
    labels = FIELD_LABELS["products"]
    cols = ["product_id", "institution_id", "name", "family", "sectors", "amount_max_wan", "cities", "requires_collateral"]
    ws.append([labels[c] for c in cols] + ["客户经理"])
    ws.append(["P-X-1", "I-BANK-01", "中试贷", "贷款", "新能源及储能、先进新材料", 1000, "南宁市；柳州", "是", "王经理"])
    buf = io.BytesIO()
    wb.save(buf)
    read = read_upload("products.xlsx", buf.getvalue())
    report = import_read(read, database.factory)
    assert any(w.field == "客户经理" for w in report.warnings)
    with database.factory() as s:
        p = Repository(s).require("products", "P-X-1")
    assert p.family.value == "loan" and [x.value for x in p.sectors] == ["new_energy_storage", "advanced_materials"]
    assert p.cities == ["南宁", "柳州"] and p.requires_collateral is True and p.extra == {"客户经理": "王经理"}


def test_csv_gbk_with_chinese_headers_and_errors_name_row_and_field(database, tmp_path):
    doc = small_document()
    import_paths([_write(tmp_path, "base.json", {k: doc[k] for k in ("enterprises",)})], database.factory)
    text = "项目编号,企业编号,项目名称,所处阶段,融资需求(万元),技术成熟度\nXM1,E0001,甲,中试熟化,500,6\nXM2,E0001,乙,中试熟化,-3,12\n"
    path = tmp_path / "projects.csv"
    path.write_bytes(text.encode("gb18030"))
    with pytest.raises(ImportValidationError) as info:
        import_paths([path], database.factory)
    found = {(i.row, i.field) for i in info.value.issues}
    assert found == {("第 3 行", "funding_need_wan"), ("第 3 行", "trl")}
    assert _stored(database).projects == []


@pytest.mark.parametrize("entity", ENTITY_ORDER)
def test_csv_roundtrip_per_entity(database, tmp_path, entity):
    doc = Document.model_validate(small_document())
    import_paths([_write(tmp_path, "doc.json", small_document())], database.factory)
    csv_text = to_csv(entity, doc.entities(entity), chinese=entity != "events")
    path = tmp_path / f"{entity}.csv"
    path.write_text(csv_text, "utf-8")
    report = import_paths([path], database.factory)
    assert report.written[entity] == (0, 0)  # identical: nothing to update


def test_json_export_roundtrip(database, tmp_path):
    import_paths([_write(tmp_path, "doc.json", small_document())], database.factory)
    exported = to_json(_stored(database))
    assert Document.model_validate_json(exported) == _expected()

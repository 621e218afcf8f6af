from __future__ import annotations

import re
from collections import Counter

from openpyxl import load_workbook

from finmatch.schemas import FIELD_LABELS, Document
from training.synthetic.catalogue import CATALOGUE_XLSX, document_json, entity_rows
from training.synthetic.curated import catalogue_dict
from training.synthetic.preferences import product_focus


def test_catalogue_validates_and_is_large_enough(catalogue_raw: dict) -> None:
    doc = Document.model_validate(catalogue_raw)
    assert len(doc.institutions) >= 15
    assert len(doc.products) >= 45
    assert {p.family.value for p in doc.products} == {"equity", "loan", "guarantee", "insurance", "subsidy"}
    assert {i.type.value for i in doc.institutions} == {"fund_manager", "bank", "guarantor", "insurer", "government"}


def test_catalogue_has_the_product_kinds_of_the_issue(catalogue: Document) -> None:
    kinds = Counter(p.kind for p in catalogue.products)
    for kind in ("科技成果转化基金子基金", "科创贷", "中试贷", "知识产权质押贷", "人才贷", "科创担", "中试担", "中试险",
                 "首台套保险", "首批次保险", "首版次保险", "科技保险", "贷款贴息", "保费补贴"):
        assert kinds[kind] >= 1, kind
    assert all(p.rate_pct is not None for p in catalogue.products if p.family.value == "guarantee")


def test_ids_follow_the_conventions_and_references_resolve(catalogue: Document) -> None:
    inst = {i.institution_id for i in catalogue.institutions}
    assert all(re.fullmatch(r"I-[A-Z]+-\d{2}", i) for i in inst)
    assert all(re.fullmatch(r"P-[A-Z]+-\d{3}", p.product_id) for p in catalogue.products)
    assert len({p.product_id for p in catalogue.products}) == len(catalogue.products)
    assert all(p.institution_id in inst for p in catalogue.products)


def test_some_products_state_their_focus_only_in_text(catalogue: Document) -> None:
    text_only = [p.product_id for p in catalogue.products if product_focus(p.sectors, p.description)[1]]
    assert len(text_only) >= 5
    assert all(not p.sectors for p in catalogue.products if p.product_id in text_only)


def test_committed_json_is_the_curated_table(catalogue_raw: dict) -> None:
    doc = Document.model_validate(catalogue_dict())
    assert Document.model_validate(catalogue_raw) == doc
    assert document_json(doc) == document_json(Document.model_validate(catalogue_raw))


def test_xlsx_copy_has_chinese_headers_and_the_same_entities(catalogue: Document) -> None:
    wb = load_workbook(CATALOGUE_XLSX, read_only=True)
    assert set(wb.sheetnames) == {"institutions", "products"}
    for entity in ("institutions", "products"):
        rows = list(wb[entity].iter_rows(values_only=True))
        assert list(rows[0]) == list(FIELD_LABELS[entity].values())
        _, expected = entity_rows(catalogue.entities(entity), entity)
        assert [r[0] for r in rows[1:]] == [r[0] for r in expected]
    products = list(wb["products"].iter_rows(values_only=True))
    header = products[0]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in products[1:]}
    assert by_id["P-EQ-003"]["支持领域"] == "先进新材料;绿色化工"
    assert by_id["P-LOAN-007"]["需要抵押"] == "是"
    # the XLSX reads back into the same products
    fields = {v: k for k, v in FIELD_LABELS["products"].items()}
    back = Document.model_validate({"products": [{fields[h]: v for h, v in row.items() if v is not None}
                                                 for row in by_id.values()]})
    assert [p.model_dump() for p in back.products] == [p.model_dump() for p in catalogue.products]

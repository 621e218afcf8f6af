"""Cell and header rules for office spreadsheets, and the import template."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from finmatch.exceptions import ImportValidationError
from finmatch.io import import_read, read_upload
from finmatch.io.cells import normalise_cell
from finmatch.io.headers import detect_entity, entity_for_name, header_map, normalise
from finmatch.io.template import template_xlsx
from finmatch.schemas import ENTITY_LABELS
from finmatch.storage import Repository


@pytest.mark.parametrize(("field", "raw", "want"), [
    ("debt_ratio", "45%", 0.45), ("debt_ratio", "0.45", "0.45"), ("debt_ratio", "４５％", 0.45),
    ("rate_pct", "4.5%", 4.5), ("rate_pct", "年化3.85%", 3.85),
    ("funding_need_wan", "1,200", 1200.0), ("funding_need_wan", "1200万元", 1200.0),
    ("funding_need_wan", "1.2亿元", 12000.0), ("funding_need_wan", "3000000元", 300.0),
    ("tenor_months", "36个月", 36), ("employees", "120人", 120), ("trl", "TRL6", 6),
    ("valid_to", "2026年3月5日", dt.date(2026, 3, 5)), ("valid_to", "2026.3.5", dt.date(2026, 3, 5)),
    ("valid_to", "2026/03/05", dt.date(2026, 3, 5)), ("valid_to", "20260305", dt.date(2026, 3, 5)),
    ("valid_to", 46086, dt.date(2026, 3, 5)), ("valid_to", dt.datetime(2026, 3, 5, 8), dt.date(2026, 3, 5)),
    ("has_collateral", "√", True), ("has_collateral", "×", False), ("has_collateral", "是", True),
    ("has_collateral", "否", False), ("stage", "中试", "pilot"), ("stage", "产业化阶段", "scale_up"),
    ("funding_need_wan", "很多", "很多"), ("valid_to", "下个月", "下个月"),  # unreadable: left for the model
])
def test_cells(field, raw, want):
    assert normalise_cell(field, raw) == want


def test_headers_full_width_units_and_synonyms():
    assert normalise("融资需求（万元）") == normalise("融资需求(万元)") == "融资需求"
    assert normalise(" 项目 名称 * ") == "项目名称"
    projects = header_map("projects")
    assert projects[normalise("申报单位")] == "enterprise.name"
    assert projects[normalise("项目阶段")] == "stage"
    assert projects[normalise("所在市")] == projects[normalise("所在地市")] == "enterprise.city"
    assert projects[normalise("拟融资额（万元）")] == "funding_need_wan"
    assert detect_entity(["序号", "产品名称", "机构名称", "最高额度（万元）"]) == "products"
    assert detect_entity(["序号", "企业名称", "统一社会信用代码"]) == "enterprises"
    assert detect_entity(["序号", "项目名称", "企业名称"]) == "projects"
    assert entity_for_name("Sheet1") is None and entity_for_name("企业") == "enterprises"
    assert entity_for_name("2026年第四批中试项目清单", fuzzy=True) == "projects"


def test_csv_with_any_name_and_a_title_row(database):
    text = ("2026年企业名录\n序号,企业名称,所在地市,成立时间,资产负债率\n1,南宁甲科技有限公司,南宁市,2019,45%\n")
    report = import_read(read_upload("名录（11月）.csv", text.encode("gb18030")), database.factory)
    assert report.written["enterprises"] == (1, 0)
    with database.factory() as s:
        (e,) = Repository(s).all("enterprises")
    assert e.city == "南宁" and e.founded_year == 2019 and e.debt_ratio == pytest.approx(0.45)
    assert e.enterprise_id.startswith("QY-")


def test_template_has_a_sheet_per_entity_with_lists_and_imports_when_filled(database):
    wb = load_workbook(io.BytesIO(template_xlsx()))
    assert [n for n in wb.sheetnames if n != "取值列表"] == [ENTITY_LABELS[e] for e in
                                                          ("institutions", "enterprises", "projects", "products",
                                                           "events")]
    ws = wb["中试项目"]
    assert ws["A1"].value == "项目编号" and str(ws["A2"].value).startswith("填写说明")
    stage_col = [c.value for c in ws[1]].index("所处阶段") + 1
    letter = ws.cell(1, stage_col).column_letter
    assert any(f"{letter}3" in str(dv.sqref) for dv in ws.data_validations.dataValidation)
    inst = wb["机构"]
    inst.append([None, "广西某银行", "银行", "南宁"])
    buf = io.BytesIO()
    wb.save(buf)
    report = import_read(read_upload("导入模板.xlsx", buf.getvalue()), database.factory)
    assert report.written == {"institutions": (1, 0)}
    with pytest.raises(ImportValidationError, match="错误"):
        import_read(read_upload("导入模板.xlsx", template_xlsx()), database.factory)  # empty: nothing to import

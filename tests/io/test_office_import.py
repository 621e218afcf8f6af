"""Office spreadsheets: title rows, 序号, full-width headers, synonyms, no ids; one complete error
report; check-only honesty; re-import updates exactly what changed."""

from __future__ import annotations

import copy
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from finmatch.exceptions import ImportValidationError
from finmatch.io import import_read, read_upload
from finmatch.io.error_report import report_xlsx
from finmatch.storage import Repository
from finmatch.storage.orm import AuditRow
from tests.io.office import OFFICE_FILE, codes, office_rows, office_workbook


def _import(database, content: bytes, name: str = OFFICE_FILE, dry_run: bool = False):
    return import_read(read_upload(name, content), database.factory, dry_run=dry_run)


def test_office_sheet_imports_every_row(database):
    report = _import(database, office_workbook())
    assert report.written["projects"] == (3, 0) and report.written["enterprises"] == (3, 0)
    with database.factory() as s:
        repo = Repository(s)
        projects = {p.name: p for p in repo.all("projects")}
        enterprises = {e.enterprise_id: e for e in repo.all("enterprises")}
    p1 = projects["钠离子电池正极材料中试"]
    assert p1.funding_need_wan == 1200 and p1.stage.value == "pilot" and p1.hazardous_chemicals is False
    e1 = enterprises[p1.enterprise_id]
    assert e1.name == "南宁钠电新材料有限公司" and e1.city == "南宁" and e1.debt_ratio == pytest.approx(0.45)
    assert e1.credit_code == codes()[0]
    p2 = projects["甘蔗渣生物基可降解材料中试"]
    assert p2.funding_need_wan == 3000 and p2.stage.value == "pilot" and p2.hazardous_chemicals is True
    assert enterprises[p2.enterprise_id].debt_ratio == pytest.approx(0.38)
    p3 = projects["智能巡检机器人概念验证"]
    assert p3.stage.value == "proof_of_concept" and p3.funding_need_wan == 800
    assert p1.extra == {"备注": "重点推荐"} and "序号" not in p1.extra
    assert not any(w.header == "序号" for w in report.warnings)


def test_reimport_after_editing_two_cells_changes_exactly_those_fields(database):
    _import(database, office_workbook())
    rows = copy.deepcopy(office_rows())
    rows[0][6] = "1,500"  # 融资需求 of the first project
    rows[2][7] = "60%"  # 资产负债率 of the third enterprise
    report = _import(database, office_workbook(rows))
    assert report.written == {"enterprises": (0, 1), "projects": (0, 1)}
    with database.factory() as s:
        updates = s.scalars(select(AuditRow).where(AuditRow.action == "import:update")).all()
    changed = {(u.entity, k) for u in updates for k in u.after if u.before[k] != u.after[k]}
    assert changed == {("projects", "funding_need_wan"), ("enterprises", "debt_ratio")}
    again = _import(database, office_workbook(rows))
    assert all(v == (0, 0) for v in again.written.values())


def test_project_rows_link_to_enterprise_by_credit_code_then_name(database):
    c = codes()
    wb = Workbook()
    ws = wb.active
    ws.title = "企业"
    ws.append(["企业编号", "企业名称", "统一社会信用代码", "所在城市", "成立年份"])
    ws.append(["E-A", "南宁钠电新材料有限公司", c[0], "南宁", 2019])
    ws.append(["E-B", "柳州绿源生物科技有限公司", None, "柳州", 2020])
    buf = io.BytesIO()
    wb.save(buf)
    _import(database, buf.getvalue(), "企业名录.xlsx")
    rows = [[1, "项目甲", "名称写法不同的企业", c[0], None, "中试", 100, None, None, None, None],
            [2, "项目乙", "柳州绿源生物科技有限公司", None, None, "中试", 200, None, None, None, None]]
    report = _import(database, office_workbook(rows))
    assert report.written.get("enterprises", (0, 0))[0] == 0  # no new enterprise
    with database.factory() as s:
        repo = Repository(s)
        by_name = {p.name: p.enterprise_id for p in repo.all("projects")}
        stored = repo.require("enterprises", "E-A")
    assert by_name == {"项目甲": "E-A", "项目乙": "E-B"}
    assert stored.founded_year == 2019  # columns the project sheet does not have are kept


def test_mixed_errors_in_one_report_with_user_headers_and_excel_rows(database):
    rows = copy.deepcopy(office_rows())
    rows[0][5] = "量产"  # unknown stage
    rows[1][6] = "很多"  # not an amount
    rows[1][7] = "145%"  # ratio above 1
    rows[2][3] = rows[2][3][:17] + ("0" if rows[2][3][17] != "0" else "1")  # wrong check character
    rows[2][1] = None  # no project name
    with pytest.raises(ImportValidationError) as info:
        _import(database, office_workbook(rows))
    found = {(i.row, i.header) for i in info.value.issues}
    assert found >= {("第 4 行", "项目阶段"), ("第 5 行", "融资需求（万元）"), ("第 5 行", "资产负债率"),
                     ("第 6 行", "统一社会信用代码"), ("第 6 行", "项目名称")}
    stage = next(i for i in info.value.issues if i.header == "项目阶段")
    assert stage.value == "量产" and "中试熟化" in stage.message and "pilot" not in stage.message
    assert all(" / " not in i.message and i.sheet == "Sheet1" for i in info.value.issues)
    assert all(i.file == OFFICE_FILE for i in info.value.issues)
    with database.factory() as s:
        assert Repository(s).count("projects") == 0 and Repository(s).count("enterprises") == 0
    # the XLSX report: the list, then the sheet with the offending cells filled
    wb = load_workbook(io.BytesIO(report_xlsx(info.value.issues, read_upload(OFFICE_FILE,
                                                                             office_workbook(rows)).tables)))
    assert wb.sheetnames == ["错误清单", "Sheet1"]
    assert wb["错误清单"].max_row == len(info.value.issues) + 1
    cell = wb["Sheet1"]["F4"]  # 项目阶段 of Excel row 4
    assert cell.value == "量产" and cell.fill.fgColor.rgb.endswith("FFC7CE") and "可选" in cell.comment.text


def test_reference_and_value_errors_come_together(database):
    text = ("项目编号,企业编号,项目名称,所处阶段,融资需求(万元)\n"
            "XM1,E-NONE,甲,量产,100\nXM2,E-NONE,乙,中试熟化,200\n")
    with pytest.raises(ImportValidationError) as info:
        _import(database, text.encode("utf-8"), "清单.csv")
    found = {(i.row, i.field) for i in info.value.issues}
    assert found == {("第 2 行", "stage"), ("第 2 行", "enterprise_id"), ("第 3 行", "enterprise_id")}


def test_check_only_never_passes_when_a_sheet_was_skipped(database):
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["这是一张看不出内容的表"])
    wb.active.append(["甲", "乙"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ImportValidationError) as info:
        _import(database, buf.getvalue(), "随便.xlsx", dry_run=True)
    assert "无法识别" in info.value.issues[0].message and info.value.issues[0].sheet == "Sheet1"
    empty = Workbook()
    buf = io.BytesIO()
    empty.save(buf)
    with pytest.raises(ImportValidationError) as info:
        _import(database, buf.getvalue(), "空.xlsx", dry_run=True)
    assert "没有可导入的记录" in info.value.issues[0].message


def test_every_file_in_one_report(database):
    from finmatch.io.readers import ReadResult

    read = ReadResult()
    read_upload("清单.csv", "项目名称,申报单位,项目阶段,融资需求(万元)\n甲,某公司,量产,100\n".encode(), read)
    read_upload(OFFICE_FILE, office_workbook([[1, "乙", "另一公司", None, "南宁", "中试", "很多", None, None, None,
                                               None]]), read)
    read_upload("notes.docx", b"x", read)
    with pytest.raises(ImportValidationError) as info:
        import_read(read, database.factory)
    by_file = {(i.file, i.header) for i in info.value.issues}
    assert by_file == {("清单.csv", "项目阶段"), (OFFICE_FILE, "融资需求（万元）"), ("notes.docx", None)}
    assert all(" / " not in i.message for i in info.value.issues)

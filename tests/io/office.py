"""Spreadsheets made the way a government office makes them (title row, 序号, full-width headers, Sheet1)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from finmatch import credit_code

OFFICE_FILE = "2026年第四批中试项目清单.xlsx"
HEADERS = ["序号", "项目名称", "申报单位", "统一社会信用代码", "所在市", "项目阶段", "融资需求（万元）",
           "资产负债率", "项目简介", "是否涉及危化品", "备注"]


def codes() -> list[str]:
    import random

    rng = random.Random(11)
    return [credit_code.generate(rng, "450100"), credit_code.generate(rng, "450200"),
            credit_code.generate(rng, "450300")]


def office_rows() -> list[list[Any]]:
    c = codes()
    return [
        [1, "钠离子电池正极材料中试", "南宁钠电新材料有限公司", c[0], "南宁市", "中试熟化", "1,200", "45%",
         "建设百吨级正极材料中试线", "×", "重点推荐"],
        [2, "甘蔗渣生物基可降解材料中试", "柳州绿源生物科技有限公司", c[1], "柳州市", "中试", "0.3亿元", "0.38",
         "完成千吨级连续化中试验证", "√", None],
        [3, "智能巡检机器人概念验证", "桂林智巡科技有限公司", c[2], "桂林", "概念验证", "800万元", "52%",
         "变电站巡检机器人样机验证", "否", None],
    ]


def office_workbook(rows: list[list[Any]] | None = None, headers: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    headers = headers or HEADERS
    ws.append(["2026年第四批自治区中试项目融资需求清单"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(["填报单位（盖章）：自治区科技厅成果处", None, None, None, None, None, None, "填报日期：2026年11月20日"])
    ws.append(headers)
    for r in rows if rows is not None else office_rows():
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

"""The import template: one sheet per entity with the Chinese headers, an explanation row under the
header (what to write, units, accepted values) and drop-down lists for the enum columns.

The explanation row starts with ``填写说明``, which the reader skips (``headers.is_note_row``); the
hidden 取值列表 sheet holding the drop-down options is passed over too. An exported or filled-in
template therefore imports as it is.
"""

from __future__ import annotations

import io

from finmatch.enums import GUANGXI_CITIES
from finmatch.io.error_report import enum_of
from finmatch.io.ids import PREFIX
from finmatch.schemas import ENTITY_LABELS, ENTITY_MODELS, ENTITY_ORDER, FIELD_LABELS

NOTE_MARK = "填写说明"
_HINTS: dict[str, str] = {
    "_wan": "单位：万元，可写 1200、1,200、1200万元 或 1.2亿元",
    "ratio": "比例：0.45 或 45%",
    "rate_pct": "百分数：4.5 或 4.5%",
    "date": "日期：2026-03-05 或 2026年3月5日",
    "valid_to": "日期：2026-12-31 或 2026年12月31日",
    "city": "如 南宁、柳州（可带“市”）",
    "cities": "多个用、分隔；“广西”表示全区 14 个地市",
    "project_ids": "参会项目编号，多个用、分隔",
    "product_ids": "参会产品编号，多个用、分隔",
    "credit_code": "18 位统一社会信用代码",
    "trl": "1–9 的整数",
}


def _hint(entity: str, field: str) -> str:
    model = ENTITY_MODELS[entity]
    info = model.model_fields[field]
    enum, many = enum_of(entity, field)
    parts = ["必填" if info.is_required() else "选填"]
    if field == model.ID_FIELD:
        parts = [f"选填：留空时按名称自动生成（如 {PREFIX.get(entity, 'ID')}-1A2B3C4D），再次导入同一行时不变"]
    elif entity == "projects" and field == "enterprise_id":
        parts = ["填写企业编号；也可改填“企业名称”列，按统一社会信用代码或名称匹配已有企业"]
    if enum is not None:
        parts.append(("可多选，用、分隔：" if many else "可选：") + "、".join(enum.labels().values()))
    elif info.annotation is not None and "bool" in str(info.annotation):
        parts.append("是 / 否（也可写 √ / ×）")
    for key, text in _HINTS.items():
        if field == key or (key.startswith("_") and field.endswith(key)) or (key == "ratio" and "ratio" in field):
            parts.append(text)
            break
    return "；".join(parts)


FORM_ENTITIES: tuple[str, ...] = tuple(name for name in ENTITY_ORDER if name != "outcomes")


def template_xlsx(entities: tuple[str, ...] = FORM_ENTITIES) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    head = PatternFill("solid", fgColor="DDEBF7")
    note = PatternFill("solid", fgColor="FFF2CC")
    lists = wb.create_sheet("取值列表")
    list_cols: dict[tuple[str, ...], str] = {}

    def options_range(options: tuple[str, ...]) -> str:
        if options not in list_cols:
            col = get_column_letter(len(list_cols) + 1)
            for i, text in enumerate(options, start=1):
                lists[f"{col}{i}"] = text
            list_cols[options] = f"取值列表!${col}$1:${col}${len(options)}"
        return list_cols[options]

    for entity in entities:
        ws = wb.create_sheet(ENTITY_LABELS[entity], index=len(wb.sheetnames) - 1)
        fields = list(FIELD_LABELS[entity])
        ws.append([FIELD_LABELS[entity][f] for f in fields])
        ws.append([f"{NOTE_MARK}：{_hint(entity, f)}" if i == 0 else _hint(entity, f) for i, f in enumerate(fields)])
        for col, f in enumerate(fields, start=1):
            letter = get_column_letter(col)
            ws.column_dimensions[letter].width = max(14, min(40, len(FIELD_LABELS[entity][f]) * 2 + 6))
            ws.cell(1, col).font = Font(bold=True)
            ws.cell(1, col).fill = head
            ws.cell(2, col).fill = note
            ws.cell(2, col).alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(1, col).comment = Comment(_hint(entity, f), "finmatch")
            enum, many = enum_of(entity, f)
            options: tuple[str, ...] | None = None
            if enum is not None and not many:
                options = tuple(enum.labels().values())
            elif "bool" in str(ENTITY_MODELS[entity].model_fields[f].annotation):
                options = ("是", "否")
            elif f == "city":
                options = GUANGXI_CITIES
            if options:
                dv = DataValidation(type="list", formula1=f"={options_range(options)}", allow_blank=True,
                                    showErrorMessage=f != "city", errorTitle="取值不在列表中",
                                    error="请从下拉列表中选择")
                ws.add_data_validation(dv)
                dv.add(f"{letter}3:{letter}1000")
        ws.freeze_panes = "A3"
        ws.row_dimensions[2].height = 60
    lists.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

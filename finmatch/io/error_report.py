"""Import problems as a person fixes them: where (file, sheet, Excel row, the header as typed), what
(the value found) and why (a Chinese reason naming the accepted values in Chinese), plus an optional
English column; and the whole list as an XLSX workbook with the offending cells highlighted.
"""

from __future__ import annotations

import io
import re
import typing
from typing import Any

from finmatch.enums import LabelledEnum
from finmatch.exceptions import ImportIssue
from finmatch.io.cells import BOOL_FIELDS, DATE_FIELDS, MONEY_FIELDS, RATIO_FIELDS
from finmatch.schemas import ENTITY_MODELS, FIELD_LABELS

_EN: dict[str, str] = {
    "missing": "required", "string_too_short": "must not be empty", "int_parsing": "expected an integer",
    "int_type": "expected an integer", "int_from_float": "expected an integer", "float_parsing": "expected a number",
    "float_type": "expected a number", "bool_parsing": "expected yes/no", "date_parsing": "unreadable date",
    "date_from_datetime_parsing": "unreadable date", "date_type": "unreadable date", "list_type": "expected a list",
    "string_type": "expected text", "extra_forbidden": "unknown field", "greater_than": "too small",
    "greater_than_equal": "too small", "less_than_equal": "too large", "less_than": "too large",
    "value_error": "invalid value",
}


def enum_of(entity: str | None, field: str | None) -> tuple[type[LabelledEnum] | None, bool]:
    """The labelled enum a field takes (and whether it is a list of them)."""
    if not entity or not field or entity not in ENTITY_MODELS:
        return None, False
    info = ENTITY_MODELS[entity].model_fields.get(field)
    if info is None:
        return None, False

    def walk(tp: Any, in_list: bool) -> tuple[type[LabelledEnum] | None, bool]:
        if isinstance(tp, type) and issubclass(tp, LabelledEnum):
            return tp, in_list
        for arg in typing.get_args(tp):
            found = walk(arg, in_list or typing.get_origin(tp) is list)
            if found[0] is not None:
                return found
        return None, False

    return walk(info.annotation, False)


def chinese_only(message: str) -> str:
    """Drop the English half of an old bilingual ``中文 / English`` message, and the codes of
    ``pilot(中试熟化)`` style option lists (the Chinese label is what a user types)."""
    text = message.split(" / ")[0].strip()
    return re.sub(r"\b[A-Za-z_]+\(([^()]*[\u4e00-\u9fff][^()]*)\)", r"\1", text)


def reason(err: dict[str, Any], entity: str | None = None) -> tuple[str, str]:
    """(Chinese reason, English reason) for one pydantic error."""
    kind = str(err.get("type", ""))
    loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
    field = loc[0] if loc else None
    ctx = err.get("ctx") or {}
    en = _EN.get(kind, str(err.get("msg", "")))
    enum, many = enum_of(entity, field)
    if enum is not None and kind in ("value_error", "enum"):
        options = "、".join(enum.labels().values())
        tail = "（可填多个，用、分隔）" if many else ""
        return f"不是可选的取值，可选：{options}{tail}", f"unknown value; accepted: {', '.join(enum.labels())}"
    if kind == "missing" or kind == "string_too_short" or (kind == "string_type" and err.get("input") is None):
        if entity == "projects" and field == "enterprise_id":
            return "必填：请填写企业编号，或填写申报单位（企业名称）", "required: enterprise id or name"
        return "必填，不能为空", "required"
    if kind == "value_error":
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        return chinese_only(msg), msg.split(" / ")[-1]
    if field in RATIO_FIELDS and kind in ("less_than_equal", "greater_than_equal", "float_parsing"):
        return "应为 0 到 1 之间的比例，如 0.45，或写成 45%", "expected a ratio in [0, 1], e.g. 0.45 or 45%"
    if kind == "greater_than":
        return f"必须大于 {ctx.get('gt')}", en
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}", en
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}", en
    if kind == "less_than":
        return f"必须小于 {ctx.get('lt')}", en
    if kind in ("float_parsing", "float_type"):
        unit = "（单位：万元，可写 1,200、1200万元 或 1.2亿元）" if field in MONEY_FIELDS else ""
        return f"应为数字{unit}", en
    if kind.startswith("int_"):
        return "应为整数，如 36", en
    if kind.startswith("date") or field in DATE_FIELDS:
        return "日期无法识别，可写作 2026-03-05、2026年3月5日 或 2026/3/5", en
    if kind.startswith("bool") or field in BOOL_FIELDS:
        return "应为 是 或 否（也可写 √ / ×）", en
    if kind == "list_type":
        return "应为列表，多个取值用、分隔", en
    if kind == "extra_forbidden":
        return "未知字段", en
    if kind == "finite_number":
        return "应为有限数值（不能是无穷大或 NaN）", "expected a finite number"
    return chinese_only(str(err.get("msg", ""))), en


def _shown(value: Any) -> str | None:
    if value is None or isinstance(value, dict):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def issue_for(err: dict[str, Any], *, file: str, row: str, entity: str, sheet: str | None,
              columns: dict[str, tuple[int, str]], raw: dict[str, Any]) -> ImportIssue:
    """One ImportIssue for a pydantic error of a record read from ``file``/``sheet``/``row``."""
    loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
    field = loc[0] if loc else None
    zh, en = reason(err, entity)
    col, header = columns.get(field or "", (None, None))
    if header is None and field:
        label = FIELD_LABELS.get(entity, {}).get(field, field)
        header = f"{label}（表中无此列）" if columns else field  # a JSON document: the field name
    value = raw.get(field) if field else None
    return ImportIssue(file, row, field, zh, entity, sheet=sheet, header=header, value=_shown(value),
                       message_en=en, column=col)


# ---- the XLSX report -----------------------------------------------------------------------------

REPORT_HEADERS = ["文件", "工作表", "行号", "表头", "填写的值", "错误原因", "Reason (English)"]


def report_rows(issues: list[ImportIssue]) -> list[list[Any]]:
    return [[i.file, i.sheet or "", i.row, i.header or i.field or "", i.value or "", i.message, i.message_en or ""]
            for i in issues]


def _excel_row(row: str) -> int | None:
    digits = "".join(ch for ch in row if ch.isdigit())
    return int(digits) if row.startswith("第") and digits else None


def report_xlsx(issues: list[ImportIssue], tables: dict[tuple[str, str | None], list[list[Any]]]) -> bytes:
    """The error list, then a copy of each sheet with problems, offending cells filled red with the
    reason as a comment (a row-level problem marks the row's first cell)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    red = PatternFill("solid", fgColor="FFC7CE")
    wb = Workbook()
    ws = wb.active
    ws.title = "错误清单"
    ws.append(REPORT_HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in report_rows(issues):
        ws.append(r)
    for col, width in zip("ABCDEFG", (30, 14, 10, 22, 22, 60, 40), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    used: set[str] = {"错误清单"}
    for (file, sheet), rows in tables.items():
        mine = [i for i in issues if i.file == file and i.sheet == sheet]
        if not mine:
            continue
        title = _title(f"{sheet or file.rsplit('/', 1)[-1]}", used)
        out = wb.create_sheet(title)
        for row in rows:
            out.append([_plain(c) for c in row])
        notes: dict[tuple[int, int], list[str]] = {}
        for i in mine:
            line = _excel_row(i.row)
            if line is None:
                continue
            notes.setdefault((line, (i.column or 0) + 1), []).append(i.message)
        for (at_row, at_col), texts in notes.items():
            cell = out.cell(row=at_row, column=at_col)
            cell.fill = red
            cell.comment = Comment("\n".join(texts), "finmatch")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float | str) or value is None else str(value)


def _title(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "表"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:25]}({n})", n + 1
    used.add(title)
    return title

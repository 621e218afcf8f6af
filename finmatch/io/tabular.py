"""Tables in and out: reading the records of a CSV file or worksheet, and export cell conventions."""

from __future__ import annotations

import datetime as dt
import math
from enum import Enum
from typing import Any

from finmatch.io.headers import NOTE_SHEETS, SCAN_ROWS, entity_for_name, find_header, is_note_row, normalise
from finmatch.io.headers import resolve_headers as resolve_headers
from finmatch.schemas import ENTITY_LABELS, FIELD_LABELS, Entity


def table_records(display: str, sheet: str | None, rows: list[list[Any]], out: Any,
                  hint: str | None = None, fuzzy_hint: str | None = None) -> None:
    """Records of one CSV file or worksheet: header row found below any title rows, entity from the
    sheet or file name when it says one, else from the headers. Rows keep their Excel row number.

    ``out`` is a :class:`finmatch.io.readers.ReadResult`; a sheet whose content cannot be told is an
    error (so a check never passes while something was skipped), an empty sheet is passed over.
    """
    from finmatch.exceptions import ImportIssue
    from finmatch.io.readers import RawRecord

    if not any(any(not _empty(c) for c in row) for row in rows):
        return
    if sheet is not None and normalise(sheet) in NOTE_SHEETS:
        out.warnings.append(ImportIssue(display, "-", None, "说明工作表，未导入", sheet=sheet))
        return
    named = entity_for_name(sheet) if sheet else hint  # a sheet's own name, or a CSV's exact file name
    header = find_header(rows, named)
    if header is None:  # the name said nothing (Sheet1, 清单.csv) or misled: the headers tell
        header = find_header(rows, None)
    if header is None and fuzzy_hint:
        header = find_header(rows, fuzzy_hint)
    if header is None:
        options = "、".join(ENTITY_LABELS.values())
        out.issues.append(ImportIssue(display, "-", None,
                                      f"无法识别这张表的内容：前 {SCAN_ROWS} 行中没有找到表头（如 项目名称、企业名称、"
                                      f"产品名称）。请把表头放在数据上方一行，或把工作表命名为 {options} 之一",
                                      sheet=sheet, message_en="no header row found; the sheet was not read"))
        return
    out.tables[(display, sheet)] = rows
    excel_header = header.row + 1
    for col, text in header.unknown.items():
        out.warnings.append(ImportIssue(display, f"第 {excel_header} 行", text, "未识别的列，已作为附加信息保留",
                                        header.entity, sheet=sheet, header=text, column=col))
    for n, row in enumerate(rows[header.row + 1:], start=excel_header + 1):
        if all(_empty(c) for c in row) or is_note_row(row):
            continue
        data: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for i, value in enumerate(row):
            if i in header.columns:
                data[header.columns[i]] = value
            elif i in header.unknown and not _empty(value):
                extra[header.unknown[i]] = str(value).strip()
        data["extra"] = extra
        cols = {f: (i, header.texts[i]) for i, f in header.columns.items()}
        out.records.append(RawRecord(header.entity, display, f"第 {n} 行", data, list(header.unknown.values()),
                                     sheet=sheet, columns=cols))


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any, chinese: bool) -> Any:
    """A cell value for export: enums as codes or labels, lists joined with ';', bools 是/否."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return getattr(value, "label", value.value) if chinese else value.value
    if isinstance(value, list | tuple):
        return ";".join(str(cell_text(v, chinese)) for v in value)
    if isinstance(value, bool):
        return ("是" if value else "否") if chinese else ("true" if value else "false")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def entity_columns(entity: str, models: list[Entity], chinese: bool) -> tuple[list[str], list[str], list[str]]:
    """(field names, header texts, extra column names) for an export."""
    fields = list(FIELD_LABELS[entity])
    headers = [FIELD_LABELS[entity][f] if chinese else f for f in fields]
    extras = sorted({k for m in models for k in m.extra})
    return fields, headers, extras


def model_cells(model: Entity, fields: list[str], extras: list[str], chinese: bool) -> list[Any]:
    return [cell_text(getattr(model, f), chinese) for f in fields] + [model.extra.get(e) for e in extras]

"""Read v1 JSON documents and CSV/XLSX files into raw records that remember where they came from."""

from __future__ import annotations

import csv
import io
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finmatch.exceptions import ImportIssue
from finmatch.io.decoding import EncodingRefusedError, decode_table_text, load_json_bounded
from finmatch.io.formula import restore_rows
from finmatch.io.headers import entity_for_name
from finmatch.io.safe_xlsx import check_rows, current_limits, iter_sheets
from finmatch.io.tabular import table_records
from finmatch.schemas import ENTITY_MODELS, FORMAT_ID


@dataclass
class RawRecord:
    entity: str
    file: str
    row: str  # "第 3 行" (spreadsheet row, header = 1) or "$.projects[2]"
    data: dict[str, Any]
    unknown: list[str] = field(default_factory=list)
    sheet: str | None = None  # the worksheet (XLSX)
    columns: dict[str, tuple[int, str]] = field(default_factory=dict)  # field -> (column, header as typed)


@dataclass
class ReadResult:
    records: list[RawRecord] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    tables: dict[tuple[str, str | None], list[list[Any]]] = field(default_factory=dict)  # for error reports


def read_paths(paths: list[Path]) -> ReadResult:
    out = ReadResult()
    for path in paths:
        if not path.exists():
            out.issues.append(ImportIssue(str(path), "-", None, "文件不存在 / file not found"))
            continue
        if path.is_dir():
            children = sorted(p for p in path.iterdir()
                              if p.suffix.lower() in (".json", ".csv", ".xlsx", ".parquet"))
            for child in children:
                _read_one(child.name, child.read_bytes(), out, display=str(child))
            continue
        _read_one(path.name, path.read_bytes(), out, display=str(path))
    return out


def read_upload(filename: str, content: bytes, out: ReadResult | None = None) -> ReadResult:
    """The same reading rules for a file posted to the API or the import page."""
    out = out or ReadResult()
    _read_one(filename, content, out, display=filename)
    return out


def _read_one(name: str, content: bytes, out: ReadResult, display: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        _read_json(display, content, out)
    elif suffix == ".csv":
        _read_csv(display, Path(name).stem, content, out)
    elif suffix in (".xlsx", ".xlsm"):
        _read_xlsx(display, content, out)
    elif suffix == ".parquet":
        from finmatch.io.parquet import read_parquet

        read_parquet(display, content, out)
    else:
        out.issues.append(ImportIssue(display, "-", None,
                                      f"不支持的文件类型 '{suffix}'，请使用 JSON、CSV、XLSX 或 Parquet / unsupported file type"))


def _read_json(display: str, content: bytes, out: ReadResult) -> None:
    try:
        doc = load_json_bounded(content)
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        out.issues.append(ImportIssue(display, "$", None, f"JSON 无法解析：{exc} / invalid JSON"))
        return
    if not isinstance(doc, dict):
        out.issues.append(ImportIssue(display, "$", None, "JSON 顶层应为对象 / top level must be an object"))
        return
    fmt = doc.get("format")
    if fmt is not None and fmt != FORMAT_ID:
        out.issues.append(ImportIssue(display, "$.format", "format",
                                      f"格式标识应为 {FORMAT_ID}，实为 {fmt} / unsupported format"))
    for key, value in doc.items():
        if key == "format":
            continue
        if key not in ENTITY_MODELS:
            out.warnings.append(ImportIssue(display, f"$.{key}", key, "未识别的列表，已忽略 / unknown list ignored"))
            continue
        if not isinstance(value, list):
            out.issues.append(ImportIssue(display, f"$.{key}", key, "应为数组 / must be an array"))
            continue
        known = set(ENTITY_MODELS[key].model_fields)
        for i, item in enumerate(value):
            row = f"$.{key}[{i}]"
            if not isinstance(item, dict):
                out.issues.append(ImportIssue(display, row, None, "应为对象 / must be an object", key))
                continue
            data = {k: v for k, v in item.items() if k in known}
            unknown = [k for k in item if k not in known]
            extra = dict(data.get("extra") or {})
            extra.update({k: _as_text(item[k]) for k in unknown})
            data["extra"] = extra
            out.records.append(RawRecord(key, display, row, data, unknown))
            for k in unknown:
                out.warnings.append(ImportIssue(display, row, k, "未识别的字段，已作为附加信息保留 / unknown field kept in extra", key))


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _decode_csv(content: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("csv", content, 0, 1, "neither UTF-8 nor GB18030")


def _read_csv(display: str, stem: str, content: bytes, out: ReadResult) -> None:
    entity = entity_for_name(stem)  # None: told from the headers (tabular.table_records)
    try:
        text, _ = decode_table_text(content)  # UTF-8, or GB18030 only when detection agrees
    except EncodingRefusedError as exc:
        out.issues.append(ImportIssue(display, "-", None, exc.message))
        return
    rows = restore_rows(list(itertools.islice(csv.reader(io.StringIO(text)), current_limits().max_rows + 2)))
    check_rows(len(rows) - 1, display)  # the header plus at most max_rows rows (undoing the formula mark)
    table_records(display, None, rows, out, hint=entity, fuzzy_hint=entity_for_name(stem, fuzzy=True))


def _read_xlsx(display: str, content: bytes, out: ReadResult) -> None:
    hint = entity_for_name(Path(display).stem, fuzzy=True)
    try:  # zip sizes checked, declared dimensions ignored, rows and cells capped (safe_xlsx)
        for title, rows in iter_sheets(content, display):
            table_records(display, title, rows, out, fuzzy_hint=hint)
    except ValueError as exc:
        out.issues.append(ImportIssue(display, "-", None, f"{exc} / cannot open workbook"))

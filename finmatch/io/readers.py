"""Read v1 JSON documents and CSV/XLSX files into raw records that remember where they came from."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finmatch.exceptions import ImportIssue
from finmatch.io.tabular import entity_for_name, resolve_headers
from finmatch.schemas import ENTITY_MODELS, FORMAT_ID


@dataclass
class RawRecord:
    entity: str
    file: str
    row: str  # "第 3 行" (spreadsheet row, header = 1) or "$.projects[2]"
    data: dict[str, Any]
    unknown: list[str] = field(default_factory=list)


@dataclass
class ReadResult:
    records: list[RawRecord] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)


def read_paths(paths: list[Path]) -> ReadResult:
    out = ReadResult()
    for path in paths:
        if not path.exists():
            out.issues.append(ImportIssue(str(path), "-", None, "文件不存在 / file not found"))
            continue
        if path.is_dir():
            children = sorted(p for p in path.iterdir() if p.suffix.lower() in (".json", ".csv", ".xlsx"))
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
    else:
        out.issues.append(ImportIssue(display, "-", None,
                                      f"不支持的文件类型 '{suffix}'，请使用 JSON、CSV 或 XLSX / unsupported file type"))


def _read_json(display: str, content: bytes, out: ReadResult) -> None:
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
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
    entity = entity_for_name(stem)
    if entity is None:
        out.issues.append(ImportIssue(display, "-", None,
                                      f"无法从文件名 '{stem}' 判断实体类型，请命名为 projects.csv、products.csv 等 / "
                                      "cannot tell the entity from the file name"))
        return
    try:
        text = _decode_csv(content)
    except UnicodeDecodeError:
        out.issues.append(ImportIssue(display, "-", None, "文件编码无法识别（支持 UTF-8 与 GBK）/ unknown encoding"))
        return
    rows = list(csv.reader(io.StringIO(text)))
    _table_records(display, entity, rows, out)


def _read_xlsx(display: str, content: bytes, out: ReadResult) -> None:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        out.issues.append(ImportIssue(display, "-", None, f"XLSX 无法打开：{exc} / cannot open workbook"))
        return
    for ws in wb.worksheets:
        entity = entity_for_name(ws.title)
        if entity is None:
            out.warnings.append(ImportIssue(f"{display}#{ws.title}", "-", None,
                                            "工作表名称无法识别，已跳过 / sheet name not recognised, skipped"))
            continue
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        _table_records(f"{display}#{ws.title}", entity, rows, out)
    wb.close()


def _table_records(display: str, entity: str, rows: list[list[Any]], out: ReadResult) -> None:
    if not rows:
        return
    headers = [str(h) if h is not None else "" for h in rows[0]]
    known, unknown = resolve_headers(entity, headers)
    unknown_idx = {i: (h or "").strip() for i, h in enumerate(headers) if i not in known and (h or "").strip()}
    for h in unknown:
        out.warnings.append(ImportIssue(display, "第 1 行", h, "未识别的列，已作为附加信息保留 / unknown column kept in extra",
                                        entity))
    for n, row in enumerate(rows[1:], start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
            continue
        data: dict[str, Any] = {}
        extra: dict[str, str] = {}
        for i, value in enumerate(row):
            if i in known:
                data[known[i]] = value
            elif i in unknown_idx and value is not None and str(value).strip():
                extra[unknown_idx[i]] = str(value)
        data["extra"] = extra
        out.records.append(RawRecord(entity, display, f"第 {n} 行", data, list(unknown_idx.values())))

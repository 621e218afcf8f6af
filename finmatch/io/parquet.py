"""Parquet files in and out: a table of one entity per file, read through the same rules as CSV.

Import: the file's column names are the header row (English field names or the Chinese labels, as in
CSV), every row becomes a record through ``finmatch.io.tabular.table_records``, so validation, the
Chinese errors (file, row, column as named in the file) and all-or-nothing are exactly those of CSV.
Cells keep their types; lists are joined with ';' as CSV and XLSX cells write them. The entity is
told by the file name (``projects.parquet``) or else by the headers. Row numbers count like a
spreadsheet: the header is row 1, the first data row is row 2.

Export (``ParquetTableWriter``): v1 entities written in row groups, so a generator can stream a data
set of any size with memory bounded by one chunk.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from pathlib import Path
from typing import Any

from finmatch.exceptions import ImportIssue
from finmatch.io.headers import entity_for_name

MAX_ROWS = 5_000_000  # per file: far above any real catalogue or project list


def _cell(value: Any) -> Any:
    """A Parquet value as the table reader expects a cell: text, number, bool, date text or None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list | tuple):
        return ";".join(str(_cell(v)) for v in value if v is not None)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def read_parquet(display: str, content: bytes, out: Any) -> None:
    """Records of one Parquet file into ``out`` (a ``ReadResult``); unreadable files are an issue."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from finmatch.io.tabular import table_records

    try:
        table = pq.read_table(io.BytesIO(content))
    except (pa.ArrowException, OSError, ValueError) as exc:
        out.issues.append(ImportIssue(display, "-", None, f"Parquet 文件无法读取：{exc}",
                                      message_en="unreadable Parquet file"))
        return
    if table.num_rows > MAX_ROWS:
        out.issues.append(ImportIssue(display, "-", None, f"Parquet 文件行数 {table.num_rows} 超过上限 {MAX_ROWS}",
                                      message_en="too many rows"))
        return
    header = [str(name) for name in table.column_names]
    columns = [[_cell(v) for v in table.column(k).to_pylist()] for k in range(table.num_columns)]
    rows = [header] + [list(r) for r in zip(*columns, strict=True)] if columns else [header]
    stem = Path(display).stem
    table_records(display, None, rows, out, hint=entity_for_name(stem), fuzzy_hint=entity_for_name(stem, fuzzy=True))


def _json_value(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else None
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return json.dumps(value, ensure_ascii=False)
    return value


class ParquetTableWriter:
    """Append v1 rows (``model_dump(mode="json")`` dicts) to one Parquet file, a row group per call.

    The columns and their types are fixed by the first chunk (columns empty there become text), later
    chunks are cast to them, so every row group of the file has the same columns.
    """

    def __init__(self, path: Path, columns: list[str] | None = None) -> None:
        self.path = path
        self.columns = columns or []
        self._writer: Any = None
        self._schema: Any = None
        self.rows = 0

    def _infer(self, rows: list[dict[str, Any]]) -> Any:
        import pyarrow as pa

        fields = []
        for name in self.columns:
            values = [_json_value(r.get(name)) for r in rows]
            typ = pa.array(values).type if any(v is not None for v in values) else pa.string()
            if pa.types.is_null(typ):
                typ = pa.string()
            if pa.types.is_list(typ) and pa.types.is_null(typ.value_type):
                typ = pa.list_(pa.string())
            fields.append(pa.field(name, typ))
        return pa.schema(fields)

    def write(self, rows: list[dict[str, Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not rows:
            return
        if self._schema is None:
            if not self.columns:  # the first chunk's keys, in order of appearance
                self.columns = list(dict.fromkeys(k for r in rows for k in r))
            self._schema = self._infer(rows)
            self._writer = pq.ParquetWriter(self.path, self._schema, compression="zstd")
        data = {name: [_json_value(r.get(name)) for r in rows] for name in self.columns}
        table = pa.Table.from_pydict(data, schema=self._schema)
        self._writer.write_table(table)
        self.rows += len(rows)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None

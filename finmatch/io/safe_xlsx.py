"""XLSX reading that cannot be blown up by the file: a workbook is a zip of XML parts, and a small
file can declare (``<dimension ref="A1:XFD1048576"/>``) or compress enormous content.

Before openpyxl sees the bytes, every zip entry's declared uncompressed size is checked (Python's
zip reader never inflates past the declared size, so the declaration is a real bound); the sheet's
declared dimensions are ignored (``reset_dimensions``: iteration follows the cells present); and
rows and cells are counted as they are read, stopping at the limits with a Chinese reason.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from finmatch.exceptions import PayloadTooLargeError

MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all parts together, inflated
MAX_ENTRIES = 2_000
MAX_SHEETS = 50
MAX_COLUMNS = 1_000  # a row wider than this is cut here (v1 tables have < 40 columns plus a few extras)


@dataclass(frozen=True)
class XlsxLimits:
    max_rows: int = 100_000  # per sheet
    max_cells: int = 5_000_000  # per workbook
    max_uncompressed: int = MAX_UNCOMPRESSED


_limits = XlsxLimits()


def configure(limits: XlsxLimits) -> None:
    """Set the process-wide limits (the app and the CLI do, from FINMATCH_MAX_IMPORT_ROWS/_CELLS)."""
    global _limits
    _limits = limits


def current_limits() -> XlsxLimits:
    return _limits


def check_rows(count: int, display: str, limits: XlsxLimits | None = None) -> None:
    """CSV files share the row limit."""
    limit = (limits or _limits).max_rows
    if count > limit:
        raise PayloadTooLargeError(f"{display}：超过 {limit:,} 行的上限，请拆分文件后分批导入", field="files")


def check_zip(content: bytes, display: str, limits: XlsxLimits) -> None:
    """Refuse a workbook whose parts would inflate past the limit (nothing is decompressed here)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise ValueError(f"XLSX 无法打开：不是有效的 Excel 文件（{exc}）") from exc
    if len(infos) > MAX_ENTRIES:
        raise PayloadTooLargeError(f"{display}：工作簿内部文件过多（{len(infos)} 个），已拒绝", field="files")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed:
        raise PayloadTooLargeError(
            f"{display}：工作簿解压后约 {total / 2**20:,.0f} MB，超过 {limits.max_uncompressed / 2**20:,.0f} MB 的上限，"
            "已拒绝（请删除无关的工作表或拆分文件）", field="files")


def iter_sheets(content: bytes, display: str, limits: XlsxLimits | None = None
                ) -> Iterator[tuple[str, list[list[Any]]]]:
    """(sheet title, rows as lists) for each worksheet, within the limits."""
    from openpyxl import load_workbook

    limits = limits or _limits
    check_zip(content, display, limits)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise ValueError(f"XLSX 无法打开：{exc}") from exc
    cells = 0
    try:
        if len(wb.worksheets) > MAX_SHEETS:
            raise PayloadTooLargeError(f"{display}：工作表过多（{len(wb.worksheets)} 个，最多 {MAX_SHEETS} 个）",
                                       field="files")
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # the declared A1:XFD1048576 is not believed
            rows: list[list[Any]] = []
            for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if n > limits.max_rows:
                    raise PayloadTooLargeError(
                        f"{display}#{ws.title}：超过 {limits.max_rows:,} 行的上限，请拆分文件后分批导入", field="files")
                cells += len(row)  # as padded by openpyxl: a lone cell in column XFD costs 16,384
                values = list(row[:MAX_COLUMNS])
                while values and values[-1] is None:  # trailing empty cells carry nothing
                    values.pop()
                if cells > limits.max_cells:
                    raise PayloadTooLargeError(
                        f"{display}：单元格超过 {limits.max_cells:,} 个的上限，请拆分文件后分批导入", field="files")
                rows.append(values)
            while rows and not rows[-1]:
                rows.pop()
            yield ws.title, rows
    finally:
        wb.close()

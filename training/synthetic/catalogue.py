"""Load the committed sample catalogue and write it out as JSON and XLSX (Chinese headers)."""

from __future__ import annotations

import json
import logging
from enum import Enum
from pathlib import Path
from typing import Any

from finmatch.schemas import FIELD_LABELS, Document, Entity

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "data_samples"
CATALOGUE_JSON = DATA_DIR / "catalogue.json"
CATALOGUE_XLSX = DATA_DIR / "catalogue.xlsx"
GENERATED_JSON = DATA_DIR / "generated.json"


def load_catalogue(path: Path = CATALOGUE_JSON) -> Document:
    """The curated catalogue (institutions and products) as a validated v1 document."""
    return Document.model_validate_json(path.read_text(encoding="utf-8"))


def document_json(doc: Document) -> str:
    """A v1 document as pretty JSON without empty lists or null fields (stable, diff-friendly)."""
    data = doc.model_dump(mode="json", exclude_none=True)
    out: dict[str, Any] = {"format": data["format"]}
    for name, rows in data.items():
        if name == "format" or not rows:
            continue
        out[name] = [{k: v for k, v in row.items() if v not in ([], {})} for row in rows]
    return json.dumps(out, ensure_ascii=False, indent=1) + "\n"


def _cell(value: Any) -> Any:
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return label if label is not None else value.value
    if isinstance(value, list | tuple):
        return ";".join(str(_cell(v)) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def entity_rows(entities: list[Entity], entity: str) -> tuple[list[str], list[list[Any]]]:
    """Chinese header row and cell rows for one entity list (enum cells as Chinese labels)."""
    fields = list(FIELD_LABELS[entity])
    header = [FIELD_LABELS[entity][f] for f in fields]
    rows = [[_cell(getattr(e, f)) for f in fields] for e in entities]
    return header, rows


def write_catalogue_xlsx(doc: Document, path: Path = CATALOGUE_XLSX) -> None:
    """One sheet per entity (``institutions``, ``products``), headers from FIELD_LABELS."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for entity in ("institutions", "products"):
        ws = wb.create_sheet(entity)
        header, rows = entity_rows(doc.entities(entity), entity)
        ws.append(header)
        for row in rows:
            ws.append(row)
    wb.save(path)


def rebuild_catalogue_files() -> Document:
    """Rewrite catalogue.json and catalogue.xlsx from the curated table."""
    from training.synthetic.curated import catalogue_dict

    doc = Document.model_validate(catalogue_dict())
    CATALOGUE_JSON.write_text(document_json(doc), encoding="utf-8")
    write_catalogue_xlsx(doc)
    log.info("wrote %s and %s", CATALOGUE_JSON, CATALOGUE_XLSX)
    return doc


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    rebuild_catalogue_files()

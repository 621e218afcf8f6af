"""All-or-nothing import: read, validate every record and reference, then write in one transaction.

Any error anywhere means nothing is written; the caller gets every error with file, row, field.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from finmatch.exceptions import ImportIssue, ImportValidationError
from finmatch.io.readers import RawRecord, ReadResult, read_paths
from finmatch.schemas import ENTITY_LABELS, ENTITY_MODELS, ENTITY_ORDER, Document, Entity
from finmatch.storage.db import transaction
from finmatch.storage.repository import Repository

log = logging.getLogger(__name__)

_ZH: dict[str, str] = {
    "missing": "必填字段缺失",
    "string_too_short": "不能为空",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数值",
    "float_type": "应为数值",
    "bool_parsing": "应为是/否",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "list_type": "应为列表",
    "string_type": "应为文本",
    "extra_forbidden": "未知字段",
}


def translate(error: dict[str, Any]) -> str:
    """A Chinese + English message for one pydantic error."""
    kind = error.get("type", "")
    msg = str(error.get("msg", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "greater_than":
        return f"必须大于 {ctx.get('gt')}，实为 {error.get('input')} / {msg}"
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}，实为 {error.get('input')} / {msg}"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}，实为 {error.get('input')} / {msg}"
    if kind == "less_than":
        return f"必须小于 {ctx.get('lt')}，实为 {error.get('input')} / {msg}"
    zh = _ZH.get(kind)
    value = error.get("input")
    shown = f"（输入：{value}）" if zh and kind != "missing" and value is not None and not isinstance(value, dict) else ""
    return f"{zh}{shown} / {msg}" if zh else msg


@dataclass
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    counts: dict[str, int] = field(default_factory=dict)
    written: dict[str, tuple[int, int]] = field(default_factory=dict)
    warnings: list[ImportIssue] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "counts": self.counts,
                "written": {k: {"inserted": a, "updated": b} for k, (a, b) in self.written.items()},
                "warnings": [w.as_dict() for w in self.warnings]}


def validate_records(read: ReadResult) -> tuple[Document, list[ImportIssue], dict[str, dict[str, RawRecord]]]:
    """Build a Document from raw records; every record-level problem becomes an ImportIssue."""
    issues = list(read.issues)
    lists: dict[str, list[Entity]] = defaultdict(list)
    origin: dict[str, dict[str, RawRecord]] = defaultdict(dict)
    for rec in read.records:
        model_cls = ENTITY_MODELS[rec.entity]
        try:
            model = model_cls.model_validate(rec.data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
                fld = ".".join(loc) if loc else None
                issues.append(ImportIssue(rec.file, rec.row, fld, translate(dict(err)), rec.entity))
            continue
        if model.key in origin[rec.entity]:
            first = origin[rec.entity][model.key]
            issues.append(ImportIssue(rec.file, rec.row, model.ID_FIELD or None,
                                      f"{ENTITY_LABELS[rec.entity]}编号 {model.key} 重复（首次出现于 {first.file} "
                                      f"{first.row}） / duplicate id", rec.entity))
            continue
        origin[rec.entity][model.key] = rec
        lists[rec.entity].append(model)
    return Document.from_lists(lists), issues, origin


def check_references(doc: Document, repo: Repository | None,
                     origin: dict[str, dict[str, RawRecord]]) -> list[ImportIssue]:
    """Every reference must resolve to an entity in the document or already in the database."""
    wanted: dict[str, set[str]] = defaultdict(set)
    refs: list[tuple[str, Entity, str, str, str]] = []  # (entity, model, field, target entity, id)
    for p in doc.projects:
        refs.append(("projects", p, "enterprise_id", "enterprises", p.enterprise_id))
    for pr in doc.products:
        refs.append(("products", pr, "institution_id", "institutions", pr.institution_id))
    for ev in doc.events:
        refs += [("events", ev, "project_ids", "projects", x) for x in ev.project_ids]
        refs += [("events", ev, "product_ids", "products", x) for x in ev.product_ids]
    for oc in doc.outcomes:
        refs.append(("outcomes", oc, "project_id", "projects", oc.project_id))
        refs.append(("outcomes", oc, "product_id", "products", oc.product_id))
        if oc.event_id:
            refs.append(("outcomes", oc, "event_id", "events", oc.event_id))
    in_doc = {name: {m.key for m in doc.entities(name)} for name in ENTITY_ORDER}
    for _, _, _, target, key in refs:
        if key not in in_doc[target]:
            wanted[target].add(key)
    in_db = {t: repo.existing_keys(t, keys) if repo else set() for t, keys in wanted.items()}
    issues = []
    for entity, model, fld, target, key in refs:
        if key in in_doc[target] or key in in_db.get(target, set()):
            continue
        rec = origin[entity].get(model.key)
        issues.append(ImportIssue(rec.file if rec else "-", rec.row if rec else "-", fld,
                                  f"引用的{ENTITY_LABELS[target]} {key} 不存在 / unknown {target[:-1]} '{key}'",
                                  entity))
    return issues


def import_paths(paths: list[Path], factory: sessionmaker[Session], *, dry_run: bool = False,
                 actor: str = "cli") -> ImportReport:
    return import_read(read_paths(paths), factory, dry_run=dry_run, actor=actor)


def import_read(read: ReadResult, factory: sessionmaker[Session], *, dry_run: bool = False,
                actor: str = "cli") -> ImportReport:
    """Validate everything, then write it all in one transaction, or raise with every issue."""
    doc, issues, origin = validate_records(read)
    report = ImportReport(counts={n: len(doc.entities(n)) for n in ENTITY_ORDER if doc.entities(n)},
                          warnings=list(read.warnings), dry_run=dry_run)
    with transaction(factory) as session:
        repo = Repository(session, actor=actor)
        issues += check_references(doc, repo, origin)
        if issues:
            raise ImportValidationError(issues=issues)
        if dry_run:
            session.rollback()
            return report
        if not read.records:
            raise ImportValidationError(issues=[ImportIssue("-", "-", None, "没有可导入的记录 / nothing to import")])
        report.written = repo.import_document(doc)
    log.info("imported %s", report.written)
    return report

"""All-or-nothing import: read, resolve ids, validate every record and reference in one pass, then
write in one transaction.

Any error anywhere means nothing is written; the caller gets every error at once (values and
references together) with file, sheet, Excel row, the header as typed and the value found.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from finmatch.exceptions import ImportIssue, ImportValidationError
from finmatch.io.cells import normalise_record
from finmatch.io.error_report import chinese_only, issue_for, reason
from finmatch.io.ids import resolve_records
from finmatch.io.readers import RawRecord, ReadResult, read_paths
from finmatch.schemas import ENTITY_LABELS, ENTITY_MODELS, ENTITY_ORDER, Document, Entity
from finmatch.storage.db import transaction
from finmatch.storage.repository import Repository

log = logging.getLogger(__name__)

# (entity, field, target entity, is a list)
REFERENCES: tuple[tuple[str, str, str, bool], ...] = (
    ("projects", "enterprise_id", "enterprises", False), ("products", "institution_id", "institutions", False),
    ("events", "project_ids", "projects", True), ("events", "product_ids", "products", True),
    ("outcomes", "project_id", "projects", False), ("outcomes", "product_id", "products", False),
    ("outcomes", "event_id", "events", False))


def translate(error: dict[str, Any]) -> str:
    """The Chinese reason for one pydantic error (API request bodies, forms)."""
    return reason(error)[0]


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


def _key_of(rec: RawRecord) -> str | None:
    model = ENTITY_MODELS[rec.entity]
    if not model.ID_FIELD:
        return None
    value = rec.data.get(model.ID_FIELD)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None and str(value).strip() else None


def validate_records(read: ReadResult | list[RawRecord], originals: dict[int, dict[str, Any]] | None = None,
                     ) -> tuple[Document, list[ImportIssue], dict[str, dict[str, RawRecord]]]:
    """Build a Document from raw records; every record-level problem becomes an ImportIssue."""
    records = read.records if isinstance(read, ReadResult) else read
    issues = list(read.issues) if isinstance(read, ReadResult) else []
    lists: dict[str, list[Entity]] = defaultdict(list)
    origin: dict[str, dict[str, RawRecord]] = defaultdict(dict)
    for rec in records:
        model_cls = ENTITY_MODELS[rec.entity]
        raw = (originals or {}).get(id(rec), rec.data)
        try:
            model = model_cls.model_validate(rec.data)
        except ValidationError as exc:
            errs: list[dict[str, Any]] = [dict(e) for e in exc.errors()]
            derived = model_cls.ID_FIELD and rec.columns and model_cls.ID_FIELD not in rec.columns
            if derived and len(errs) > 1:  # the id is derived from the failing fields: say those only
                errs = [e for e in errs if not (e.get("type") == "missing" and tuple(e.get("loc") or ("",))[0]
                                                == model_cls.ID_FIELD)]
            for err in errs:
                issues.append(issue_for(err, file=rec.file, row=rec.row, entity=rec.entity, sheet=rec.sheet,
                                        columns=rec.columns, raw=raw))
            continue
        if model.key in origin[rec.entity]:
            first = origin[rec.entity][model.key]
            where = f"{first.sheet}工作表" if first.sheet else first.file
            col = rec.columns.get(model.ID_FIELD, (None, None))
            issues.append(ImportIssue(rec.file, rec.row, model.ID_FIELD or None,
                                      f"{ENTITY_LABELS[rec.entity]}编号 {model.key} 重复（首次出现于{where}{first.row}）",
                                      rec.entity, sheet=rec.sheet, header=col[1] or model.ID_FIELD, value=model.key,
                                      message_en="duplicate id", column=col[0]))
            continue
        origin[rec.entity][model.key] = rec
        lists[rec.entity].append(model)
    return Document.from_lists(lists), issues, origin


def _ref_values(value: Any, many: bool) -> list[str]:
    if value is None:
        return []
    if many:
        items = value if isinstance(value, list | tuple) else re.split(r"[;；、,，]", str(value))
        return [str(x).strip() for x in items if str(x).strip()]
    text = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip()
    return [text] if text else []


def record_reference_issues(records: list[RawRecord], repo: Repository | None) -> list[ImportIssue]:
    """References of every record, valid or not (so values and references come in one report)."""
    in_file: dict[str, set[str]] = defaultdict(set)
    for rec in records:
        key = _key_of(rec)
        if key:
            in_file[rec.entity].add(key)
    wanted: dict[str, set[str]] = defaultdict(set)
    found: list[tuple[RawRecord, str, str, str]] = []
    for rec in records:
        for entity, fld, target, many in REFERENCES:
            if rec.entity != entity:
                continue
            for key in _ref_values(rec.data.get(fld), many):
                found.append((rec, fld, target, key))
                if key not in in_file[target]:
                    wanted[target].add(key)
    in_db = {t: repo.existing_keys(t, keys) if repo else set() for t, keys in wanted.items()}
    issues = []
    for rec, fld, target, key in found:
        if key in in_file[target] or key in in_db.get(target, set()):
            continue
        col, header = rec.columns.get(fld, (None, None))
        if header is None and fld == "enterprise_id":
            col, header = rec.columns.get("enterprise.name", (None, None))
        if header is None and fld == "institution_id":
            col, header = rec.columns.get("institution.name", (None, None))
        issues.append(ImportIssue(rec.file, rec.row, fld, f"引用的{ENTITY_LABELS[target]}“{key}”不存在：请先导入它，"
                                                          "或在同一批文件中一并提供", rec.entity, sheet=rec.sheet,
                                  header=header or fld, value=key, message_en=f"unknown {target[:-1]} '{key}'",
                                  column=col))
    return issues


def check_references(doc: Document, repo: Repository | None,
                     origin: dict[str, dict[str, RawRecord]]) -> list[ImportIssue]:
    """Every reference of a validated document must resolve in the document or the database."""
    records = []
    for name in ENTITY_ORDER:
        for m in doc.entities(name):
            rec = origin.get(name, {}).get(m.key)
            data = m.model_dump(mode="json")
            records.append(RawRecord(name, rec.file if rec else "-", rec.row if rec else "-", data,
                                     sheet=rec.sheet if rec else None, columns=rec.columns if rec else {}))
    return record_reference_issues(records, repo)


def import_paths(paths: list[Path], factory: sessionmaker[Session], *, dry_run: bool = False,
                 actor: str = "cli") -> ImportReport:
    return import_read(read_paths(paths), factory, dry_run=dry_run, actor=actor)


def prepare(read: ReadResult, session: Session | None) -> tuple[Document, list[ImportIssue]]:
    """Cells normalised, ids resolved, every record and reference checked: (document, all issues)."""
    originals: dict[int, dict[str, Any]] = {}
    for rec in read.records:
        originals[id(rec)] = dict(rec.data)
        rec.data = normalise_record(rec.data)
    records = resolve_records(read.records, session, originals)
    for rec in records:
        originals.setdefault(id(rec), dict(rec.data))
    doc, issues, _ = validate_records(records, originals)
    repo = Repository(session) if session is not None else None
    issues = [*map(_chinese, read.issues), *issues, *record_reference_issues(records, repo)]
    read.warnings[:] = [_chinese(w) for w in read.warnings]
    issues.sort(key=_position)  # as the user reads the files: file, sheet, row, column
    if not read.records and not read.issues:
        issues.append(ImportIssue("-", "-", None, "没有可导入的记录：文件中没有找到数据行",
                                  message_en="nothing to import"))
    return doc, issues


def _position(issue: ImportIssue) -> tuple[str, str, int, int]:
    digits = "".join(ch for ch in issue.row if ch.isdigit())
    return issue.file, issue.sheet or "", int(digits) if digits else -1, issue.column if issue.column is not None else -1


def _chinese(issue: ImportIssue) -> ImportIssue:
    """A reader's bilingual ``中文 / English`` message split: Chinese message, English in its own field."""
    if " / " not in issue.message or issue.message_en:
        return issue
    zh, _, en = issue.message.partition(" / ")
    return replace(issue, message=chinese_only(zh), message_en=en.strip())


def import_read(read: ReadResult, factory: sessionmaker[Session], *, dry_run: bool = False,
                actor: str = "cli") -> ImportReport:
    """Validate everything, then write it all in one transaction, or raise with every issue."""
    with transaction(factory) as session:
        doc, issues = prepare(read, session)
        if issues:
            raise ImportValidationError(issues=issues)
        report = ImportReport(counts={n: len(doc.entities(n)) for n in ENTITY_ORDER if doc.entities(n)},
                              warnings=list(read.warnings), dry_run=dry_run)
        if dry_run:
            session.rollback()
            return report
        report.written = Repository(session, actor=actor).import_document(doc)
    log.info("imported %s", report.written)
    return report


__all__ = ["ImportReport", "chinese_only", "check_references", "import_paths", "import_read", "prepare",
           "translate", "validate_records"]
